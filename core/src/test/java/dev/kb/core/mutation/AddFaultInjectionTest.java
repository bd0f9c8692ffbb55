package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kb.core.KbException;
import dev.kb.core.fs.FailingFileOps;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash-safety loop: for every N, fail the N-th file operation of a whole add, then run
 * recovery with real file operations, and require the KB to be exactly as before the add or
 * exactly as after it, and at rest. The loop ends at the first N the add never reaches. A second
 * loop kills the process at every step of the in-process rollback that a failure in publish
 * starts, so a rollback cut short is resumed by recovery from every point.
 */
class AddFaultInjectionTest {

    /** The KB before the add, and the add itself. */
    enum Scenario {
        /** Three new documents in one group, beside one that is already there. */
        GROUP_OF_NEW(t -> t.add(t.doc("/in/old.md", "old", "old body")),
                t -> List.of(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"),
                        t.doc("/in/c.md", "c", "charlie"))),
        /** Same source path, new content: the live files are parked as backups and restored on undo. */
        UPDATE(t -> t.add(t.doc("/in/a.md", "a", "alpha v1"), t.doc("/in/b.md", "b", "bravo")),
                t -> List.of(t.doc("/in/a.md", "a", "alpha v2"))),
        /** An update and a new document in one group (the group retry must keep the update's staged files). */
        UPDATE_AND_NEW(t -> t.add(t.doc("/in/a.md", "a", "alpha v1")),
                t -> List.of(t.doc("/in/a.md", "a", "alpha v2"), t.doc("/in/d.md", "d", "delta"))),
        /** An update whose raw file changes extension: the old raw file is retired with a backup. */
        UPDATE_NEW_EXTENSION(t -> t.add(t.doc("/in/a.md", "a", "alpha v1", "md")),
                t -> List.of(t.doc("/in/a.md", "a", "alpha v2", "txt")));

        final Consumer<TestKb> setUp;
        final Function<TestKb, List<Prepared>> docs;

        Scenario(Consumer<TestKb> setUp, Function<TestKb, List<Prepared>> docs) {
            this.setUp = setUp;
            this.docs = docs;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            for (FailingFileOps.Mode m : FailingFileOps.Mode.values()) {
                out.add(Arguments.of(s, m));
            }
        }
        return out.stream();
    }

    @TempDir
    Path tmp;

    /** The KB after the add with nothing failing, and the log line each added document gets. */
    private record Reference(TestKb.State after, List<String> logLines) {
    }

    private Reference reference(Scenario scenario) {
        List<String> logLines = new ArrayList<>();
        try (TestKb ref = TestKb.create(tmp.resolve("reference"))) {
            scenario.setUp.accept(ref);
            List<Outcome> outs = ref.coordinator(FileOps.REAL).commit(ref.lock, scenario.docs.apply(ref));
            for (Outcome o : outs) {
                assertTrue(o.status() == Outcome.Status.ADDED || o.status() == Outcome.Status.UPDATED, o.toString());
                logLines.add("- " + o.status().word() + " [[" + o.doc() + "]]");
            }
            ref.closeStaging();
            ref.recover();
            ref.assertAtRest();
            return new Reference(ref.state(), List.copyOf(logLines));
        }
    }

