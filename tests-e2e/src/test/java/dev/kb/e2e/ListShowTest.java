package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code kb list} and {@code kb show} on an empty and a small KB: the human lines, the --json
 * objects key for key against the registry and the input files, --type, show's files (a
 * hand-made artifact included), and that neither waits for a writer.
 */
class ListShowTest extends E2EBase {
    static final Set<String> LIST_KEYS = Set.of("doc", "type", "title", "source_uri", "sha256", "size", "added_at",
            "updated_at");
    static final String NOT_FOUND = "not in the knowledge base (no document of that name or source)";

    private final Map<String, Path> inputs = new HashMap<>();
    /** alpha's list object before its update. */
    private JsonNode alphaBefore;

    @Test
    void anEmptyKbListsNothingAndShowsNothing() {
        init();
        for (String[] args : List.of(new String[] {"list"}, new String[] {"list", "--json"},
                new String[] {"list", "--type", "pdf"})) {
            Kb.Result r = kb(args).expect(0);
            assertEquals("", r.out(), String.join(" ", args));
            assertEquals("", r.err(), String.join(" ", args));
        }
        Kb.Result show = kb("show", "alpha").expect(1).oneErrorLine();
        assertEquals("kb: alpha: " + NOT_FOUND, show.errLines().get(0));
        assertEquals("", show.out());
        Kb.Result json = kb("show", "--json", "alpha").expect(1).oneErrorLine("alpha", NOT_FOUND);
        assertEquals("alpha: " + NOT_FOUND, json.errorObject().errorMessage());
        KbState.assertAtRest(kb);
    }

    /** alpha (markdown, then updated), beta (text), gamma (html), report (pdf), and an artifact of alpha. */
    private void small() throws Exception {
        init();
        inputs.put("alpha", file("in/alpha.md", markdown("Alpha", "first version")));
        inputs.put("beta", file("in/beta.txt", "beta is plain text\n"));
        inputs.put("gamma", file("in/gamma.html", html("Gamma Page", "an html page")));
        inputs.put("report", file("in/report.pdf", UrlTest.minimalPdf("Quarterly figures in a tiny PDF")));
        kb("add", "in").expect(0);
        alphaBefore = kb("list", "--json", "--type", "markdown").expect(0).json().get(0);
        Files.writeString(inputs.get("alpha"), markdown("Alpha", "second version, which is longer than the first"));
        Kb.Result update = kb("add", "--json", "in/alpha.md").expect(0);
        assertEquals("updated", update.events().get(0).get("status").asText());
        Files.writeString(kb.resolve("wiki/sources/alpha.tree.json"), "{\"nodes\":[\"hand-made\"]}\n");
        KbState.assertAtRest(kb);
    }

    @Test
    void aNameTypedDecomposedFindsTheDocumentItSpells() throws Exception {
        init();
        String nfd = "cafe\u0301"; // "café" as a macOS terminal types it
        String nfc = "caf\u00e9";
        Path file = file("in/" + nfc + ".md", markdown("Menu", "coffee"));
        kb("add", file.toString()).expect(0);
        assertEquals(nfc, kb("list", "--json").expect(0).json().get(0).get("doc").asText(), "names are made in NFC");
        for (String typed : List.of(nfc, nfd)) {
            JsonNode shown = kb("show", "--json", typed).expect(0).json().get(0);
            assertEquals(nfc, shown.get("doc").asText(), typed);
        }
        Kb.Result removed = kb("remove", "--json", nfd).expect(0);
        assertEquals("removed", removed.events().get(0).get("status").asText(), removed.out());
        assertEquals(List.of(), KbState.assertAtRest(kb));
    }

