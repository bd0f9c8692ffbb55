package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The registry's revision across crashes: a real {@code kb add} halted at every step of the
 * commit protocol (as abrupt as a kill), then {@code kb recover}. Afterwards the revision and the
 * rows agree: one revision per committed group (a history row each), none for the group that was
 * rolled back, the history's counts adding up to the rows, and status serving the summary the
 * registry gives at that revision.
 */
class RevisionCrashTest extends E2EBase {
    static final int HALTED = 86;
    static final List<String> INPUTS = List.of("in/first.md", "in/second.txt", "in/third.md");

    static Stream<String> steps() throws Exception {
        return ProtocolSteps.ofJar().stream();
    }

    /** A KB with one document committed (revision 1), copied for each case. */
    @TempDir
    static Path shared;

    @BeforeAll
    static void template() throws Exception {
        Path home = Files.createDirectories(shared.resolve("home"));
        Path kbDir = shared.resolve("kb");
        Kb.run(shared, Kb.env(home), "init", kbDir.toString()).expect(0);
        Files.writeString(shared.resolve("zero.md"), markdown("Zero", "there before"));
        Kb.run(shared, Kb.env(home), "--kb", kbDir.toString(), "add", "zero.md").expect(0);
    }

    @BeforeEach
    void inputs() {
        KbState.copyTree(shared.resolve("kb"), kb);
        file("in/first.md", markdown("First", "the first input"));
        file("in/second.txt", "the second input, plain text\n");
        file("in/third.md", markdown("Third", "the third input"));
    }

    /** The revision and the rows agree; returns the revision. */
    private long assertRevisionAgreesWithTheRows(String where) {
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        long[] history = RegistrySummary.historyTotals(kb);
        JsonNode expected = RegistrySummary.expected(kb);
        long revision = expected.get("summary_revision").asLong();
        assertEquals(revision, history[0], "one history row per revision: " + where);
        assertEquals(rows.size(), history[1], "the history's adds are the rows (nothing was removed): " + where);
        JsonNode st = status();
        assertFalse(st.get("stale").asBoolean(), where + ": " + st);
        assertEquals(revision, st.get("revision").asLong(), where + ": " + st);
        assertEquals(expected, RegistrySummary.shown(st), where);
        assertEquals(rows.size(), st.get("documents").asInt(), where);
        return revision;
    }

    @ParameterizedTest(name = "halt at {0}, then kb recover")
    @MethodSource("steps")
    void afterAHaltAndRecoveryTheRevisionAndTheRowsAgree(String step) {
        String[] add = Stream.concat(Stream.of("add"), INPUTS.stream()).toArray(String[]::new);
        kbEnv(new String[] {"KB_TEST_HALT_AT", step}, add).expect(HALTED);
        kb("recover").expect(0).assertNoStackTrace();
        long revision = assertRevisionAgreesWithTheRows(step);
        if (ProtocolSteps.beforeCommitPoint(step)) {
            assertEquals(1, revision, step + ": the rolled-back group moved the revision");
        } else {
            assertTrue(revision >= 2, step + ": the committed group has its revision");
        }
        assertTrue(KbState.list(kb.resolve(".kb")).stream().noneMatch(f -> f.endsWith(".kbtmp")),
                step + ": a temporary of the summary is left in .kb/: " + KbState.list(kb.resolve(".kb")));

        // and the next batch counts on from there, once per group
        kb(add).expect(0);
        long after = assertRevisionAgreesWithTheRows(step + ", then kb add");
        assertTrue(after >= revision + (ProtocolSteps.beforeCommitPoint(step) ? 1 : 0), step);
    }

    /**
     * A rebuilt registry starts above every revision of the one it replaces: counting from 0
     * again, it would one day reach the revision of the summary cached from the old rows, and
     * status would serve that summary as current.
     */
    @Test
    void aRebuiltRegistryGetsARevisionAboveTheCachedSummarys() throws Exception {
        kb("add", "in/first.md").expect(0);
        kb("add", "in/second.txt").expect(0);
        assertEquals(3, status().get("revision").asLong());
        for (String f : List.of("registry.db", "registry.db-wal", "registry.db-shm")) {
            Files.deleteIfExists(kb.resolve(".kb").resolve(f));
        }
        kb("recover", "--rebuild-registry").expect(0).assertNoStackTrace();
        JsonNode st = status();
        assertEquals(4, st.get("revision").asLong(), st.toString());
        assertEquals("recover --rebuild-registry", st.get("last_commit").get("command").asText(), st.toString());
        assertEquals(3, st.get("last_commit").get("added").asInt(), st.toString());
        assertEquals(RegistrySummary.expected(kb), RegistrySummary.shown(st));
        assertEquals(3, st.get("documents").asInt());
    }
}
