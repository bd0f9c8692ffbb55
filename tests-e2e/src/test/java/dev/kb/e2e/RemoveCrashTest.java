package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real {@code kb remove} halted (KB_TEST_HALT_AT, exit 86, as abrupt as a kill) at every step
 * of the commit protocol; whatever command comes next must leave each document whole or gone,
 * decided by the commit point alone, and the KB at rest: before it, every file is back byte for
 * byte; after it, the documents, their pages and artifacts are gone and the log says so once.
 */
class RemoveCrashTest extends E2EBase {
    static final int HALTED = 86;

    /** Removed by name, by source path, by name; "keeper" is never named and must survive every case. */
    static final Set<String> REMOVED = Set.of("first", "second", "third");
    static final Set<String> ALL = Set.of("first", "second", "third", "keeper");
    /** Hand-made extra artifacts of "first", a file and a folder: remove retires them with the page. */
    static final String ARTIFACT = "wiki/sources/first.tree.json";
    static final String ARTIFACT_DIR = "wiki/sources/first";

    /** One KB holding the four documents, copied for each case (its paths are relative). */
    @TempDir
    static Path shared;

    static Stream<String> steps() throws Exception {
        return ProtocolSteps.ofJar().stream();
    }

    @BeforeAll
    static void template() throws Exception {
        Path home = Files.createDirectories(shared.resolve("home"));
        Path in = Files.createDirectories(shared.resolve("in"));
        Files.writeString(in.resolve("first.md"), markdown("First", "the first document"));
        Files.writeString(in.resolve("second.txt"), "the second document, plain text\n");
        Files.writeString(in.resolve("third.html"), html("Third Page", "the third document"));
        Files.writeString(in.resolve("keeper.md"), markdown("Keeper", "never removed"));
        Path kb = shared.resolve("kb");
        Map<String, String> env = Kb.env(home);
        Kb.run(shared, env, "init", kb.toString()).expect(0);
        Kb.run(shared, env, "--kb", kb.toString(), "add", "in").expect(0);
        Files.writeString(kb.resolve(ARTIFACT), "{\"title\":\"First\",\"nodes\":[]}\n");
        Files.createDirectories(kb.resolve(ARTIFACT_DIR + "/img"));
        Files.writeString(kb.resolve(ARTIFACT_DIR + "/img/figure-1.txt"), "a figure of the first document\n");
        Files.writeString(kb.resolve(ARTIFACT_DIR + "/notes.txt"), "notes on the first document\n");
        assertEquals(ALL, KbState.names(KbState.assertAtRest(kb)));
    }

    private Map<String, String> before;

    @BeforeEach
    void copy() {
        KbState.copyTree(shared.resolve("kb"), kb);
        before = documentFiles();
    }

    /** What remove touches: every file under raw/ and wiki/sources/ with its hash. */
    private Map<String, String> documentFiles() {
        Map<String, String> files = new TreeMap<>(KbState.snapshotFiles(kb).files());
        files.keySet().removeIf(f -> !f.startsWith("raw/") && !f.startsWith("wiki/sources/"));
        return files;
    }

    private String[] removeArgs(String... opts) {
        String second = shared.resolve("in/second.txt").toString();
        return Stream.concat(Stream.concat(Stream.of("remove"), Stream.of(opts)), Stream.of("first", second, "third"))
                .toArray(String[]::new);
    }

