package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The C locale (cron, containers, ssh without LANG): Java then names files in ASCII. The launcher
 * runs kb under C.UTF-8 there; the bare jar fails such names alone and says what to do.
 */
class LocaleTest extends E2EBase {

    /** The environment of a cron job: no LANG, LC_ALL=C. */
    private Map<String, String> cLocale() {
        Map<String, String> env = Kb.env(home, "LC_ALL", "C");
        env.remove("LANG");
        env.remove("LC_CTYPE");
        return env;
    }

    private void needUtf8Names() {
        try {
            file("café.md", markdown("Café", "un café, s'il vous plaît"));
        } catch (InvalidPathException e) {
            Assumptions.abort("this test JVM cannot name non-ASCII files (its locale is not UTF-8)");
        }
    }

    @Test
    void theLauncherAddsNonAsciiNamesInTheCLocale() {
        init();
        needUtf8Names();
        file("plain.md", markdown("Plain", "ascii only"));
        Path launcher = Kb.jar().getParent().getParent().resolve("kb");
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString(), "--kb", kb.toString(), "add", "--json",
                "café.md", "plain.md"));
        Kb.Result r = Kb.startRaw(cmd, work, cLocale()).await().expect(0).assertNoStackTrace();
        assertEquals(List.of("added", "added"), r.events().stream().map(e -> e.get("status").asText()).toList());
        assertEquals(Set.of("café", "plain"), KbState.names(KbState.assertAtRest(kb)));
    }

    /**
     * A journal naming café, left by a writer that died, read in the C locale: it is sound, so it
     * must not be quarantined (that would leave its published files behind for good).
     */
    @Test
    void aPendingJournalOfANonAsciiNameWaitsForAUtf8Locale() {
        init();
        needUtf8Names();
        kbEnv(new String[] {"KB_TEST_HALT_AT", "published"}, "add", "café.md").expect(86);
        Map<String, String> halted = documentFiles();

        Kb.run(work, cLocale(), "--kb", kb.toString(), "recover").expect(2).oneErrorLine("LC_ALL=C.UTF-8");
        assertEquals(halted, documentFiles(), "the journal, its staging and what it published stay as they were");

        kb("recover").expect(0);
        assertEquals(Set.of(), KbState.names(KbState.assertAtRest(kb)), "the halted add is rolled back");
        kb("add", "café.md").expect(0);
        assertEquals(Set.of("café"), KbState.names(KbState.assertAtRest(kb)));
    }

    /** The files that carry documents and mutations: not the lock's holder text nor SQLite's WAL housekeeping. */
    private Map<String, String> documentFiles() {
        Map<String, String> files = new java.util.TreeMap<>(KbState.snapshotFiles(kb).files());
        files.keySet().removeIf(f -> f.equals(".kb/ingest.lock") || f.startsWith(".kb/registry.db-"));
        return files;
    }

    @Test
    void theBareJarInTheCLocaleFailsTheNameItCannotUseAndSaysWhatToDo() {
        init();
        needUtf8Names();
        file("plain.md", markdown("Plain", "ascii only"));
        Kb.Result r = Kb.run(work, cLocale(), "--kb", kb.toString(), "add", "--json", "café.md", "plain.md")
                .expect(1).assertNoStackTrace();
        assertEquals(List.of("failed", "added"), r.events().stream().map(e -> e.get("status").asText()).toList());
        assertTrue(r.events().get(0).get("error").asText().contains("LC_ALL=C.UTF-8"), r.events().toString());
        assertEquals(Set.of("plain"), KbState.names(KbState.assertAtRest(kb)));
    }
}
