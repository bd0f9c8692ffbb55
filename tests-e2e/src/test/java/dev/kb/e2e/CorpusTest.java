package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real documents from ../shared/corpus (when present): tldr pages whose file names repeat across
 * folders, real web pages all named source.html, and a 15-page PDF, in one batch.
 */
class CorpusTest extends E2EBase {

    static Path corpus() {
        String shared = System.getProperty("kb.shared");
        Path c = shared == null ? null : Path.of(shared, "corpus");
        if (c == null || !Files.isDirectory(c.resolve("tldr-pages")) || !Files.isDirectory(c.resolve("html"))) {
            System.out.println("CorpusTest skipped: no corpus at " + c + " (../shared is absent)");
            Assumptions.abort("no corpus at " + c);
        }
        return c;
    }

    @Test
    void realDocumentsWithCollidingNamesComeInOnceEach() throws Exception {
        Path corpus = corpus();
        init();
        List<String> inputs = new ArrayList<>();
        for (String os : List.of("freebsd", "netbsd", "openbsd", "sunos")) {
            inputs.add(corpus.resolve("tldr-pages/" + os).toString());
        }
        for (String page : List.of("aclu", "mozilla-2", "nytimes-2", "wikipedia")) {
            Path p = corpus.resolve("html/" + page + "/source.html");
            if (Files.isRegularFile(p)) {
                inputs.add(p.toString());
            }
        }
        Path pdf = corpus.resolve("pdf/attention-is-all-you-need.pdf");
        if (Files.isRegularFile(pdf)) {
            inputs.add(pdf.toString());
        }
        List<String> args = new ArrayList<>(List.of("add", "--json"));
        args.addAll(inputs);
        Kb.Result r = kb(args.toArray(String[]::new)).expect(0).assertNoStackTrace();

        int added = 0;
        for (JsonNode e : r.events()) {
            String st = e.get("status").asText();
            assertTrue(st.equals("added") || st.equals("skipped") && e.get("reason") != null
                    && e.get("reason").asText().startsWith("same content"), e.toString());
            if (st.equals("added")) {
                added++;
            }
        }
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(added, rows.size());
        assertEquals(added, r.summary().get("added").asInt());
        Set<String> lowerNames = new HashSet<>();
        for (KbState.Row row : rows) {
            assertTrue(lowerNames.add(row.docName().toLowerCase(java.util.Locale.ROOT)), "name twice: " + row.docName());
        }
        // the same name in four folders gives four documents
        assertTrue(rows.stream().filter(x -> x.sourceUri().endsWith("/pkg.md")).count() >= 2, rows.toString());
        if (Files.isRegularFile(pdf)) {
            KbState.Row p = rows.stream().filter(x -> x.sourceUri().endsWith(".pdf")).findFirst().orElseThrow();
            assertTrue(p.rawPath().endsWith(".pdf"), p.toString());
            assertTrue(read(kb.resolve(p.sourcePath())).toLowerCase(java.util.Locale.ROOT).contains("attention"));
        }
        // again: everything is a skip, nothing changes
        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result again = kb(args.toArray(String[]::new)).expect(0);
        assertEquals(0, again.summary().get("added").asInt());
        assertEquals(0, again.summary().get("updated").asInt());
        KbState.assertUnchanged(before, kb);
    }
}
