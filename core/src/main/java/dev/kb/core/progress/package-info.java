/**
 * Live progress of a running batch ({@code add}, {@code import}, {@code remove}, {@code recover}),
 * published for {@code kb status} and {@code kb status --watch}. Advisory: it is not part of the
 * commit protocol, nothing decides anything from it, and losing it loses nothing but the view.
 *
 * <p><b>Writer.</b> {@link dev.kb.core.progress.BatchProgress} keeps the counts in memory; the
 * batch thread only updates fields there (no file access per document, so bulk ingest does not
 * slow down). {@link dev.kb.core.progress.ProgressPublisher} writes them from its own thread, at
 * most {@value dev.kb.core.progress.ProgressPublisher#WRITES_PER_SECOND} times a second when
 * something changed and once a second when nothing did (so the rate falls while an input is
 * slow), to {@code .kb/progress/<pid>-<id>.json}: write {@code <pid>-<id>.json.kbtmp}, rename it
 * over the file. Never fsync: after a crash the file is meaningless anyway. It first creates and
 * locks (fcntl, exclusive) {@code <pid>-<id>.lock} and keeps that lock until the batch ends; then
 * it removes the JSON file, the lock file, and {@code .kb/progress/} if that is left empty. A write
 * that fails is a warning once, then ignored; a KB this process cannot write gets no file at all
 * (the command itself says why it cannot run).
 *
 * <p><b>Reader.</b> {@link dev.kb.core.progress.LiveProgress} lists {@code .kb/progress/*.json}
 * and trusts a file only while its writer still holds the {@code .lock} beside it: a shared
 * tryLock that fails means held. The kernel drops the lock when the writer dies, even by
 * {@code kill -9}, so a killed writer's file is never shown as live. The pid test the lock holder
 * text is trusted by ({@link dev.kb.core.lock.LockHolder#isAlive}: pid alive, same start time)
 * is only the fallback for a lock file that cannot be probed (unreadable): on its own it would
 * take a killed writer that its parent has not reaped yet (a zombie) for a live one.
 *
 * <p><b>What a crash leaves.</b> A halted or killed writer leaves its JSON (maybe a {@code .kbtmp})
 * and an unlocked lock file. Readers ignore them; the next writer removes every set whose lock it
 * can take. A set whose lock file is missing is dead too: a writer locks before it first writes.
 *
 * <p>Inputs appear as the batch names them: {@code Source#input()} and the remove targets are
 * already without a URL's {@code user:password@}, so no secret reaches the file.
 */
package dev.kb.core.progress;
