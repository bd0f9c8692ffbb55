package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.ForwardingRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.summary.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commit point's failure path ({@link Coordinator#execute}, {@link WriterSession#commit}): a
 * registry whose {@code commit} throws, before or after its transaction went through, and whose
 * {@code isCommitted} may fail as well. Real SQLite and real files underneath; only the throwing
 * is injected, through {@link Storage#withRegistry}.
 */
class CommitPointTest {

    @TempDir
    Path tmp;

    /** What the injected commit does: it may call {@code delegate.commit} and may throw. */
    @FunctionalInterface
    interface CommitFault {
        void commit(Registry delegate, String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                    CommitNote note) throws IOException;
    }

    /**
     * A commit point replaced by {@code fault} in every writer registry of a storage, recording
     * the number of rows of each commit asked for; after a failed commit, {@code isCommitted}
     * optionally fails too (the database went away altogether).
     */
    static final class FaultyCommit {
        final List<Integer> commits = new ArrayList<>();
        private final CommitFault fault;
        private final boolean isCommittedFails;
        private boolean failed;

        FaultyCommit(CommitFault fault, boolean isCommittedFails) {
            this.fault = fault;
            this.isCommittedFails = isCommittedFails;
        }

        Storage over(Storage storage) {
            return storage.withRegistry(r -> new ForwardingRegistry(r, true) {
                @Override
                public void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                                   CommitNote note) throws IOException {
                    commits.add(upserts.size());
                    try {
                        fault.commit(delegate, journalId, upserts, removals, note);
                    } catch (IOException | RuntimeException e) {
                        failed = true;
                        throw e;
                    }
                }

                @Override
                public boolean isCommitted(String journalId) {
                    if (failed && isCommittedFails) {
                        throw new IllegalStateException("[SQLITE_IOERR] disk I/O error while reading commits");
                    }
                    return delegate.isCommitted(journalId);
                }
            });
        }
    }

    private static final CommitFault THROWS_BEFORE = (delegate, id, upserts, removals, note) -> {
        throw new IOException("[SQLITE_FULL] database or disk is full");
    };

    /** The transaction is durable, but the commit reports an error (an I/O error after the commit record). */
    private static final CommitFault THROWS_AFTER = (delegate, id, upserts, removals, note) -> {
        delegate.commit(id, upserts, removals, note);
        throw new IOException("[SQLITE_IOERR] disk I/O error after the commit record");
    };

    /** A KB with one document, "keep", that the group below updates. */
    private static void setUp(TestKb t) {
        assertEquals(Outcome.Status.ADDED, t.add(t.doc("/in/keep.md", "keep", "keep v1")).get(0).status());
    }

    /** An update (its live files are parked as backups) and two new documents. */
    private static List<Prepared> group(TestKb t) {
        return List.of(t.doc("/in/keep.md", "keep", "keep v2"), t.doc("/in/a.md", "a", "alpha"),
                t.doc("/in/b.md", "b", "bravo"));
    }

    private static List<Outcome.Status> statuses(List<Outcome> out) {
        return out.stream().map(Outcome::status).toList();
    }

    /**
     * (a) The transaction never ran: the group is rolled back (the update's old files restored,
     * the new ones gone), then retried one document at a time, each of which fails the same way.
     * Every input is reported failed with the registry's cause, and the KB is exactly as before.
     */
    @Test
    void aCommitThatFailsBeforeItsTransactionRollsTheGroupBack() {
        try (TestKb t = TestKb.create(tmp)) {
            setUp(t);
            TestKb.State before = t.state();
            long revisionBefore = t.registry.revision();
            String logBefore = t.read("wiki/log.md");
            FaultyCommit faulty = new FaultyCommit(THROWS_BEFORE, false);

            List<Outcome> out = t.coordinator(faulty.over(t.storage(FileOps.REAL))).commit(t.lock, group(t));

            assertEquals(List.of(Outcome.Status.FAILED, Outcome.Status.FAILED, Outcome.Status.FAILED),
                    statuses(out), out.toString());
            assertEquals(List.of("/in/keep.md", "/in/a.md", "/in/b.md"), out.stream().map(Outcome::input).toList());
            for (Outcome o : out) {
                assertTrue(o.reason().contains("database or disk is full"), o.reason());
            }
            assertEquals(List.of(3, 1, 1, 1), faulty.commits, "the group once, then each document alone");
            assertEquals(before, t.state(), "rows and files exactly as before");
            assertEquals("keep v1", t.read("raw/keep.md"), "the update's backup is back in place");
            assertEquals(logBefore, t.read("wiki/log.md"), "nothing was logged");
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()), "each journal was discarded by its rollback");
            t.closeStaging();
            assertEquals(0, t.recover().rolledBack(), "nothing left for recovery");
            t.assertAtRest();
            t.assertRevisionAgrees(revisionBefore, 0, "four commits refused");
        }
    }

    /**
     * (b) The transaction went through but the commit still threw. The coordinator asks the
     * registry, learns the journal is committed, and carries on past the commit point: undoing
     * now would leave committed rows naming files that were taken away.
     */
    @Test
    void aCommitThatThrowsAfterItsTransactionWentThroughIsNotRolledBack() {
        try (TestKb t = TestKb.create(tmp)) {
            setUp(t);
            long revisionBefore = t.registry.revision();
            FaultyCommit faulty = new FaultyCommit(THROWS_AFTER, false);

            List<Outcome> out = t.coordinator(faulty.over(t.storage(FileOps.REAL))).commit(t.lock, group(t));

            assertEquals(List.of(Outcome.Status.UPDATED, Outcome.Status.ADDED, Outcome.Status.ADDED),
                    statuses(out), out.toString());
            assertEquals(List.of(3), faulty.commits, "committed once, not retried");
            assertEquals(List.of("a", "b", "keep"), t.rows().stream().map(DocumentRow::docName).sorted().toList());
            assertEquals("keep v2", t.read("raw/keep.md"));
            assertEquals("alpha", t.read("raw/a.md"));
            assertTrue(t.read("wiki/sources/b.md").contains("bravo"));
            assertEquals(1, t.logLines("- added [[a]]"));
            assertEquals(1, t.logLines("- updated [[keep]]"));
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()), "finished and discarded in-process");
            assertEquals(List.of(), t.warnings);
            t.closeStaging();
            t.assertAtRest();
            assertEquals(revisionBefore + 1, t.registry.revision(), "one transaction, one revision");
            t.assertRevisionAgrees(revisionBefore, 3, "committed despite the error");
        }
    }

    /**
     * (c) The commit threw and the registry cannot say whether it went through: nothing is undone
     * (undoing a commit that happened loses documents; keeping one that did not is repaired by
     * recovery), the batch stops with exit 3's kind, and the journal stays. The next command's
     * recovery, with a registry that answers, decides from it: finished when the transaction went
     * through, rolled back when it did not.
     */
    @ParameterizedTest(name = "transaction went through: {0}")
    @ValueSource(booleans = {true, false})
    void aCommitWhoseOutcomeCannotBeToldStopsTheBatchAndLeavesTheJournalToRecovery(boolean wentThrough) {
        try (TestKb t = TestKb.create(tmp)) {
            setUp(t);
            TestKb.State before = t.state();
            long revisionBefore = t.registry.revision();
            FaultyCommit faulty = new FaultyCommit(wentThrough ? THROWS_AFTER : THROWS_BEFORE, true);
            List<Prepared> group = group(t);

            KbException e = assertThrows(KbException.class,
                    () -> t.coordinator(faulty.over(t.storage(FileOps.REAL))).commit(t.lock, group));

            assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
            assertTrue(e.getMessage().contains("could not say whether journal"), e.getMessage());
            assertTrue(e.getMessage().contains("kb recover"), e.getMessage());
            assertEquals(List.of(3), faulty.commits, "no retry after an unknown outcome");
            List<String> journals = TestKb.list(t.kb.journalDir());
            assertEquals(1, journals.size(), "the journal stays for recovery");
            assertEquals("keep v2", t.read("raw/keep.md"), "and nothing was undone in-process");
            assertTrue(Files.isRegularFile(t.file("raw/a.md")));
            assertEquals(wentThrough, t.registry.isCommitted(journals.get(0).replaceFirst("\\.json$", "")));

            t.closeStaging(); // the process ends
            Recovery.Report r = t.recover();
            if (wentThrough) {
                assertEquals(1, r.finished());
                assertEquals(0, r.rolledBack());
                assertEquals(List.of("a", "b", "keep"), t.rows().stream().map(DocumentRow::docName).sorted().toList());
                assertEquals("keep v2", t.read("raw/keep.md"));
                assertEquals(1, t.logLines("- added [[b]]"), "recovery wrote the missing log block");
            } else {
                assertEquals(0, r.finished());
                assertEquals(1, r.rolledBack());
                assertEquals(before, t.state());
                assertEquals(0, t.logLines("- added [[a]]"));
            }
            assertFalse(t.registry.isCommitted(journals.get(0).replaceFirst("\\.json$", "")), "the id is forgotten");
            t.assertAtRest();
            assertEquals(revisionBefore + (wentThrough ? 1 : 0), t.registry.revision());
            // the batch stopped before its post-commit refresh: the next status rebuilds the summary
            assertEquals(revisionBefore, SummaryFile.read(t.kb.summaryFile()).summary().orElseThrow().revision());
        }
    }

    /**
     * (d) A group whose commit fails as a whole (a row the group cannot hold together, say) is
     * retried one document at a time, and each commits on its own, under the names the group
     * would have given.
     */
    @Test
    void aGroupWhoseCommitFailsIsRetriedOneDocumentAtATime() {
        try (TestKb t = TestKb.create(tmp)) {
            CommitFault onlySingles = (delegate, id, upserts, removals, note) -> {
                if (upserts.size() > 1) {
                    throw new IOException("[SQLITE_CONSTRAINT] the group cannot be committed together");
                }
                delegate.commit(id, upserts, removals, note);
            };
            FaultyCommit faulty = new FaultyCommit(onlySingles, false);

            List<Prepared> group = List.of(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"),
                    t.doc("/in/c.md", "c", "charlie"));

            List<Outcome> out = t.coordinator(faulty.over(t.storage(FileOps.REAL))).commit(t.lock, group);

            assertEquals(List.of(Outcome.Status.ADDED, Outcome.Status.ADDED, Outcome.Status.ADDED), statuses(out),
                    out.toString());
            assertEquals(List.of("a", "b", "c"), out.stream().map(Outcome::doc).toList());
            assertEquals(List.of(3, 1, 1, 1), faulty.commits);
            assertEquals(List.of("a", "b", "c"), t.rows().stream().map(DocumentRow::docName).toList());
            assertEquals("charlie", t.read("raw/c.md"));
            assertEquals(3, t.read("wiki/log.md").lines().filter(l -> l.startsWith("## ")).count(),
                    "three journals, one block each: " + t.read("wiki/log.md"));
            assertEquals(List.of(), t.warnings);
            t.closeStaging();
            t.assertAtRest();
            assertEquals(3, t.registry.revision(), "three commits; the group's refused one used no revision");
            t.assertRevisionAgrees(0, 3, "retried one at a time");
        }
    }
}