    /** Halts the remove at {@code step}, then checks what kb status sees of the interrupted KB. */
    private void haltAt(String step) {
        Kb.Result r = kbEnv(new String[] {"KB_TEST_HALT_AT", step}, removeArgs("--json"));
        r.expect(HALTED);
        assertTrue(r.json().isEmpty(), step + ": an event before the group was finished: " + r.out());
        assertFalse(r.err().contains("removed "), step + ": reported removed before it was done: " + r.err());

        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), "a dead process is reported as the lock holder: " + st);
        assertEquals(ProtocolSteps.journalOnDisk(step) ? 1 : 0, st.get("pending_journals").asInt(), st.toString());
        assertEquals(ProtocolSteps.beforeCommitPoint(step) ? 4 : 1, st.get("documents").asInt(),
                step + ": the commit point decides what the registry holds: " + st);
    }

    private void assertWholeOrGone(String step) {
        assertWholeOrGone(step, Set.of());
    }

    /**
     * The one outcome allowed after a halt at {@code step} and any next command: all back, or all
     * gone; {@code added} names documents the next command added, which are left out of the comparison.
     */
    private void assertWholeOrGone(String step, Set<String> added) {
        List<KbState.Row> all = KbState.assertAtRest(kb);
        Map<String, String> files = documentFiles();
        for (KbState.Row r : all) {
            if (added.contains(r.docName())) {
                files.remove(r.rawPath());
                files.remove(r.sourcePath());
            }
        }
        List<KbState.Row> rows = all.stream().filter(r -> !added.contains(r.docName())).toList();
        String index = read(kb.resolve("wiki/index.md"));
        String log = read(kb.resolve("wiki/log.md"));
        long blocks = log.lines().filter(l -> l.startsWith("## ") && l.contains(" kb remove · journal ")).count();
        if (ProtocolSteps.beforeCommitPoint(step)) {
            assertEquals(ALL, KbState.names(rows), step + ": a rolled-back remove lost documents");
            assertEquals(before, files, step + ": the rollback did not put every file back byte for byte");
            assertEquals(0, blocks, step + ": an undone remove is in the log:\n" + log);
        } else {
            assertEquals(Set.of("keeper"), KbState.names(rows), step + ": a committed remove was not finished");
            assertFalse(Files.exists(kb.resolve(ARTIFACT)), step + ": the removed document's artifact is left");
            assertFalse(Files.exists(kb.resolve(ARTIFACT_DIR)), step + ": the removed document's folder is left");
            assertEquals(1, blocks, step + ": the remove is logged once:\n" + log);
            for (String n : REMOVED) {
                assertEquals(1, log.lines().filter(l -> l.startsWith("- removed " + n + " from `")).count(),
                        step + ": " + n + " is logged once:\n" + log);
            }
        }
        for (String n : ALL) {
            boolean present = KbState.names(rows).contains(n);
            assertEquals(present ? 1 : 0, index.lines().filter(l -> l.startsWith("- [[" + n + "]]")).count(),
                    step + ": index and registry disagree on " + n + ":\n" + index);
        }
    }

    @ParameterizedTest(name = "remove halted at {0}, then kb recover")
    @MethodSource("steps")
    void recoverAfterAHalt(String step) {
        haltAt(step);
        Kb.Result rec = kb("recover").expect(0).assertNoStackTrace();
        assertFalse(rec.err().isBlank(), "recover says what it did");
        assertWholeOrGone(step);
        JsonNode st = status();
        assertEquals(0, st.get("pending_journals").asInt(), st.toString());
        assertEquals(0, st.get("staging_orphans").asInt(), st.toString());
    }

    @ParameterizedTest(name = "remove halted at {0}, then an unrelated kb add")
    @MethodSource("steps")
    void addAfterAHalt(String step) {
        file("later.md", markdown("Later", "added after the crash"));
        haltAt(step);
        Kb.Result add = kb("add", "--json", "later.md").expect(0).assertNoStackTrace();
        assertEquals("added", add.events().get(0).get("status").asText(), add.err());
        // the add's own document is there too; the rest is as after a recover
        assertTrue(KbState.names(KbState.rows(kb)).contains("later"));
        assertWholeOrGone(step, Set.of("later"));
    }

    @ParameterizedTest(name = "remove halted at {0}, then the same remove again")
    @MethodSource("steps")
    void removeAgainAfterAHalt(String step) {
        haltAt(step);
        boolean undone = ProtocolSteps.beforeCommitPoint(step);
        Kb.Result again = kb(removeArgs("--json")).expect(undone ? 0 : 1).assertNoStackTrace();
        List<JsonNode> events = again.events();
        assertEquals(3, events.size(), again.out());
        for (JsonNode e : events) {
            assertEquals(undone ? "removed" : "failed", e.get("status").asText(), step + ": " + e);
            if (!undone) {
                assertTrue(e.get("error").asText().contains("not in the knowledge base"), e.toString());
            }
        }
        JsonNode s = again.summary();
        assertEquals(undone ? 3 : 0, s.get("removed").asInt(), s.toString());
        assertEquals(undone ? 0 : 3, s.get("failed").asInt(), s.toString());
        // once removed, by whichever command: all three are gone, logged once
        assertEquals(Set.of("keeper"), KbState.names(KbState.assertAtRest(kb)));
        String log = read(kb.resolve("wiki/log.md"));
        assertEquals(1, log.lines().filter(l -> l.contains(" kb remove · journal ")).count(), log);
        assertFalse(Files.exists(kb.resolve(ARTIFACT)));
        assertFalse(Files.exists(kb.resolve(ARTIFACT_DIR)));
    }
}
