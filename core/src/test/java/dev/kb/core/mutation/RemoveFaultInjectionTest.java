package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kb.core.KbException;
import dev.kb.core.fs.FailingFileOps;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash-safety loops of {@link AddFaultInjectionTest}, for removes: for every N, fail the N-th
 * file operation of a whole remove (in each of the three ways), then run recovery with real file
 * operations, and require the KB to be exactly as before the remove or exactly as after it, and
 * at rest, with the log holding each document's line once or not at all. The loop ends at the
 * first N the remove never reaches. A second loop kills the process at every step of the
 * in-process rollback that a failure in publish starts: a retired file that was parked must always
 * come back.
 */
class RemoveFaultInjectionTest {

    /** The KB before the mutation, the group, and what the mutation must and must not touch. */
    enum Scenario {
        /** Two of three documents in one group; the third is never touched. */
        REMOVE_TWO_OF_THREE(
                t -> t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"),
                        t.doc("/in/c.md", "c", "charlie")),
                t -> List.of(target("a"), target("b")),
                List.of("raw/a.md", "wiki/sources/a.md", "raw/b.md", "wiki/sources/b.md"),
                List.of("raw/c.md", "wiki/sources/c.md")),
        /** A remove and an add in one journal and one registry transaction. */
        REMOVE_AND_ADD(
                t -> t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo")),
                t -> List.of(target("a"), t.doc("/in/d.md", "d", "delta")),
                List.of("raw/a.md", "wiki/sources/a.md"),
                List.of("raw/b.md", "wiki/sources/b.md")),
        /**
         * A cloud document (no raw file) with its tree artifact and a folder of artifacts made by
         * hand, beside a document whose name extends it with a dot: {@code x.v2}'s page, tree and
         * folder all start with "x." and must not be taken for x's.
         */
        REMOVE_CLOUD_BESIDE_DOTTED_NAME(
                t -> {
                    t.add(t.cloudDoc("doc-x", "x", "ex"), t.cloudDoc("doc-x2", "x.v2", "ex, version two"));
                    write(t, "wiki/sources/x/notes.md", "notes on x");
                    write(t, "wiki/sources/x.v2/notes.md", "notes on x.v2");
                },
                t -> List.of(target("x")),
                List.of("wiki/sources/x.md", "wiki/sources/x.tree.json", "wiki/sources/x"),
                List.of("wiki/sources/x.v2.md", "wiki/sources/x.v2.tree.json", "wiki/sources/x.v2/notes.md"));

        final Consumer<TestKb> setUp;
        final Function<TestKb, List<Object>> group;
        /** Paths (files or folders) there before and gone after. */
        final List<String> gone;
        /** Files the mutation must leave exactly as they were. */
        final List<String> untouched;

