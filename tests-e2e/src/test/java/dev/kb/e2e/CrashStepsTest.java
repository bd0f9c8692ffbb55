package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real {@code kb add} halted (KB_TEST_HALT_AT, exit 86, as abrupt as a kill) at every step of
 * the commit protocol; the next command must recover to a KB at rest with exactly the expected
 * documents, and an update must come out as the old or the new version, never a mix.
 */
class CrashStepsTest extends E2EBase {
    static final int HALTED = 86;

    /** The steps as the jar under test defines them (Coordinator.STEPS), so a new step is tested too. */
    static Stream<String> steps() throws Exception {
        try (URLClassLoader jar = new URLClassLoader(new URL[] {Kb.jar().toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            @SuppressWarnings("unchecked")
            java.lang.reflect.Field field = jar.loadClass("dev.kb.core.mutation.Coordinator").getDeclaredField("STEPS");
            field.setAccessible(true); // package-private in the jar
            List<String> steps = (List<String>) field.get(null);
            assertTrue(steps.containsAll(List.of("before-journal", "journal-written", "published", "committed",
                    "journal-marked", "hooks-done", "discarded")), "unexpected STEPS " + steps);
            return List.copyOf(steps).stream();
        }
    }

    /** Steps at which the registry transaction has not happened yet: recovery must roll back. */
    static boolean beforeCommitPoint(String step) {
        return Set.of("before-journal", "journal-written", "published").contains(step);
    }

    /** Steps at which a journal file exists on disk. */
    static boolean journalOnDisk(String step) {
        return Set.of("journal-written", "published", "committed", "journal-marked", "hooks-done").contains(step);
    }

    static final Map<String, String> INPUTS = Map.of(
            "in/first.md", markdown("First", "the first input"),
            "in/second.txt", "the second input, plain text\n",
            "in/third.html", html("Third Page", "the third input"));
    static final List<String> ORDER = List.of("in/first.md", "in/second.txt", "in/third.html");
    static final Set<String> NAMES = Set.of("first", "second", "third");

    /** One freshly initialised KB, copied for each case (a KB may be copied: its paths are relative). */
    @TempDir
    static Path shared;

    @BeforeAll
    static void template() throws Exception {
        Kb.run(shared, Kb.env(Files.createDirectories(shared.resolve("home"))), "init", shared.resolve("kb").toString())
                .expect(0);
    }

    @BeforeEach
    void inputs() {
        KbState.copyTree(shared.resolve("kb"), kb);
        INPUTS.forEach(this::file);
    }

    private Kb.Result halted(String step, String... args) {
        Kb.Result r = kbEnv(new String[] {"KB_TEST_HALT_AT", step}, args);
        return r.expect(HALTED);
    }

    private String[] addAll(String... opts) {
        return Stream.concat(Stream.concat(Stream.of("add"), Stream.of(opts)), ORDER.stream()).toArray(String[]::new);
    }

    @ParameterizedTest(name = "halt at {0}, then kb add again")
    @MethodSource("steps")
    void addAgainAfterAHalt(String step) {
        halted(step, addAll());
        // status answers on the interrupted KB without a writer, and sees what was left
        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), "a dead process is reported as the lock holder: " + st);
        assertEquals(journalOnDisk(step) ? 1 : 0, st.get("pending_journals").asInt(), st.toString());

        Kb.Result r = kb(addAll("--json")).expect(0);
        List<JsonNode> events = r.events();
        assertEquals(ORDER, events.stream().map(e -> e.get("input").asText()).toList());
        if (beforeCommitPoint(step)) {
            events.forEach(e -> assertEquals("added", e.get("status").asText(), step + ": " + e));
        } else {
            // the first group (at least the first input) was committed before the halt
            assertEquals("skipped", events.get(0).get("status").asText(), step + ": " + events.get(0));
            events.forEach(e -> assertTrue(Set.of("added", "skipped").contains(e.get("status").asText()),
                    step + ": " + e));
        }
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(NAMES, KbState.names(rows));
        for (KbState.Row row : rows) {
            String input = ORDER.stream().filter(i -> i.contains(row.docName())).findFirst().orElseThrow();
            assertEquals(real(work.resolve(input)), row.sourceUri());
        }
        String index = read(kb.resolve("wiki/index.md"));
        for (String n : NAMES) {
            assertEquals(1, count(index, "[[" + n + "]]"), "index lists " + n + " once:\n" + index);
        }
    }

    @ParameterizedTest(name = "halt at {0}, then kb recover")
    @MethodSource("steps")
    void recoverAfterAHalt(String step) {
        halted(step, addAll());
        Kb.Result rec = kb("recover").expect(0).assertNoStackTrace();
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        if (beforeCommitPoint(step)) {
            assertTrue(rows.isEmpty(), step + ": rolled-back documents remain: " + rows);
        } else {
            assertTrue(KbState.names(rows).contains("first"), step + ": the committed group is lost: " + rows);
            assertTrue(NAMES.containsAll(KbState.names(rows)), rows.toString());
        }
        JsonNode st = status();
        assertEquals(0, st.get("pending_journals").asInt(), st.toString());
        assertEquals(0, st.get("staging_orphans").asInt(), st.toString());
        assertEquals(rows.size(), st.get("documents").asInt());
        assertTrue(st.get("lock").isNull());
        assertFalse(rec.err().isBlank(), "recover says what it did");
    }

    @ParameterizedTest(name = "update halted at {0}")
    @MethodSource("steps")
    void updateHaltedIsOldOrNewNeverAMix(String step) throws Exception {
        String v1 = markdown("Doc version one", "OLD-BODY the original text");
        String v2 = markdown("Doc version two", "NEW-BODY the replacement text, longer than before");
        Path doc = file("doc.md", v1);
        kb("add", "doc.md").expect(0);
        KbState.Row old = KbState.row(kb, "doc");
        Files.writeString(doc, v2);

        halted(step, "add", "doc.md");
        kb("recover").expect(0);
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(Set.of("doc"), KbState.names(rows));
        KbState.Row now = rows.get(0);
        String raw = read(kb.resolve(now.rawPath()));
        String source = read(kb.resolve(now.sourcePath()));
        boolean isNew = now.sha256().equals(KbState.sha256(v2.getBytes()));
        if (isNew) {
            assertEquals(v2, raw);
            assertTrue(source.contains("NEW-BODY") && !source.contains("OLD-BODY"), source);
        } else {
            assertEquals(old.sha256(), now.sha256());
            assertEquals(v1, raw);
            assertTrue(source.contains("OLD-BODY") && !source.contains("NEW-BODY"), source);
        }
        assertEquals(!beforeCommitPoint(step), isNew, step + ": the commit point decides old or new");
        assertEquals(old.sourceUri(), now.sourceUri());

        // the next add finishes the job: the new version under the same name
        Kb.Result r = kb("add", "--json", "doc.md").expect(0);
        assertEquals(isNew ? "skipped" : "updated", r.events().get(0).get("status").asText());
        KbState.Row last = KbState.assertAtRest(kb).get(0);
        assertEquals("doc", last.docName());
        assertEquals(KbState.sha256(v2.getBytes()), last.sha256());
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
