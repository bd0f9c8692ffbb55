package dev.kb.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kb.core.KbException;
import dev.kb.core.fs.FailingFileOps;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash-safety loop: for every N, fail the N-th file operation of a whole add, then run
 * recovery with real file operations, and require the KB to be exactly as before the add or
 * exactly as after it, and at rest. The loop ends at the first N the add never reaches.
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

    @ParameterizedTest(name = "{0}, fail {1}")
    @MethodSource("cases")
    void everyFailurePointLeavesBeforeOrAfter(Scenario scenario, FailingFileOps.Mode mode) {
        // the reference: the same add with nothing failing
        TestKb.State expectedAfter;
        List<String> logLinesAfter = new ArrayList<>();
        try (TestKb ref = TestKb.create(tmp.resolve("reference"))) {
            scenario.setUp.accept(ref);
            List<Outcome> outs = ref.coordinator(FileOps.REAL).commit(ref.lock, scenario.docs.apply(ref));
            for (Outcome o : outs) {
                assertTrue(o.status() == Outcome.Status.ADDED || o.status() == Outcome.Status.UPDATED, o.toString());
                logLinesAfter.add("- " + o.status().word() + " [[" + o.doc() + "]]");
            }
            ref.closeStaging();
            ref.recover();
            ref.assertAtRest();
            expectedAfter = ref.state();
        }

        int n = 1;
        boolean reached = true;
        for (; reached; n++) {
            if (n > 500) {
                fail("the add never completed without reaching the failure point");
            }
            try (TestKb t = TestKb.create(tmp.resolve(mode + "-" + n))) {
                scenario.setUp.accept(t);
                TestKb.State before = t.state();
                List<Long> logBefore = logLinesAfter.stream().map(t::logLines).toList();
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

                // what a writer does next: its staging area goes away, the next one recovers
                t.closeStaging();
                t.recover();
                TestKb.State now = t.state();
                boolean isBefore = now.equals(before);
                boolean isAfter = now.equals(expectedAfter);
                if (!isBefore && !isAfter) {
                    fail("neither before nor after the add at " + where + "\nbefore: " + before
                            + "\nafter:  " + expectedAfter + "\nnow:    " + now);
                }
                t.assertAtRest();
                assertEquals(List.of(), TestKb.list(t.kb.quarantineDir()),
                        "a crash of a normal add leaves nothing to quarantine: " + where);

                // what the add reported must agree with what the KB holds
                if (thrown != null) {
                    assertEquals(KbException.Kind.KB_UNUSABLE, thrown.kind(), where);
                    assertTrue(mode == FailingFileOps.Mode.FROM_N_ON, "only a failed rollback may throw: " + where);
                    assertTrue(isBefore, "a failed commit must roll back: " + where);
                } else {
                    boolean allDone = outcomes.stream().allMatch(o -> o.status() != Outcome.Status.FAILED);
                    boolean allFailed = outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED);
                    assertTrue(allDone ? isAfter : allFailed && isBefore, "outcomes disagree with the KB: " + where);
                }
                if (mode == FailingFileOps.Mode.FROM_N_ON && isBefore && reached) {
                    // the undo ran on failing operations: the add must have said the KB needs recovery
                    assertTrue(thrown != null || outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED),
                            where);
                }

                // the log has each committed document's line exactly once, the index lists every row
                for (int i = 0; i < logLinesAfter.size(); i++) {
                    assertEquals(logBefore.get(i) + (isAfter ? 1 : 0), t.logLines(logLinesAfter.get(i)),
                            "wiki/log.md line '" + logLinesAfter.get(i) + "' at " + where);
                }
                String index = t.read("wiki/index.md");
                t.rows().forEach(r -> assertTrue(index.contains("[[" + r.docName() + "]]"),
                        "wiki/index.md lacks " + r.docName() + " at " + where));
            }
        }
        assertTrue(n > 10, "the loop must have covered the whole protocol, ended at N=" + n);
    }
}
