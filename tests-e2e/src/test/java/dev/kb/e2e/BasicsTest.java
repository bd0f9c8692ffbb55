package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Contract basics: init, add of each local type and a directory, --json, skip, update, discovery, status. */
class BasicsTest extends E2EBase {

    @Test
    void initCreatesTheLayoutAndIsIdempotent() {
        Kb.run(work, env, "init", kb.toString()).expect(0).assertNoStackTrace();
        for (String dir : List.of("raw", "wiki/sources", ".kb/journal", ".kb/staging")) {
            assertTrue(Files.isDirectory(kb.resolve(dir)), dir + " missing");
        }
        for (String f : List.of("wiki/index.md", "wiki/log.md", ".kb/registry.db")) {
            assertTrue(Files.isRegularFile(kb.resolve(f)), f + " missing");
        }
        KbState.assertAtRest(kb);
        KbState.Snapshot before = KbState.snapshot(kb);

        Kb.run(work, env, "init", kb.toString()).expect(0).assertNoStackTrace();
        KbState.assertUnchanged(before, kb);
        // the working directory form: kb init with no argument inside the KB
        Kb.run(kb, env, "init").expect(0);
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void addsFilesAndADirectoryWithJsonEventsThenSkipsAndUpdates() throws Exception {
        init();
        Path md = file("notes/alpha.md", markdown("Alpha notes", "First document."));
        Path txt = file("notes/beta.txt", "Beta is plain text.\nSecond line.\n");
        Path page = file("page.html", html("Gamma Page", "Gamma body."));
        file("dir/one.md", markdown("One", "in a directory"));
        file("dir/sub/two.txt", "two, nested\n");
        file("dir/skip.bin", "not a supported type");

        Kb.Result r = kb("add", "--json", "notes/alpha.md", txt.toString(), "page.html", "dir").expect(0);
        r.assertNoStackTrace();
        List<JsonNode> events = r.events();
        assertEquals(List.of("notes/alpha.md", txt.toString(), "page.html", "dir/one.md", "dir/skip.bin",
                "dir/sub/two.txt"), events.stream().map(e -> e.get("input").asText()).toList());
        Map<String, JsonNode> byInput = new HashMap<>();
        for (JsonNode e : events) {
            byInput.put(e.get("input").asText(), e);
            assertTrue(e.has("status") && e.has("doc") && e.has("error"), "event lacks a contract field: " + e);
        }
        for (String in : List.of("notes/alpha.md", txt.toString(), "page.html", "dir/one.md", "dir/sub/two.txt")) {
            JsonNode e = byInput.get(in);
            assertEquals("added", e.get("status").asText(), e.toString());
            assertTrue(e.get("doc").isTextual(), e.toString());
            assertTrue(e.get("error").isNull(), e.toString());
        }
        assertEquals("skipped", byInput.get("dir/skip.bin").get("status").asText());
        assertEquals("alpha", byInput.get("notes/alpha.md").get("doc").asText());
        assertEquals("beta", byInput.get(txt.toString()).get("doc").asText());
        assertEquals("page", byInput.get("page.html").get("doc").asText());
        JsonNode s = r.summary();
        assertEquals(5, s.get("added").asInt());
        assertEquals(0, s.get("updated").asInt());
        assertEquals(1, s.get("skipped").asInt());
        assertEquals(0, s.get("failed").asInt());

        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(Set.of("alpha", "beta", "page", "one", "two"), KbState.names(rows));
        KbState.Row alpha = KbState.row(kb, "alpha");
        assertEquals("raw/alpha.md", alpha.rawPath());
        assertEquals("wiki/sources/alpha.md", alpha.sourcePath());
        assertEquals(md.toRealPath().toString(), alpha.sourceUri());
        assertEquals(KbState.sha256(Files.readAllBytes(md)), alpha.sha256());
        String source = read(kb.resolve("wiki/sources/page.md"));
        assertTrue(source.startsWith("---\n"), "front matter first: " + source);
        assertTrue(source.contains("title: Gamma Page") || source.contains("title: \"Gamma Page\""), source);
        String index = read(kb.resolve("wiki/index.md"));
        for (String n : List.of("alpha", "beta", "page", "one", "two")) {
            assertTrue(index.contains("[[" + n + "]]"), "index lacks " + n + ":\n" + index);
        }

        // the same inputs again: duplicates are skips, exit 0, nothing changes
        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result again = kb("add", "--json", "notes/alpha.md", txt.toString(), "page.html", "dir").expect(0);
        assertEquals(6, again.summary().get("skipped").asInt());
        assertEquals(0, again.summary().get("added").asInt());
        again.events().forEach(e -> assertEquals("skipped", e.get("status").asText(), e.toString()));
        assertEquals(before.rows(), KbState.rows(kb));
        assertEquals(before.files().get("raw/alpha.md"), KbState.snapshot(kb).files().get("raw/alpha.md"));

        // new content at the same path: updated, same name, new bytes, still at rest
        byte[] v2 = markdown("Alpha notes, revised", "First document, second version.").getBytes();
        Files.write(md, v2);
        Kb.Result upd = kb("add", "--json", "notes/alpha.md").expect(0);
        JsonNode ev = upd.events().get(0);
        assertEquals("updated", ev.get("status").asText(), ev.toString());
        assertEquals("alpha", ev.get("doc").asText());
        assertEquals(1, upd.summary().get("updated").asInt());
        rows = KbState.assertAtRest(kb);
        assertEquals(5, rows.size());
        KbState.Row alpha2 = KbState.row(kb, "alpha");
        assertEquals(KbState.sha256(v2), alpha2.sha256());
        assertNotEquals(alpha.sha256(), alpha2.sha256());
        assertEquals(KbState.sha256(v2), KbState.sha256(kb.resolve("raw/alpha.md")));
        assertTrue(read(kb.resolve("wiki/sources/alpha.md")).contains("second version"));
    }

    @Test
    void discoversTheKbFromASubdirectoryFromKbAndFromKbDir() throws Exception {
        init();
        Path other = tmp.resolve("other-kb");
        Kb.run(work, env, "init", other.toString()).expect(0);
        Path doc = file("d.md", markdown("Discovery", "found it"));
        String real = kb.toRealPath().toString();

        // working directory inside the KB: the nearest .kb/ at or above it
        Kb.Result inside = Kb.run(kb.resolve("wiki/sources"), env, "add", "--json", doc.toString()).expect(0);
        assertEquals("added", inside.events().get(0).get("status").asText());
        JsonNode st = Kb.run(kb.resolve("wiki/sources"), env, "status", "--json").expect(0).json().get(0);
        assertEquals(real, st.get("kb").asText());
        assertEquals(1, st.get("documents").asInt());

        // --kb from an unrelated directory
        assertEquals(real, Kb.run(work, env, "--kb", kb.toString(), "status", "--json").expect(0).json().get(0)
                .get("kb").asText());
        // KB_DIR from an unrelated directory
        Map<String, String> withKbDir = Kb.env(home, "KB_DIR", kb.toString());
        assertEquals(real, Kb.run(work, withKbDir, "status", "--json").expect(0).json().get(0).get("kb").asText());
        // --kb wins over KB_DIR
        Map<String, String> otherKbDir = Kb.env(home, "KB_DIR", other.toString());
        assertEquals(real, Kb.run(work, otherKbDir, "--kb", kb.toString(), "status", "--json").expect(0).json()
                .get(0).get("kb").asText());
        // KB_DIR wins over the working directory
        assertEquals(other.toRealPath().toString(),
                Kb.run(kb, otherKbDir, "status", "--json").expect(0).json().get(0).get("kb").asText());
        assertEquals(0, Kb.run(work, otherKbDir, "status", "--json").expect(0).json().get(0).get("documents").asInt());
        KbState.assertAtRest(kb);
        KbState.assertAtRest(other);
    }

    @Test
    void statusJsonHasTheContractFields() {
        init();
        file("s.md", markdown("Status", "one document"));
        kb("add", "s.md").expect(0);
        JsonNode s = status();
        assertTrue(s.get("kb").isTextual() && Path.of(s.get("kb").asText()).isAbsolute(), s.toString());
        assertTrue(s.get("documents").isIntegralNumber(), s.toString());
        assertEquals(1, s.get("documents").asInt());
        assertEquals(0, s.get("pending_journals").asInt());
        assertEquals(0, s.get("staging_orphans").asInt());
        assertTrue(s.has("lock") && s.get("lock").isNull(), s.toString());
        // the human form answers too
        String human = kb("status").expect(0).out();
        assertTrue(human.contains("documents") && human.contains("1"), human);
    }

    /**
     * sqlite-jdbc's native library is unpacked once into the cache directory ($HOME/.cache/kb),
     * not anew on every start, and nothing else is left there but the stamp it is verified
     * against; a damaged copy is replaced.
     */
    @Test
    void sqliteLibraryIsUnpackedOnceIntoTheCacheAndADamagedCopyReplaced() throws Exception {
        Path cache = home.resolve(".cache/kb");
        init();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(cache)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(2, files.size(), "the cache holds exactly the library and its stamp: " + files);
        assertTrue(files.get(1).toString().endsWith(".sha256"), files.toString());
        Path lib = files.get(0);
        assertTrue(cache.relativize(lib).toString().startsWith("sqlite-jdbc-"), lib.toString());
        Object inode = Files.readAttributes(lib, BasicFileAttributes.class).fileKey();

        status();
        assertEquals(inode, Files.readAttributes(lib, BasicFileAttributes.class).fileKey(), "unpacked again");

        Files.writeString(lib, "damaged");
        assertEquals(0, status().get("documents").asInt());
        assertTrue(Files.size(lib) > 100_000, "the damaged copy was not replaced");
        try (Stream<Path> walk = Files.walk(cache)) {
            assertEquals(2, walk.filter(Files::isRegularFile).count(), "left-overs in the cache");
        }
    }
}
