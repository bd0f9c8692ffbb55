package dev.kb.core.mutation;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.UniqueNames;
import dev.kb.core.input.Outcome;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.LockLostException;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryCache;
import dev.kb.core.wiki.WikiHooks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * One writing process's hold on a knowledge base, for a whole batch: its staging area, the writer
 * registry, recovery, the post-commit hooks and the coordinator, wired once. Groups are committed
 * with {@link #commit}; each takes the writer lock for itself (so other writers get their turn
 * between groups, and no network or conversion work ever runs under the lock) and drains what an
 * interrupted writer left before planning. That recovery is one directory listing when there is
 * nothing to do, and it cannot be skipped: a writer that crashed between two of our groups leaves
 * a journal whose later rollback would move its backups over files we published since.
 */
public final class WriterSession implements AutoCloseable {

    /** What a session tells its user while it works (warnings, waiting for another writer). */
    public interface Events {
        void warning(String message);

        void waitingForLock(String holder);
    }

    private final Storage storage;
    private final Duration lockWait;
    private final String command;
    private final Events events;
    private final StagingArea staging;
    private final Registry registry;
    private final Recovery recovery;
    private final Coordinator coordinator;
    /** Whether this batch has warned that the summary could not be stored: once is enough. */
    private boolean summaryWarned;
    /**
     * Stat-cache entries of files found unchanged, not yet written: they go into the registry
     * under the lock of the next group, or at the end of the batch ({@link #flushHints}).
     */
    private final List<FileStat> hints = new ArrayList<>();

    private WriterSession(Storage storage, Duration lockWait, String command, Events events, StagingArea staging,
                          Registry registry) {
        this.storage = storage;
        this.lockWait = lockWait;
        this.command = command;
        this.events = events;
        this.staging = staging;
        this.registry = registry;
        KnowledgeBase kb = storage.kb();
        WikiHooks hooks = new WikiHooks(kb, registry, storage.ops());
        // one recovery for the session: it remembers the committed journals whose repair already
        // failed in this process, so a broken wiki/log.md costs one warning, not one per group
        this.recovery = new Recovery(kb, registry, storage.documents(), storage.ops(), hooks, events::warning,
                new HashSet<>());
        this.coordinator = new Coordinator(registry, storage.documents(), new JournalStore(kb, storage.ops()),
                recovery, hooks, events::warning, this::refreshSummary);
    }

