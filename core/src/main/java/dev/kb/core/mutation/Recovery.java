package dev.kb.core.mutation;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.journal.FileDocumentStore;
import dev.kb.core.journal.Journal;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingOwner;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.DocumentStore;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Drains what interrupted writers left; see the package documentation for how it decides.
 * Cheap when there is nothing to do: one directory listing of the journal and staging folders.
 */
public final class Recovery {
    /** The character set in which this JVM names files (the locale's: ASCII in the C locale). */
    private static final java.nio.charset.Charset FILE_NAMES = fileNameCharset();

    private static java.nio.charset.Charset fileNameCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
    }

    /** Rollback attempts before giving up and declaring the KB unusable. */
    static final int ROLLBACK_ATTEMPTS = 3;

    /**
     * What one run did. {@code kept} lists the committed journals left in place, because their
     * post-commit repair failed or because the process that wrote them is still running, each as
     * "journal &lt;id&gt;: &lt;cause&gt;".
     */
    public record Report(int finished, int rolledBack, int quarantined, int stagingRemoved, List<String> kept) {
        public boolean didSomething() {
            return finished + rolledBack + quarantined + stagingRemoved > 0;
        }
    }

    private final KnowledgeBase kb;
    private final Registry registry;
    private final FileOps ops;
    private final CommitHooks hooks;
    private final Consumer<String> warn;
    private final JournalStore journals;
    private final DocumentStore publisher;
    private final Set<String> triedBefore;

    public Recovery(KnowledgeBase kb, Registry registry, FileOps ops, CommitHooks hooks, Consumer<String> warn) {
        this(kb, registry, ops, hooks, warn, new HashSet<>());
    }

    /** Recovery of a KB whose documents are on the local file system. */
    public Recovery(KnowledgeBase kb, Registry registry, FileOps ops, CommitHooks hooks, Consumer<String> warn,
                    Set<String> triedBefore) {
        this(kb, registry, new FileDocumentStore(kb, ops), ops, hooks, warn, triedBefore);
    }

    /**
     * @param triedBefore ids of committed journals whose repair already failed in this process;
     *                    they are not retried (nor warned about) again, and ids that fail now are
     *                    added. One batch passes one set to all its recoveries, so a broken
     *                    {@code wiki/log.md} costs one warning, not one per group.
     */
    public Recovery(KnowledgeBase kb, Registry registry, DocumentStore documents, FileOps ops, CommitHooks hooks,
                    Consumer<String> warn, Set<String> triedBefore) {
        this.triedBefore = triedBefore;
        this.kb = kb;
        this.registry = registry;
        this.ops = ops;
        this.hooks = hooks;
        this.warn = warn;
        this.journals = new JournalStore(kb, ops);
        this.publisher = documents;
    }

    /**
     * A committed journal whose post-commit hooks failed in this process and which is kept: this
     * recovery will not retry (nor warn about) it again.
     */
    void repairFailed(String journalId) {
        triedBefore.add(journalId);
    }

    public Report run(WriterLock lock) {
        if (registry == null) {
            throw new IllegalStateException("recovery without a registry only settles journals for a rebuild");
        }
        lock.assertHeld();
        Tally t = new Tally();
        try {
            List<Path> files = journals.list();
            refuseIfALiveWriterIsMidCommit(files);
            for (Path file : files) {
                Journal j = read(file, t);
                if (j != null) {
                    decide(j, t);
                }
            }
            for (Path tmp : journals.temporaries()) {
                ops.delete(tmp);
            }
            int swept = Sweeper.removeOrphans(kb, ops, t.live, warn);
            sweepTemporaries(kb.wikiDir(), ".*" + KnowledgeBase.TEMP_SUFFIX);
            // a summary write cut short (its status or writer killed): only disk space, but one per kill
            sweepTemporaries(kb.metaDir(), SummaryFile.temporaryGlob(kb.summaryFile()));
            return new Report(t.finished, t.rolledBack, t.quarantined, swept, List.copyOf(t.kept));
        } catch (IOException e) {
            throw new KbException(KbException.Kind.KB_UNUSABLE,
                    "recovery of " + kb + " failed: " + e.getMessage() + " (run 'kb recover' again)", e);
        }
    }

    /**
     * What {@link #settleWithoutRegistry} did: journals rolled back (provably never committed),
     * journals quarantined because only the lost registry knew whether they were committed (their
     * published files kept), and unreadable journals quarantined.
     */
    public record Settled(int rolledBack, int keptPublished, int quarantined) {
    }

    /**
     * Settles the pending journals for {@code kb recover --rebuild-registry}, before the registry
     * is made again from the files. The registry that says which journals were committed is
     * missing or unreadable, and a rebuilt one knows no journal ids: deciding "not in the registry,
     * so roll back" would undo documents that were committed. So each journal is decided by what
     * its own file and the disk prove, and nothing that may be the only copy of a document is
     * deleted:
     * <ul>
     *   <li>marked committed: left in place. Its documents are in {@code raw/} and
     *       {@code wiki/sources/}, so the rebuild registers them, and the recovery that runs on the
     *       rebuilt registry finishes it by its status (backups discarded, log block written).</li>
     *   <li>active, with an entry not yet published ({@link DocumentStore#publishMayHaveFinished}
     *       false): rolled back. The commit point follows the last publish, so it was never
     *       committed, and the rebuild then sees the files from before it.</li>
     *   <li>active, every entry published: the crash came between the last publish and the mark,
     *       and the registry transaction in between may or may not have happened. Undoing it could
     *       remove committed documents; finishing it would delete the files it replaced. Neither is
     *       guessed: its published files stay (the rebuild registers what they hold), and the
     *       journal goes to {@code .kb/quarantine/} with its backups (the files it replaced or
     *       removed), with a warning naming its documents.</li>
     *   <li>unreadable: quarantined, as by {@link #run}.</li>
     * </ul>
     * A journal of a kb process that is still running stops it all before anything changes, as in
     * {@link #run}.
     */
    public static Settled settleWithoutRegistry(KnowledgeBase kb, FileOps ops, WriterLock lock, Consumer<String> warn) {
        lock.assertHeld();
        Recovery r = new Recovery(kb, null, new FileDocumentStore(kb, ops), ops, null, warn, new HashSet<>());
        Tally t = new Tally();
        int rolledBack = 0;
        int kept = 0;
        try {
            List<Path> files = r.journals.list();
            for (Path file : files) { // a live writer first, before anything is changed; committed or not,
                Journal j = r.parseQuietly(file); // its process still has the old registry open
                StagingOwner writer = j == null ? null : r.liveWriter(j);
                if (writer != null) {
                    throw r.midCommit(j, writer);
                }
            }
            for (Path file : files) {
                Journal j = r.read(file, t);
                if (j == null || Journal.COMMITTED.equals(j.status())) {
                    continue;
                }
                if (!r.publisher.publishMayHaveFinished(j)) {
                    r.rollBack(j);
                    rolledBack++;
                } else {
                    r.keepPublished(file, j);
                    kept++;
                }
            }
            return new Settled(rolledBack, kept, t.quarantined);
        } catch (IOException e) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "settling the pending journals of " + kb + " failed: "
                    + e.getMessage() + " (nothing was rebuilt; run 'kb recover --rebuild-registry' again)", e);
        }
    }

    /** A readable journal in {@code file}, or null (gone, or unreadable: {@link #read} deals with it). */
    private Journal parseQuietly(Path file) throws IOException {
        try {
            Journal j = Journal.parse(Files.readAllBytes(file));
            checkPaths(j);
            return j;
        } catch (NoSuchFileException | Journal.CorruptJournalException e) {
            return null;
        }
    }

    /** A journal that may have been committed, the lost registry its only witness ({@link #settleWithoutRegistry}). */
    private void keepPublished(Path file, Journal j) throws IOException {
        String id = JournalStore.idOf(file);
        JournalStore.Quarantined q = journals.quarantine(file, kb.stagingDir().resolve(Sweeper.backupDirName(id)));
        StringBuilder docs = new StringBuilder();
        for (Journal.Doc d : j.docs()) {
            docs.append(docs.length() == 0 ? "" : ", ").append(d.action()).append(' ').append(d.name());
        }
        warn.accept("journal " + id + " (" + j.command() + ": " + docs + ") had published all its files, and only"
                + " the lost registry knew whether it was committed: its files are kept as published, and the journal"
                + (q.backups() == null ? "" : ", with the files it replaced or removed,") + " is in "
                + kb.relative(q.journal()) + (q.backups() == null ? "" : " and " + kb.relative(q.backups())));
    }

    /** What one run has done so far. */
    private static final class Tally {
        int finished;
        int rolledBack;
        int quarantined;
        final List<String> kept = new ArrayList<>();
        /** Committed journals of live writers: their backups must survive the sweep. */
        final Set<String> live = new HashSet<>();
    }

    /** The journal in {@code file}; null when it vanished or was unreadable (then quarantined). */
    private Journal read(Path file, Tally t) throws IOException {
        try {
            Journal j = Journal.parse(Files.readAllBytes(file));
            String expectedId = JournalStore.idOf(file);
            if (!j.id().equals(expectedId)) {
                throw new Journal.CorruptJournalException("id '" + j.id() + "' does not match its file name");
            }
            checkPaths(j);
            return j;
        } catch (NoSuchFileException gone) {
            return null;
        } catch (Journal.CorruptJournalException e) {
            quarantine(file, e.getMessage());
            t.quarantined++;
            return null;
        }
    }

    /** Finishes, keeps or rolls back one readable journal. */
    private void decide(Journal j, Tally t) throws IOException {
        StagingOwner writer = liveWriter(j);
        // A journal marked committed was marked after its transaction returned: its id can only be
        // missing because it was forgotten and the journal's deletion was lost in a crash. Rolling
        // it back would remove the files of committed documents.
        if (registry.isCommitted(j.id()) || Journal.COMMITTED.equals(j.status())) {
            if (writer != null) {
                // Its documents are committed. Its writer either left it behind (a failed
                // post-commit step) and goes on, or is finishing it right now under a broken lock:
                // finishing it here too could log its documents twice. Either way it is finished
                // once that process has ended; its backups stay until then.
                t.live.add(j.id());
                t.kept.add("journal " + j.id() + ": its documents are committed, but "
                        + (writer.state() == StagingOwner.State.UNKNOWN
                                ? "whether the kb process that wrote it is still running cannot be told ("
                                        + writer.why() + ")"
                                : "the kb process that wrote it (" + writer.describePid() + ") is still running")
                        + "; it is finished after that process has ended");
                return;
            }
            String failure = finish(j);
            if (failure == null) {
                t.finished++;
            } else {
                t.kept.add("journal " + j.id() + ": " + failure);
            }
        } else {
            if (writer != null) {
                throw midCommit(j, writer); // appeared since the check above: only a broken lock allows that
            }
            rollBack(j);
            t.rolledBack++;
        }
    }

    /**
     * Stops before touching anything when an uncommitted journal belongs to a process that is still
     * running: that process is publishing it now, under a writer lock that was broken (its lock file
     * removed by hand, so that this process could lock a fresh one). Rolling it back would remove
     * the files it is about to commit, leaving rows that point at nothing. Nothing here is changed,
     * not even another journal: with two writers at work, no decision made here is safe.
     *
     * <p>A journal that is unreadable here is left to the loop in {@link #run}, which quarantines it.
     */
    private void refuseIfALiveWriterIsMidCommit(List<Path> files) throws IOException {
        for (Path file : files) {
            Journal j = parseQuietly(file);
            if (j == null || Journal.COMMITTED.equals(j.status()) || registry.isCommitted(j.id())) {
                continue;
            }
            StagingOwner writer = liveWriter(j);
            if (writer != null) {
                throw midCommit(j, writer);
            }
        }
    }

    /**
     * The process, other than this one, that owns the staging folder of the journal's staged files
     * while still running (or whose liveness cannot be told); null when there is none, so that the
     * journal is the leftover of a writer that has ended. The journal's own process is never
     * reported: a group rolled back in-process, or a journal of an earlier group recovered before
     * the next, are this process's business. One probe per staging folder named, and only for
     * journals that exist, so the common path (no journal) costs nothing.
     *
     * <p>A version-2 journal names its writer's folder ({@link Journal#writer()}), which is probed
     * first. A version-1 journal is judged by its staged paths only; one whose entries only retire
     * files names no folder, but version 1 never wrote one: each of its documents published at
     * least a page.
     */
    private StagingOwner liveWriter(Journal j) {
        if (j.writer() != null) {
            // version 2 names its writer's folder, so a journal that only retires files (a remove)
            // is protected as well as one that publishes
            StagingOwner o = StagingOwner.of(kb, kb.resolve(j.writer()).resolve("journal"));
            if (o.state() == StagingOwner.State.OTHER_PROCESS || o.state() == StagingOwner.State.UNKNOWN) {
                return o;
            }
        }
        Set<Path> probed = new HashSet<>();
        for (Journal.Entry e : j.entries()) {
            if (e.staged() == null) {
                continue;
            }
            Path staged = kb.resolve(e.staged()); // checkPaths has kept it inside .kb/staging/
            Path rel = kb.stagingDir().relativize(staged);
            if (rel.getNameCount() < 2 || !probed.add(rel.getName(0))) {
                continue; // not in a folder, or its folder was probed already
            }
            StagingOwner o = StagingOwner.of(kb, staged);
            if (o.state() == StagingOwner.State.OTHER_PROCESS || o.state() == StagingOwner.State.UNKNOWN) {
                return o;
            }
        }
        return null;
    }

    private KbException midCommit(Journal j, StagingOwner writer) {
        if (writer.state() == StagingOwner.State.UNKNOWN) {
            return new KbException(KbException.Kind.KB_UNUSABLE, "cannot tell whether the kb process that wrote"
                    + " journal " + j.id() + " is still running (" + writer.why() + "); nothing was changed: fix that"
                    + " and run 'kb recover' again");
        }
        return new KbException(KbException.Kind.LOCK_BUSY, "another kb process (" + writer.describePid()
                + ") is writing to " + kb + " although the lock file .kb/ingest.lock was removed: journal " + j.id()
                + " is its commit in progress, and nothing was changed; let that process finish (or stop it), then run"
                + " 'kb recover'. Never remove .kb/ingest.lock: a stale lock never needs it");
    }

    /**
     * Paths in a journal come from disk; one that escapes the KB means the journal is not ours. So
     * does one that lies where no journal of ours points: rollback deletes published targets and
     * the whole backup folder, so a backup folder of "" or "raw" would delete the documents, and a
     * target of ".kb/registry.db" the registry. Ours: backups in {@code .kb/staging/j-<id>/},
     * staged files in {@code .kb/staging/}, targets in {@code raw/} or {@code wiki/sources/}.
     */
    private void checkPaths(Journal j) throws Journal.CorruptJournalException {
        Path backupDir = inside(j.backupDir(), null);
        if (!backupDir.equals(kb.stagingDir().resolve(Sweeper.backupDirName(j.id())))) {
            throw new Journal.CorruptJournalException("backup folder " + j.backupDir() + " is not the journal's own");
        }
        if (j.writer() != null) {
            inside(j.writer(), kb.stagingDir());
        }
        for (Journal.Entry e : j.entries()) {
            Path target = inside(e.target(), null);
            if (!target.startsWith(kb.rawDir()) && !target.startsWith(kb.sourcesDir())) {
                throw new Journal.CorruptJournalException("target " + e.target() + " is not a document file");
            }
            if (e.staged() != null) {
                inside(e.staged(), kb.stagingDir());
            }
            if (e.backup() != null) {
                inside(e.backup(), backupDir);
            }
        }
    }

    /** Resolves a journal's path, which must not escape the KB and, when given, must lie under {@code under}. */
    private Path inside(String relative, Path under) throws Journal.CorruptJournalException {
        Path p;
        try {
            p = kb.resolve(relative);
        } catch (IllegalArgumentException e) { // includes InvalidPathException (a NUL in the name)
            if (!FILE_NAMES.newEncoder().canEncode(relative)) {
                // A sound journal of a non-ASCII name, read in the C locale (cron, containers):
                // quarantining it would leave its published files behind for good.
                throw new KbException(KbException.Kind.USAGE, "a pending journal names " + relative
                        + ", which file names in this locale's character set (" + FILE_NAMES
                        + ") cannot hold; run kb under a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
            }
            throw new Journal.CorruptJournalException(e.getMessage());
        }
        if (under != null && (!p.startsWith(under) || p.equals(under))) {
            throw new Journal.CorruptJournalException("path " + relative + " is outside " + kb.relative(under));
        }
        return p;
    }

    /**
     * Finishes a committed journal: its backups are no longer needed, and the post-commit hooks
     * are repaired. When the repair fails the journal is kept, because it is the only record of
     * the log block still missing; the next recovery tries again. It never blocks the KB.
     */
    private String finish(Journal j) throws IOException {
        publisher.discardBackups(j);
        if (triedBefore.contains(j.id())) {
            return "its repair already failed in this run";
        }
        try {
            hooks.afterCommit(j, true);
        } catch (Exception e) {
            triedBefore.add(j.id());
            String cause = "the documents are committed, but writing wiki/log.md or wiki/index.md failed ("
                    + e.getMessage() + ")";
            warn.accept("journal " + j.id() + ": " + cause + "; the journal is kept until a later command can");
            return cause;
        }
        journals.delete(j.id());
        registry.forgetCommits(List.of(j.id()));
        return null;
    }

    /** Rolls back with bounded retries; a rollback that keeps failing makes the KB unusable. */
    public void rollBack(Journal j) {
        IOException last = null;
        for (int attempt = 1; attempt <= ROLLBACK_ATTEMPTS; attempt++) {
            try {
                publisher.rollback(j);
                publisher.discardBackups(j);
                journals.delete(j.id());
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new KbException(KbException.Kind.KB_UNUSABLE, "rollback of journal " + j.id() + " failed after "
                + ROLLBACK_ATTEMPTS + " attempts: " + last.getMessage()
                + "; the knowledge base needs 'kb recover'", last);
    }

    private void quarantine(Path file, String reason) throws IOException {
        String id = JournalStore.idOf(file);
        JournalStore.Quarantined q = journals.quarantine(file, kb.stagingDir().resolve(Sweeper.backupDirName(id)));
        warn.accept("journal " + file.getFileName() + " is unreadable (" + reason + "); moved to "
                + kb.relative(q.journal()) + (q.backups() == null ? "" : ", its backups to " + kb.relative(q.backups()))
                + " for inspection; files it may have published are reported by 'kb recover'");
    }

    /** Temporaries of atomic writes (into wiki/, of the cached summary) that a crash interrupted. */
    private void sweepTemporaries(Path dir, String glob) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                ops.delete(p);
            }
        }
    }
}
