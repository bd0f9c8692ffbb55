package dev.kb.core.mutation;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Halt;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.journal.Journal;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.store.DocumentStore;
import dev.kb.core.store.LockLostException;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryFile;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Carries out one {@link Mutation} under the protocol of {@link dev.kb.core.journal}: journal →
 * publish → registry transaction (THE COMMIT POINT) → mark → post-commit hooks → discard → cached
 * summary. It knows nothing of what the mutation means; planning did that.
 *
 * <p>Steps at which tests can halt the process ({@link Halt}): {@code before-journal},
 * {@code journal-written}, {@code published}, {@code committed}, {@code journal-marked},
 * {@code hooks-done}, {@code discarded}, and {@code summary-staged} (inside
 * {@link SummaryFile#write}: the new summary written beside the file, not yet renamed over it).
 */
final class Coordinator {
    static final List<String> STEPS = List.of("before-journal", "journal-written", "published", "committed",
            "journal-marked", "hooks-done", "discarded", "summary-staged");

    private final Registry registry;
    private final DocumentStore documents;
    private final JournalStore journals;
    private final Recovery recovery;
    private final CommitHooks hooks;
    private final Consumer<String> warn;
    /** Stores the summary of the registry as committed; never throws, returns a warning or empty. */
    private final Supplier<Optional<String>> refreshSummary;

    Coordinator(Registry registry, DocumentStore documents, JournalStore journals, Recovery recovery,
                CommitHooks hooks, Consumer<String> warn, Supplier<Optional<String>> refreshSummary) {
        this.registry = registry;
        this.documents = documents;
        this.journals = journals;
        this.recovery = recovery;
        this.hooks = hooks;
        this.warn = warn;
        this.refreshSummary = refreshSummary;
    }

    /**
     * Commits the mutation, or rolls it back and throws {@link CommitFailed}. A rollback that fails
     * throws {@link KbException.Kind#KB_UNUSABLE}, and a lost lock {@link LockLostException}: the
     * batch must stop.
     *
     * @param begun the barrier the group's staged files got before it was planned, or
     *              {@link FileOps.Pending#NONE}
     */
    void execute(WriterLock lock, Mutation m, FileOps.Pending begun) throws CommitFailed {
        Journal j = m.journal();
        Registry.Staged staged = null;
        try {
            Halt.at("before-journal");
            // The registry's statements begin here, on its own thread, and run while the files are
            // made durable and published; only the COMMIT below waits for the files. Nothing of
            // the transaction is visible or survives a crash before it.
            staged = registry.stage(j.id(), m.upserts(), m.removals(), m.note(), m.stats());
            // The staged files, written unforced, become durable together here: a row committed
            // below must never name a file whose content a crash can still lose (a renamed but
            // unsynced file comes back empty on ext4).
            try {
                documents.makeDurable(j, begun);
            } catch (IOException e) {
                // Not retried with the same files: once an fsync has reported a write-back error
                // (EIO), Linux counts it as reported, and forcing the file again returns 0 while
                // its lost pages stay lost. Nothing is journaled or published yet.
                throw new CommitFailed(Causes.oneLine(e), false);
            }
            journals.write(j);
            Halt.at("journal-written");
            documents.publish(j);
            Halt.at("published");
            // Publishing a large group takes a while: if the lock file was removed meanwhile,
            // another writer may be at work, and a commit now could name files it replaces.
            lock.assertHeld();
            staged.commit(); // ===== THE COMMIT POINT =====
        } catch (LockLostException e) {
            // Undoing needs the lock as much as committing does: the journal stays, as after a
            // crash here, for the next recovery under a lock that holds.
            close(staged);
            throw e;
        } catch (IOException | RuntimeException e) {
            // rolled back first: the registry asked below would otherwise answer from inside
            // the transaction, where this journal's commit is already recorded
            close(staged);
            if (!committedDespite(j.id(), e)) {
                recovery.rollBack(j); // throws KB_UNUSABLE when the undo itself fails
                throw new CommitFailed(Causes.oneLine(e));
            }
        } finally {
            close(staged); // a group that could not be made durable; after the commit, nothing
        }
        Halt.at("committed");
        // Past the commit point nothing may undo the mutation: failures below are warnings, and
        // whatever is left over is finished by the next recovery.
        try {
            journals.write(j.committed());
            Halt.at("journal-marked");
        } catch (IOException e) {
            warn.accept("could not mark journal " + j.id() + " committed (" + Causes.oneLine(e)
                    + "); recovery will finish it");
        }
        if (runHooks(j)) {
            Halt.at("hooks-done");
            discard(j);
        }
        // Last: whoever reads the new summary reads a KB at rest. Without it status still answers
        // (it rebuilds a summary whose revision is behind), so a failure is only a warning.
        refreshSummary.get().ifPresent(warn);
    }

    private static void close(Registry.Staged staged) {
        if (staged != null) {
            staged.close();
        }
    }

    /**
     * Whether the transaction went through although the commit reported {@code failure} (an I/O
     * error after SQLite wrote its commit record, say). Rolling back such a commit would leave
     * rows pointing at files that were removed, so the registry is asked again; when it cannot
     * answer, nothing is undone here: the journal stays, and the next command's recovery decides
     * from the registry as it reopens it.
     */
    private boolean committedDespite(String id, Exception failure) {
        try {
            return registry.isCommitted(id);
        } catch (RuntimeException unknown) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "the registry could not say whether journal " + id
                    + " was committed (" + Causes.oneLine(failure) + "); run 'kb recover'", failure);
        }
    }

    /**
     * The log and index. On failure, once more in repair mode (appends only what is missing,
     * rebuilds the index); if that fails too the committed journal is kept: discarding it would
     * lose the log block for good, while the next recovery finishes it and repairs both files.
     */
    private boolean runHooks(Journal j) {
        try {
            hooks.afterCommit(j, false);
            return true;
        } catch (Exception e) {
            try {
                hooks.afterCommit(j, true);
                return true;
            } catch (Exception again) {
                recovery.repairFailed(j.id()); // kept: the next recovery of this session does not retry it
                warn.accept("post-commit update of wiki/log.md or wiki/index.md failed (" + Causes.oneLine(again)
                        + "); the documents are committed, the next command repairs the log and index");
                return false;
            }
        }
    }

    /** Backups first, then the journal, then its id: a backup folder never outlives its journal. */
    private void discard(Journal j) {
        try {
            documents.discardBackups(j);
            journals.delete(j.id());
            registry.forgetCommits(List.of(j.id()));
            Halt.at("discarded");
        } catch (IOException e) {
            warn.accept("could not discard journal " + j.id() + " (" + Causes.oneLine(e)
                    + "); the next command finishes it");
        }
    }

    /** The group could not be committed and was rolled back cleanly. */
    static final class CommitFailed extends Exception {
        /** False when the group's staged files could not be made durable: retrying them one by one would trust them. */
        final boolean retryable;

        CommitFailed(String message) {
            this(message, true);
        }

        CommitFailed(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }
    }
}
