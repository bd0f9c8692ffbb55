/**
 * Crash-safe mutations of a knowledge base: the journal, publishing, and recovery.
 *
 * <h2>Protocol (one mutation = one journal = one registry transaction)</h2>
 * Every step runs under the writer lock. Staged files were written, unforced, in a private
 * staging folder before the lock was taken. An add, an update, a remove and a page repair are
 * the same protocol with other entries: an entry either publishes a staged file onto its target
 * (parking the live one, if any), or only retires a live file or folder (a remove: parked, and
 * deleted at the discard step). {@link dev.kb.core.mutation.Coordinator} carries it out.
 * <ol>
 *   <li><b>Force.</b> The staged files of the group are made durable together
 *       ({@link dev.kb.core.store.DocumentStore#makeDurable}): one {@code syncfs} barrier for a
 *       large group on Linux 5.8+, else their fsyncs in parallel. Forcing each file as it was
 *       staged cost two fsyncs per document. The barrier begins before the lock is taken and the
 *       group planned ({@link dev.kb.core.store.DocumentStore#beginDurable}: the files are
 *       written and closed by then, and a barrier covers what was written before it began);
 *       this step waits for it. A failure here fails the whole group, not retried
 *       document by document: Linux reports a write-back error once, and forcing the same file
 *       again would pass. <i>Crash here:</i> no journal names them; the staging folder is swept.</li>
 *   <li><b>Journal.</b> {@code .kb/journal/<id>.json} is written atomically with status
 *       {@code active}: for each entry, its staged path (none for a retirement), its target, and,
 *       when the target exists, where the live file will be parked ({@code .kb/staging/j-<id>/<n>});
 *       and (format 2) the writer's own staging folder. All paths are KB-relative. <i>Crash here:</i> nothing is published; recovery rolls back (a no-op) and
 *       discards the journal.</li>
 *   <li><b>Publish.</b> For each entry in order: move the live target to its backup (if any),
 *       then rename the staged file onto the target; then fsync the touched directories.
 *       <i>Crash here:</i> some entries are done; rollback undoes exactly those, because each
 *       entry's state is visible on disk (backup present? staged file gone?).</li>
 *   <li><b>Commit point.</b> One SQLite transaction writes (or deletes) the documents' rows and
 *       records the journal id in {@code commits}. Its statements run on the registry's own
 *       thread from the force step on ({@link dev.kb.core.store.Registry#stage}), while the
 *       files are published; its {@code COMMIT} waits for the publish. Before the {@code COMMIT}
 *       nothing of it is visible or durable, and a failed group rolls it back before the registry
 *       is asked whether the id is there. <i>Crash before it returns:</i> the id is absent, recovery rolls back.
 *       <i>After:</i> the id is present, recovery finishes. When the transaction reports a failure,
 *       the registry is asked whether the id is there after all before anything is undone. A
 *       missing registry is never recreated by a writer: an empty one would make committed
 *       journals look uncommitted.</li>
 *   <li><b>Mark.</b> The journal is rewritten with status {@code committed}. The registry decides,
 *       but a journal so marked is never rolled back even when its id is missing: the id can only
 *       be gone because the discard step forgot it and a crash then lost the journal's deletion.</li>
 *   <li><b>Post-commit hooks.</b> Append {@code wiki/log.md}, update {@code wiki/index.md}. Their
 *       failure is a warning; they never undo a commit. Recovery of a committed journal repairs
 *       them (the log gets the journal's block if it lacks it whole, after cutting off a piece of
 *       it left at the end by a torn append; the index is rebuilt from the registry).</li>
 *   <li><b>Discard.</b> Delete the backups (durably), then the journal, then forget its id. So a
 *       backup folder never outlives its journal holding files.</li>
 * </ol>
 *
 * <h2>Recovery decides from the registry, never by guessing</h2>
 * For each journal: unreadable (empty, not JSON, missing fields, paths escaping the KB) → moved to
 * {@code .kb/quarantine/} with a loud message, never deleted, never blocking the KB (its backup
 * folder first and durably, then the journal, so a crash between the two cannot orphan the
 * backups); its id in {@code commits}, or its status {@code committed} → finished; otherwise →
 * rolled back in reverse entry order: a present backup is
 * renamed back over the target; a target whose staged file is gone (it was published) is renamed
 * back to its staged path while that staging folder exists (so a failed group can be retried one
 * document at a time), else removed. Rollback is idempotent, so a crash during recovery is recovered the same way. It is
 * tried a bounded number of times; if it still fails, the KB is unusable until {@code kb recover}
 * succeeds (exit 3) — committing on top of a half-undone state could lose data.
 * Then staging folders owned by no journal and no live process are removed, except a journal's
 * backup folder that still holds files: its journal was lost some other way and it may hold the
 * only copy of a replaced file, so it is quarantined with a warning instead.
 *
 * <h2>When the registry itself is lost</h2>
 * {@code kb recover --rebuild-registry} makes a registry again from the files
 * ({@link dev.kb.core.app.RebuildRegistry}). The rule above cannot decide then: the new registry
 * knows no journal ids, and "id absent, so roll back" would undo committed documents. Each pending
 * journal is decided first, by its own status and what the disk proves
 * ({@link dev.kb.core.mutation.Recovery#settleWithoutRegistry}): marked committed → finished after
 * the rebuild, as usual; an entry not yet published (its staged file still staged, or the file it
 * retires still live) → rolled back, since the commit point comes after the last publish; every
 * entry published → it may or may not have been committed, so nothing is undone or deleted: its
 * files stay as published (the rebuild registers them) and the journal goes to
 * {@code .kb/quarantine/} with its backups, with a warning.
 *
 * <h2>A journal of a writer that is still running is never undone nor finished</h2>
 * A journal names {@code .kb/staging/p-<uuid>/}, the folder of the process that wrote it (format 2
 * in its {@code writer} field; format 1 only through its staged paths), whose owner lock says
 * whether that process is alive (see {@link dev.kb.core.staging}).
 * Under a lock that holds, an uncommitted journal of another live process cannot exist: finding one
 * means the writer lock was broken ({@code .kb/ingest.lock} removed by hand, so that this process
 * locked a fresh file while the writer still holds the old one) and the writer is publishing it
 * right now. Rolling it back would remove the files its registry rows are about to name, so
 * recovery stops before touching anything, with exit 75 and the writer's pid. A committed journal of
 * a live process is kept, not finished: its writer is finishing it (or left it after a failed
 * post-commit step and goes on); it is finished once that process has ended. This process's own
 * journals (a group rolled back in-process, an earlier group's journal before the next) are never
 * affected, and a journal whose entries only retire files names no folder and is decided as above.
 * The writer side: it checks its lock file before every recovery, every group and the commit point
 * itself, and stops (exit 3) without committing or undoing when the file is not the one it locked
 * (see {@link dev.kb.core.lock}).
 */
package dev.kb.core.journal;