    /**
     * Opens the writer registry under the lock (opening may upgrade its schema, and two writers
     * upgrading at once would fail one of them), then drains what an interrupted writer left,
     * before the batch does anything of its own.
     */
    public static WriterSession open(Storage storage, Duration lockWait, String command, Events events) {
        storage.kb().requireWritable();
        StagingArea staging = StagingArea.create(storage.kb());
        try (WriterLock lock = storage.locks().acquire(lockWait, command, events::waitingForLock)) {
            Registry registry = storage.writerRegistry().get();
            try {
                WriterSession s = new WriterSession(storage, lockWait, command, events, staging, registry);
                s.recover(lock);
                return s;
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
        } catch (RuntimeException e) {
            staging.close();
            throw e;
        }
    }

    /** This process's private staging area, where preparation writes before the lock is taken. */
    public StagingArea staging() {
        return staging;
    }

    public KnowledgeBase kb() {
        return storage.kb();
    }

    /**
     * Commits one group (one journal, one registry transaction) under the lock and returns one
     * outcome per item in order. A group whose commit fails is rolled back whole and retried one
     * item at a time, so one bad item fails alone.
     */
    public <T> List<Outcome> commit(List<T> group, Planner<T> planner) {
        // The group's staged files go to the disk now, while the lock is taken, recovery looks and
        // the group is planned: the barrier's wait used to follow the planning on the one thread
        // that commits (a sixth of a corpus add's time).
        try (FileOps.Pending begun = storage.documents().beginDurable(planner.staged(group));
             WriterLock lock = storage.locks().acquire(lockWait, command, events::waitingForLock)) {
            recover(lock);
            List<Outcome> out;
            try {
                out = commitOnce(lock, group, planner, begun);
            } catch (Coordinator.CommitFailed e) {
                out = commitOneByOne(lock, group, planner, e);
            }
            writeHints(lock);
            return out;
        }
    }

    /**
     * After a group failed to commit: each item on its own, so one bad item fails alone; but when
     * the group's files could not be made durable, every item fails (see {@link Coordinator#execute}).
     */
    private <T> List<Outcome> commitOneByOne(WriterLock lock, List<T> group, Planner<T> planner,
                                             Coordinator.CommitFailed failed) {
        if (group.size() == 1 || !failed.retryable) {
            planner.release(group); // rolled back, or never journaled: its staged files only hold disk space now
            List<Outcome> out = new ArrayList<>();
            for (T item : group) {
                out.add(Outcome.failed(planner.input(item), failed.getMessage()));
            }
            return out;
        }
        List<Outcome> out = new ArrayList<>();
        for (T item : group) {
            try {
                out.addAll(commitOnce(lock, List.of(item), planner, FileOps.Pending.NONE));
            } catch (Coordinator.CommitFailed single) {
                planner.release(List.of(item));
                out.add(Outcome.failed(planner.input(item), single.getMessage()));
            }
        }
        return out;
    }

    /** Plans and carries out one group; a failed one stays staged (rollback puts it back) for the retry. */
    private <T> List<Outcome> commitOnce(WriterLock lock, List<T> group, Planner<T> planner, FileOps.Pending begun)
            throws Coordinator.CommitFailed {
        lock.assertHeld();
        String id = UniqueNames.next();
        String backupDir = storage.kb().relative(storage.kb().stagingDir().resolve(Sweeper.backupDirName(id)));
        Plan plan = new Plan(registry, storage.documents(), id, backupDir);
        List<Outcome> outcomes = planner.plan(group, plan);
        if (!plan.isEmpty()) {
            String writer = storage.kb().relative(staging.dir());
            coordinator.execute(lock, plan.build(Instant.now().toString(), command, writer), begun);
        }
        planner.releaseCommitted(group);
        hints.addAll(plan.hints());
        return outcomes;
    }

    /**
     * Keeps a stat-cache entry of a file that a preparation read and found unchanged, to be
     * written under the next lock this session takes (on the batch's thread).
     */
    public void hint(FileStat entry) {
        hints.add(entry);
    }

    /**
     * Writes the entries kept so far, at the end of a batch: under the lock if it is free now,
     * else not at all. They are hints; waiting for another writer to record them would make a
     * batch that changed nothing wait, and the next add reads those files again instead.
     */
    public void flushHints() {
        if (hints.isEmpty()) {
            return;
        }
        try (WriterLock lock = storage.locks().acquire(Duration.ZERO, command, holder -> { })) {
            writeHints(lock);
        } catch (KbException e) {
            if (e.kind() != KbException.Kind.LOCK_BUSY) {
                throw e;
            }
            hints.clear();
        }
    }

    /**
     * No recovery needed first: an entry is about a file outside the KB, and is written only
     * where its row has its content at that moment, whatever journal is pending.
     */
    private void writeHints(WriterLock lock) {
        if (hints.isEmpty()) {
            return;
        }
        try {
            lock.assertHeld();
            registry.recordFileStats(List.copyOf(hints));
        } catch (LockLostException e) {
            // dropped: the batch's next commit, or the next command, meets the lost lock
        }
        hints.clear();
    }

    /** The post-commit refresh of the cached summary; its failure warns once per batch, not per group. */
    private Optional<String> refreshSummary() {
        Optional<String> failed = SummaryCache.refresh(storage.kb(), registry);
        if (failed.isEmpty() || summaryWarned) {
            return Optional.empty();
        }
        summaryWarned = true;
        return failed;
    }

    private void recover(WriterLock lock) {
        Recovery.Report r = recovery.run(lock);
        if (r.finished() + r.rolledBack() > 0) {
            events.warning("recovered an interrupted mutation: " + r.finished() + " finished, "
                    + r.rolledBack() + " rolled back");
        }
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            staging.close();
        }
    }
}