    @Test
    void listJsonHasEveryKeyOfTheContractMatchingTheRegistryAndTheFiles() throws Exception {
        small();
        Kb.Result r = kb("list", "--json").expect(0);
        assertEquals("", r.err());
        List<JsonNode> objects = r.json();
        assertEquals(r.out().lines().count(), objects.size(), "one object per line");
        assertEquals(List.of("alpha", "beta", "gamma", "report"),
                objects.stream().map(o -> o.get("doc").asText()).toList());
        Map<String, String> types = Map.of("alpha", "markdown", "beta", "text", "gamma", "html", "report", "pdf");
        for (JsonNode o : objects) {
            String name = o.get("doc").asText();
            assertEquals(LIST_KEYS, keys(o), o.toString());
            KbState.Row row = KbState.row(kb, name);
            Path input = inputs.get(name);
            byte[] bytes = Files.readAllBytes(input);
            assertEquals(types.get(name), o.get("type").asText(), o.toString());
            assertTrue(o.get("title").isTextual() && !o.get("title").asText().isBlank(), o.toString());
            assertEquals(input.toRealPath().toString(), o.get("source_uri").asText());
            assertEquals(row.sourceUri(), o.get("source_uri").asText());
            assertEquals(KbState.sha256(bytes), o.get("sha256").asText());
            assertEquals(row.sha256(), o.get("sha256").asText());
            assertTrue(o.get("size").isIntegralNumber(), o.toString());
            assertEquals(bytes.length, o.get("size").asLong(), o.toString());
            Instant added = Instant.parse(o.get("added_at").asText());
            Instant updated = Instant.parse(o.get("updated_at").asText());
            assertTrue(!updated.isBefore(added), "updated before it was added: " + o);
            if (name.equals("alpha")) {
                // an update keeps added_at and moves updated_at
                assertEquals(alphaBefore.get("added_at"), o.get("added_at"), o + " was " + alphaBefore);
                assertTrue(updated.isAfter(Instant.parse(alphaBefore.get("updated_at").asText())),
                        o + " was " + alphaBefore);
            }
        }
        assertEquals("Alpha", objects.get(0).get("title").asText());
        assertEquals("Gamma Page", objects.get(2).get("title").asText());
    }

    @Test
    void listHumanIsOneTabSeparatedLinePerDocumentInNameOrder() throws Exception {
        small();
        Kb.Result r = kb("list").expect(0);
        assertEquals("", r.err());
        List<String> expected = new ArrayList<>();
        for (JsonNode o : kb("list", "--json").expect(0).json()) {
            expected.add(String.join("\t", o.get("doc").asText(), o.get("type").asText(), o.get("title").asText(),
                    o.get("source_uri").asText()));
        }
        assertEquals(expected, r.out().lines().toList());
        assertEquals("alpha\tmarkdown\tAlpha\t" + inputs.get("alpha").toRealPath(), r.out().lines().findFirst().get());
        assertTrue(r.out().endsWith("\n"));
    }