        Scenario(Consumer<TestKb> setUp, Function<TestKb, List<Object>> group, List<String> gone,
                 List<String> untouched) {
            this.setUp = setUp;
            this.group = group;
            this.gone = gone;
            this.untouched = untouched;
        }
    }

    private static RemovePlanner.Target target(String nameOrSource) {
        return RemovePlanner.Target.of(nameOrSource, Path.of("/"));
    }

    private static void write(TestKb t, String relative, String content) {
        try {
            Files.createDirectories(t.file(relative).getParent());
            Files.writeString(t.file(relative), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** The KB after the mutation with nothing failing, and the log line each document gets. */
    private record Reference(TestKb.State after, List<String> logLines) {
    }

    private Reference reference(Scenario scenario) {
        List<String> logLines = new ArrayList<>();
        try (TestKb ref = TestKb.create(tmp.resolve("reference"))) {
            scenario.setUp.accept(ref);
            TestKb.State before = ref.state();
            for (String p : scenario.gone) {
                assertTrue(exists(ref, p), "the scenario's " + p + " is there before");
            }
            List<Outcome> outs = commit(ref, FileOps.REAL, scenario.group.apply(ref));
            for (Outcome o : outs) {
                assertTrue(o.status() == Outcome.Status.REMOVED || o.status() == Outcome.Status.ADDED, o.toString());
                logLines.add(logLine(o));
            }
            ref.closeStaging();
            ref.recover();
            ref.assertAtRest();
            TestKb.State after = ref.state();
            for (String p : scenario.gone) {
                assertTrue(!exists(ref, p), p + " is gone after the remove");
            }
            for (String p : scenario.untouched) {
                assertNotNull(before.files().get(p), p + " is there before");
                assertEquals(before.files().get(p), after.files().get(p), p + " is left exactly as it was");
            }
            return new Reference(after, List.copyOf(logLines));
        }
    }

    /** The line wiki/log.md gets for one outcome: a removed document is named without a link. */
    private static String logLine(Outcome o) {
        return o.status() == Outcome.Status.REMOVED
                ? "- removed " + o.doc() + " from `"
                : "- " + o.status().word() + " [[" + o.doc() + "]]";
    }

    /** One group committed by a writer session of its own, on {@code ops}, as one {@code kb remove} batch. */
    private static List<Outcome> commit(TestKb t, FileOps ops, List<Object> group) {
        try (WriterSession s = t.session(t.storage(ops))) {
            return s.commit(group, new MixedPlanner(t.kb));
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
                fail("the remove never completed without reaching the failure point");
            }
            try (TestKb t = TestKb.create(tmp.resolve(mode + "-" + n))) {
                scenario.setUp.accept(t);
                TestKb.State before = t.state();
                long revisionBefore = t.registry.revision();
                List<Long> logBefore = ref.logLines().stream().map(t::logLines).toList();
                List<Object> group = scenario.group.apply(t);

                FailingFileOps ops = new FailingFileOps(FileOps.REAL, n, mode);
                List<Outcome> outcomes = null;
                KbException thrown = null;
                try {
                    outcomes = commit(t, ops, group);
                } catch (KbException e) {
                    thrown = e;
                }
                reached = ops.reached();
                String where = "N=" + n + " " + ops.log() + " outcomes=" + outcomes + " thrown=" + thrown;

                boolean isBefore = recoverAndCheck(t, revisionBefore, group.size(), scenario, before, logBefore, ref,
                        outcomes, thrown, where);
                if (thrown != null) {
                    assertTrue(mode == FailingFileOps.Mode.FROM_N_ON, "only a failed rollback may throw: " + where);
                }
                if (mode == FailingFileOps.Mode.FROM_N_ON && isBefore && reached) {
                    // the undo ran on failing operations: the remove must have said so
                    assertTrue(thrown != null || outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED),
                            where);
                }
            }
        }
        assertTrue(n > 10, "the loop must have covered the whole protocol, ended at N=" + n);
    }

    /**
     * A crash part-way through an in-process rollback: for every operation N of publish, fail it
     * (which starts the rollback), then kill the process at the M-th operation of that rollback,
     * for every M up to just past the rollback's end. Recovery with real file operations must then
     * leave the KB as before: every retired file parked in the backups is back where it was.
     *
     * <p>Each N fails {@link FailingFileOps.Mode#AFTER} its work, as in {@link AddFaultInjectionTest}:
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
        assertTrue(clean.subList(publishFrom, publishTo).stream().anyMatch(c -> c.contains(" move ")
                && c.contains(java.io.File.separator + "j-")), "publish parks the retired files: " + clean);

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
                    List<Object> group = scenario.group.apply(t);
                    List<Outcome> outcomes = null;
                    KbException thrown = null;
                    try {
                        outcomes = commit(t, ops, group);
                    } catch (KbException e) {
                        thrown = e;
                    }
                    String where = "publish fails at N=" + n + ", crash at " + crashAt + " " + ops.log()
                            + " outcomes=" + outcomes + " thrown=" + thrown;
                    if (crashAt <= end) {
                        assertTrue(ops.crashed(), "the crash point was reached: " + where);
                    }

                    boolean isBefore = recoverAndCheck(t, revisionBefore, group.size(), scenario, before, logBefore, ref,
                        outcomes, thrown, where);
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

    /** Runs the mutation on a fresh KB with {@code ops}, for its log of calls. */
    private FailingFileOps run(Scenario scenario, String name, FailingFileOps ops) {
        try (TestKb t = TestKb.create(tmp.resolve(name))) {
            scenario.setUp.accept(t);
            List<Object> group = scenario.group.apply(t);
            try {
                commit(t, ops, group);
            } catch (KbException e) {
                // the log is what we want
            }
            return ops;
        }
    }

    /**
     * What a writer does next (its staging area goes away, the next one recovers), then the checks
     * every failure must pass: exactly before or after, at rest, nothing quarantined, the retired
     * paths all there or all gone, outcomes that agree with the KB, each log line once or not at
     * all, and an index that lists exactly the rows.
     *
     * @return whether the KB is as before the mutation
     */
    private static boolean recoverAndCheck(TestKb t, long revisionBefore, int documents, Scenario scenario,
                                           TestKb.State before, List<Long> logBefore,
                                           Reference ref, List<Outcome> outcomes, KbException thrown, String where) {
        t.closeStaging();
        t.recover();
        TestKb.State now = t.state();
        boolean isBefore = now.equals(before);
        boolean isAfter = now.equals(ref.after());
        if (!isBefore && !isAfter) {
            fail("neither before nor after the remove at " + where + "\nbefore: " + before
                    + "\nafter:  " + ref.after() + "\nnow:    " + now);
        }
        t.assertAtRest();
        // the revision moved once per committed group, never for the rolled-back one, whatever failed
        t.assertRevisionAgrees(revisionBefore, isAfter ? documents : 0, where);
        assertEquals(List.of(), TestKb.list(t.kb.quarantineDir()),
                "a crash of a normal remove leaves nothing to quarantine: " + where);
        for (String p : scenario.gone) {
            // the state compares files only: an empty folder left behind would pass it
            assertEquals(isBefore, exists(t, p), p + (isBefore ? " is back" : " is gone") + " at " + where);
        }

        // what the mutation reported must agree with what the KB holds
        if (thrown != null) {
            assertEquals(KbException.Kind.KB_UNUSABLE, thrown.kind(), where);
            assertTrue(isBefore, "a failed commit must roll back: " + where);
        } else {
            boolean allDone = outcomes.stream().allMatch(o -> o.status() != Outcome.Status.FAILED);
            boolean allFailed = outcomes.stream().allMatch(o -> o.status() == Outcome.Status.FAILED);
            assertTrue(allDone ? isAfter : allFailed && isBefore, "outcomes disagree with the KB: " + where);
        }

        // the log has each committed document's line exactly once, the index lists exactly the rows
        List<String> lines = ref.logLines();
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(logBefore.get(i) + (isAfter ? 1 : 0), t.logLines(lines.get(i)),
                    "wiki/log.md line '" + lines.get(i) + "' at " + where);
        }
        Set<String> rows = t.rows().stream().map(r -> r.docName()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(rows, indexed(t), "wiki/index.md at " + where);
        return isBefore;
    }

    /** The names wiki/index.md links to, one per line "- [[name]] ...". */
    static Set<String> indexed(TestKb t) {
        Set<String> names = new TreeSet<>();
        List<String> lines = t.read("wiki/index.md").lines().filter(l -> l.startsWith("- [[")).toList();
        for (String l : lines) {
            names.add(l.substring(4, l.indexOf("]]")));
        }
        assertEquals(names.size(), lines.size(), "each document once in wiki/index.md: " + lines);
        return names;
    }

    private static boolean exists(TestKb t, String relative) {
        return Files.exists(t.file(relative), LinkOption.NOFOLLOW_LINKS);
    }
}
