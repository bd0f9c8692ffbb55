package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kb list}, {@code show} and {@code remove} on a KB of the whole tldr-pages corpus
 * (../shared/corpus/tldr-pages, 7,425 pages, when present; built once for the class). The
 * timings are printed, not asserted: they depend on the machine.
 */
class ListCorpusTest extends E2EBase {
    @TempDir
    static Path shared;
    static Path corpusKb;
    static Path pages;

    @BeforeAll
    static void buildOnce() throws Exception {
        String s = System.getProperty("kb.shared");
        pages = s == null ? null : Path.of(s, "corpus", "tldr-pages").toAbsolutePath().normalize();
        if (pages == null || !Files.isDirectory(pages)) {
            System.out.println("ListCorpusTest skipped: no corpus at " + pages + " (../shared is absent)");
            Assumptions.abort("no corpus at " + pages);
        }
        pages = pages.toRealPath(); // the form kb records its sources in
        Map<String, String> env = Kb.env(Files.createDirectories(shared.resolve("home")));
        corpusKb = shared.resolve("kb");
        Kb.run(shared, env, "init", corpusKb.toString()).expect(0);
        long t0 = System.nanoTime();
        Kb.Result add = Kb.run(shared, env, "--kb", corpusKb.toString(), "add", "--quiet", pages.toString()).expect(0);
        System.out.printf("ListCorpusTest: built the KB in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000,
                add.errLines().get(add.errLines().size() - 1));
    }

    private Kb.Result onCorpus(String... args) {
        List<String> all = new ArrayList<>(List.of("--kb", corpusKb.toString()));
        all.addAll(List.of(args));
        return Kb.run(work, env, all.toArray(String[]::new));
    }

    /** Runs it three times and prints each wall time (JVM start included); returns the last result. */
    private Kb.Result timed(String what, String... args) {
        Kb.Result r = null;
        long[] ms = new long[3];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            r = onCorpus(args).expect(0);
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        System.out.printf("ListCorpusTest: %s: %s ms (wall, JVM start included)%n", what, Arrays.toString(ms));
        return r;
    }

    @Test
    void listsEveryDocumentInNameOrder() throws Exception {
        List<KbState.Row> rows = KbState.assertAtRest(corpusKb);
        int n = rows.size();
        assertTrue(n >= 7400 && n <= 7425, "the corpus KB holds " + n + " documents");

        timed("kb --version (the JVM's start alone, for comparison)", "--version");
        Kb.Result r = timed("kb list of " + n + " documents", "list");
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(n, lines.size());
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            assertEquals(4, f.length, "not 4 tab-separated fields: " + line);
            assertEquals("markdown", f[1], line);
            assertTrue(f[3].startsWith(pages + "/") && f[3].endsWith(".md"), line);
            names.add(f[0]);
        }
        assertEquals(KbState.names(rows), new TreeSet<>(names), "list and registry name different documents");
        for (int i = 1; i < names.size(); i++) {
            assertTrue(Arrays.compareUnsigned(utf8(names.get(i - 1)), utf8(names.get(i))) < 0,
                    "not in name order: " + names.get(i - 1) + " before " + names.get(i));
        }

        Kb.Result json = timed("kb list --json of " + n + " documents", "list", "--json");
        List<JsonNode> objects = json.json();
        assertEquals(names, objects.stream().map(o -> o.get("doc").asText()).toList());
        objects.forEach(o -> assertEquals(ListShowTest.LIST_KEYS, ListShowTest.keys(o), o.toString()));
        assertEquals(n, onCorpus("list", "--type", "markdown").expect(0).out().lines().count());
        assertEquals("", onCorpus("list", "--type", "html").expect(0).out());
    }

    @Test
    void showFindsAPageByItsSource() throws Exception {
        Path tar = pages.resolve("common/tar.md");
        Assumptions.assumeTrue(Files.isRegularFile(tar), "no common/tar.md in this corpus");
        JsonNode shown = onCorpus("show", "--json", tar.toString()).expect(0).json().get(0);
        assertEquals(tar.toRealPath().toString(), shown.get("source_uri").asText());
        assertEquals(KbState.sha256(Files.readAllBytes(tar)), shown.get("sha256").asText());
        assertEquals(shown, onCorpus("show", "--json", shown.get("doc").asText()).expect(0).json().get(0));
    }

    @Test
    void removingAHundredPagesBySourceTakesExactlyThemOutOfListAndIndex() throws Exception {
        KbState.copyTree(corpusKb, kb);
        List<KbState.Row> rows = KbState.rows(kb);
        List<String> sources = new ArrayList<>();
        Set<String> gone = new TreeSet<>();
        for (int i = 0; i < rows.size(); i += rows.size() / 100) {
            sources.add(rows.get(i).sourceUri());
            gone.add(rows.get(i).docName());
        }
        file("gone.txt", String.join("\n", sources) + "\n");
        long t0 = System.nanoTime();
        Kb.Result r = kb("remove", "--quiet", "--json", "--from-file", "gone.txt").expect(0);
        System.out.printf("ListCorpusTest: kb remove of %d pages from %d: %d ms%n", sources.size(), rows.size(),
                (System.nanoTime() - t0) / 1_000_000);
        assertEquals(sources.size(), r.summary().get("removed").asInt());
        Set<String> left = KbState.names(KbState.assertAtRest(kb));
        Set<String> expected = KbState.names(rows);
        expected.removeAll(gone);
        assertEquals(expected, left);
        assertEquals(expected, KbState.indexNames(kb));
        assertEquals(expected.size(), kb("list").expect(0).out().lines().count());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