    @Test
    void typeFiltersAndAnUnknownTypeIsAUsageError() throws Exception {
        small();
        Map<String, List<String>> byType = Map.of("markdown", List.of("alpha"), "text", List.of("beta"), "html",
                List.of("gamma"), "pdf", List.of("report"), "pageindex-cloud", List.of());
        byType.forEach((type, names) -> {
            Kb.Result json = kb("list", "--json", "--type", type).expect(0);
            assertEquals(names, json.json().stream().map(o -> o.get("doc").asText()).toList(), type);
            json.json().forEach(o -> assertEquals(type, o.get("type").asText()));
            Kb.Result human = kb("list", "--type", type).expect(0);
            assertEquals(names, human.out().lines().map(l -> l.substring(0, l.indexOf('\t'))).toList(), type);
        });
        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result bad = kb("list", "--type", "spreadsheet").expect(2).oneErrorLine("spreadsheet", "markdown", "pdf");
        assertEquals("", bad.out());
        kb("list", "--json", "--type", "spreadsheet").expect(2).oneErrorLine("spreadsheet")
                .errorObject("unknown type 'spreadsheet'");
        kb("list", "--type").expect(2).oneErrorLine("--type");
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void showJsonIsTheListObjectPlusPathsAndFilesWithTheArtifact() throws Exception {
        small();
        JsonNode listed = kb("list", "--json").expect(0).json().get(0);
        Kb.Result r = kb("show", "--json", "alpha").expect(0);
        assertEquals("", r.err());
        assertEquals(1, r.json().size(), r.out());
        JsonNode shown = r.json().get(0);
        Set<String> expectedKeys = new TreeSet<>(LIST_KEYS);
        expectedKeys.addAll(List.of("raw_path", "source_path", "files"));
        assertEquals(expectedKeys, keys(shown));
        for (String k : LIST_KEYS) {
            assertEquals(listed.get(k), shown.get(k), k);
        }
        KbState.Row row = KbState.row(kb, "alpha");
        assertEquals(row.rawPath(), shown.get("raw_path").asText());
        assertEquals(row.sourcePath(), shown.get("source_path").asText());

        Map<String, JsonNode> files = new HashMap<>();
        for (JsonNode f : shown.get("files")) {
            assertEquals(Set.of("path", "role", "size", "exists"), keys(f), f.toString());
            files.put(f.get("path").asText(), f);
        }
        assertEquals(Set.of(row.rawPath(), row.sourcePath(), "wiki/sources/alpha.tree.json"), files.keySet());
        assertEquals("raw", files.get(row.rawPath()).get("role").asText());
        assertEquals("page", files.get(row.sourcePath()).get("role").asText());
        JsonNode artifact = files.get("wiki/sources/alpha.tree.json");
        assertEquals("artifact", artifact.get("role").asText());
        for (JsonNode f : files.values()) {
            assertTrue(f.get("exists").asBoolean(), f.toString());
            assertEquals(Files.size(kb.resolve(f.get("path").asText())), f.get("size").asLong(), f.toString());
        }

        // by its source, relative or absolute: the same object
        assertEquals(shown, kb("show", "--json", "in/alpha.md").expect(0).json().get(0));
        assertEquals(shown, kb("show", "--json", inputs.get("alpha").toString()).expect(0).json().get(0));
        // beta has no artifact: its files are its raw file and its page
        JsonNode beta = kb("show", "--json", "beta").expect(0).json().get(0);
        assertEquals(2, beta.get("files").size(), beta.toString());
    }

    @Test
    void showHumanNamesTheRowAndEveryFile() throws Exception {
        small();
        Kb.Result r = kb("show", "alpha").expect(0);
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        KbState.Row row = KbState.row(kb, "alpha");
        assertEquals("doc:       alpha", lines.get(0));
        assertTrue(lines.contains("type:      markdown"), r.out());
        assertTrue(lines.contains("source:    " + row.sourceUri()), r.out());
        assertTrue(lines.contains("sha256:    " + row.sha256()), r.out());
        int files = lines.indexOf("files:");
        assertTrue(files > 0, r.out());
        List<String> fileLines = lines.subList(files + 1, lines.size());
        assertEquals(3, fileLines.size(), r.out());
        for (String p : List.of(row.rawPath(), row.sourcePath(), "wiki/sources/alpha.tree.json")) {
            assertEquals(1, fileLines.stream().filter(l -> l.startsWith("  " + p + "  (")).count(), r.out());
        }
        kb("show", "nothing").expect(1).oneErrorLine("nothing", NOT_FOUND);
        kb("show").expect(2).oneErrorLine("DOC");
    }

    @Test
    void listAndShowChangeNothing() throws Exception {
        small();
        KbState.Snapshot before = KbState.snapshot(kb);
        kb("list").expect(0);
        kb("list", "--json", "--type", "text").expect(0);
        kb("show", "alpha").expect(0);
        kb("show", "--json", "in/beta.txt").expect(0);
        kb("show", "nothing").expect(1);
        KbState.assertUnchanged(before, kb);
    }

    /** Reads never wait for the writer lock: list and show answer while an add is paused mid-commit. */
    @Test
    void listAndShowDoNotWaitForAWriter() throws Exception {
        small();
        file("more/delta.md", markdown("Delta", "being added"));
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Kb.Running writer = Kb.start(work, Kb.env(home, "KB_TEST_PAUSE_AT", "published", "KB_TEST_PAUSE_DIR",
                pause.toString()), withKb("add", "more"));
        try {
            Kb.awaitCondition(Duration.ofSeconds(60), "kb add to pause after publishing",
                    () -> Files.exists(pause.resolve("paused")) || !writer.process.isAlive());
            assertTrue(writer.process.isAlive(), "kb add ended before pausing: " + writer.err());
            // the registry has not committed delta: list shows what is committed, show does not find it
            Kb.Result list = Kb.start(work, env, withKb("list")).await(Duration.ofSeconds(30)).expect(0);
            assertEquals(List.of("alpha", "beta", "gamma", "report"),
                    list.out().lines().map(l -> l.substring(0, l.indexOf('\t'))).toList());
            Kb.start(work, env, withKb("show", "delta")).await(Duration.ofSeconds(30)).expect(1)
                    .oneErrorLine(NOT_FOUND);
            Kb.start(work, env, withKb("show", "alpha")).await(Duration.ofSeconds(30)).expect(0);
            assertTrue(writer.process.isAlive(), "the writer must still be paused while they answered");
            Files.createFile(pause.resolve("resume"));
            writer.await().expect(0);
        } finally {
            if (writer.process.isAlive()) {
                writer.kill();
            }
        }
        assertTrue(kb("list").expect(0).out().contains("delta\tmarkdown\tDelta\t"));
    }

    static Set<String> keys(JsonNode n) {
        Set<String> k = new TreeSet<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }
}