    @ParameterizedTest(name = "{0}, fail {1}")
    @MethodSource("cases")
    void everyFailurePointLeavesBeforeOrAfter(Scenario scenario, FailingFileOps.Mode mode) {
        Reference ref = reference(scenario);

        int n = 1;
        boolean reached = true;
        for (; reached; n++) {
            if (n > 500) {
                fail("the add never completed without reaching the failure point");
            }
            try (TestKb t = TestKb.create(tmp.resolve(mode + "-" + n))) {
                scenario.setUp.accept(t);
                TestKb.State before = t.state();
                long revisionBefore = t.registry.revision();
                List<Long> logBefore = ref.logLines().stream().map(t::logLines).toList();
                List<Prepared> docs = scenario.docs.apply(t);

                FailingFileOps ops = new FailingFileOps(FileOps.REAL, n, mode);
                List<Outcome> outcomes = null;
                KbException thrown = null;
                try {
                    outcomes = t.coordinator(ops).commit(t.lock, docs);
                } catch (KbException e) {
                    thrown = e;
                }
                reached = ops.reached();
                String where = "N=" + n + " " + ops.log() + " outcomes=" + outcomes + " thrown=" + thrown;

                boolean isBefore = recoverAndCheck(t, revisionBefore, docs.size(), before, logBefore, ref, outcomes,
                        thrown, where);
                if (thrown != null) {
                    assertTrue(mode == FailingFileOps.Mode.FROM_N_ON, "only a failed rollback may throw: " + where);
                }
                if (mode == FailingFileOps.Mode.FROM_N_ON && isBefore && reached) {
                    // the undo ran on failing operations: the add must have said the KB needs recovery
                    assertTrue(thrown != null || outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED),
                            where);
                }
            }
        }
        assertTrue(n > 10, "the loop must have covered the whole protocol, ended at N=" + n);
    }

    /**
     * A crash part-way through an in-process rollback: for every operation N of publish, fail it
     * (which starts the rollback), then kill the process at the M-th operation of that rollback
     * (every later operation fails, the way nothing happens after a kill), for every M up to just
     * past the rollback's end. Recovery with real file operations must then leave the KB as before
     * the add, at rest: the rollback must be resumable from any point.
     *
     * <p>Each N fails {@link FailingFileOps.Mode#AFTER} its work, starting at the journal's write:
     * the rollback reads what to undo from the disk, so failing call N before its work would start
     * the same rollback from the same disk as failing call N-1 after it.
     */
    @ParameterizedTest(name = "{0}, then a crash in the rollback")
    @EnumSource(Scenario.class)
    void aCrashAtEveryStepOfTheRollbackLeavesBefore(Scenario scenario) {
        FailingFileOps.Mode first = FailingFileOps.Mode.AFTER;
        Reference ref = reference(scenario);
        List<String> clean = run(scenario, "clean", new FailingFileOps(FileOps.REAL, Integer.MAX_VALUE, first)).log();
        // the journal's write, then publish: up to the journal's rewrite as committed
        List<Integer> journalWrites = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            if (clean.get(i).contains(" writeAtomically ") && clean.get(i).contains(JOURNAL_DIR)) {
                journalWrites.add(i + 1);
            }
        }
        assertTrue(journalWrites.size() >= 2, "journal written and marked: " + clean);
        int publishFrom = journalWrites.get(0);
        int publishTo = journalWrites.get(1) - 1;
        assertTrue(publishTo - publishFrom >= 3, "publish makes several calls: " + clean);

        int runs = 0;
        for (int n = publishFrom; n <= publishTo; n++) {
            // where this rollback ends: the journal's deletion, forced (nothing else forces .kb/journal)
            List<String> undo = run(scenario, first + "-" + n + "-probe", new FailingFileOps(FileOps.REAL, n, first)).log();
            int end = -1;
            for (int i = n; i < undo.size() && end < 0; i++) {
                if (undo.get(i).contains(" fsyncDirectory ") && undo.get(i).endsWith(JOURNAL_DIR)) {
                    end = i + 1;
                }
            }
            assertTrue(end > n, "the rollback started at N=" + n + " ends by discarding its journal: " + undo);

            for (int crashAt = n + 1; crashAt <= end + 1; crashAt++) {
                FailingFileOps ops = new FailingFileOps(FileOps.REAL, n, first, crashAt);
                try (TestKb t = TestKb.create(tmp.resolve(first + "-" + n + "-" + crashAt))) {
                    scenario.setUp.accept(t);
                    TestKb.State before = t.state();
                    long revisionBefore = t.registry.revision();
                    List<Long> logBefore = ref.logLines().stream().map(t::logLines).toList();
                    List<Prepared> docs = scenario.docs.apply(t);
                    List<Outcome> outcomes = null;
                    KbException thrown = null;
                    try {
                        outcomes = t.coordinator(ops).commit(t.lock, docs);
                    } catch (KbException e) {
                        thrown = e;
                    }
                    String where = "publish fails at N=" + n + ", crash at " + crashAt + " " + ops.log()
                            + " outcomes=" + outcomes + " thrown=" + thrown;
                    if (crashAt <= end) {
                        assertTrue(ops.crashed(), "the crash point was reached: " + where);
                    }

                    boolean isBefore = recoverAndCheck(t, revisionBefore, docs.size(), before, logBefore, ref, outcomes,
                        thrown, where);
                    assertTrue(isBefore, "nothing was committed, so recovery must finish the undo: " + where);
                    if (crashAt <= end) {
                        assertTrue(thrown != null, "an undo cut short must say the KB needs recovery: " + where);
                    } // one past the end: the undo finished; a group's one-by-one retry may still crash
                    runs++;
                }
            }
        }
        assertTrue(runs > 10, "crashes at every step of every rollback, got " + runs);
    }

    /** How the journal folder's path ends in the call log. */
    private static final String JOURNAL_DIR = java.io.File.separator + Path.of(".kb", "journal");

    /** Runs the add on a fresh KB with {@code ops}, for its log of calls. */
    private FailingFileOps run(Scenario scenario, String name, FailingFileOps ops) {
        try (TestKb t = TestKb.create(tmp.resolve(name))) {
            scenario.setUp.accept(t);
            List<Prepared> docs = scenario.docs.apply(t);
            try {
                t.coordinator(ops).commit(t.lock, docs);
            } catch (KbException e) {
                // the log is what we want
            }
            return ops;
        }
    }

    /**
     * What a writer does next after the add (its staging area goes away, the next one recovers),
     * then the checks every failure must pass: exactly before or after, at rest, nothing
     * quarantined, outcomes that agree with the KB, each log line once, every row in the index.
     *
     * @return whether the KB is as before the add
     */
    private static boolean recoverAndCheck(TestKb t, long revisionBefore, int documents, TestKb.State before,
                                           List<Long> logBefore, Reference ref,
                                           List<Outcome> outcomes, KbException thrown, String where) {
        t.closeStaging();
        t.recover();
        TestKb.State now = t.state();
        boolean isBefore = now.equals(before);
        boolean isAfter = now.equals(ref.after());
        if (!isBefore && !isAfter) {
            fail("neither before nor after the add at " + where + "\nbefore: " + before
                    + "\nafter:  " + ref.after() + "\nnow:    " + now);
        }
        t.assertAtRest();
        // the revision moved once per committed group, never for the rolled-back one, whatever failed
        t.assertRevisionAgrees(revisionBefore, isAfter ? documents : 0, where);
        assertEquals(List.of(), TestKb.list(t.kb.quarantineDir()),
                "a crash of a normal add leaves nothing to quarantine: " + where);

        // what the add reported must agree with what the KB holds
        if (thrown != null) {
            assertEquals(KbException.Kind.KB_UNUSABLE, thrown.kind(), where);
            assertTrue(isBefore, "a failed commit must roll back: " + where);
        } else {
            boolean allDone = outcomes.stream().allMatch(o -> o.status() != Outcome.Status.FAILED);
            boolean allFailed = outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED);
            assertTrue(allDone ? isAfter : allFailed && isBefore, "outcomes disagree with the KB: " + where);
        }

        // the log has each committed document's line exactly once, the index lists every row
        List<String> lines = ref.logLines();
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(logBefore.get(i) + (isAfter ? 1 : 0), t.logLines(lines.get(i)),
                    "wiki/log.md line '" + lines.get(i) + "' at " + where);
        }
        String index = t.read("wiki/index.md");
        t.rows().forEach(r -> assertTrue(index.contains("[[" + r.docName() + "]]"),
                "wiki/index.md lacks " + r.docName() + " at " + where));
        return isBefore;
    }
}
