package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code kb recover --repair}: a wiki page that is missing or damaged comes back, through the
 * coordinator, byte for byte as a fresh add of the same raw file made it; what cannot be
 * regenerated is reported, not guessed at.
 */
class RepairTest extends E2EBase {

    /** Every page under wiki/sources, by name, as bytes. */
    private Map<String, byte[]> pages() throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.list(kb.resolve("wiki/sources"))) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void deletedAndDamagedPagesComeBackByteIdenticalToAFreshAdd() throws IOException {
        init();
        file("in/alpha.md", "---\ntitle: Alpha\ntags: [x, y]\n---\n" + markdown("Alpha", "first"));
        file("in/notes.txt", "plain text notes\nline two\n");
        file("in/page.html", html("A Page", "Some words."));
        kb("add", "in").expect(0);
        Map<String, byte[]> fresh = pages();
        assertEquals(3, fresh.size(), fresh.keySet().toString());

        Files.delete(kb.resolve("wiki/sources/alpha.md"));
        Files.writeString(kb.resolve("wiki/sources/notes.md"), "scribbled over, no front matter\n");
        Kb.Result check = kb("recover").expect(1);
        assertTrue(check.err().contains("alpha: wiki/sources/alpha.md is missing"), check.err());
        assertTrue(check.err().contains("notes: wiki/sources/notes.md is damaged"), check.err());
        assertTrue(!Files.exists(kb.resolve("wiki/sources/alpha.md")), "plain recover only reports");

        JsonNode r = kb("recover", "--repair", "--json").expect(0).json().get(0);
        assertEquals(0, r.get("problems").size(), r.toString());
        assertEquals("[\"alpha\",\"notes\"]", r.get("repaired").toString());
        Map<String, byte[]> repaired = pages();
        assertEquals(fresh.keySet(), repaired.keySet());
        for (String name : fresh.keySet()) {
            assertArrayEquals(fresh.get(name), repaired.get(name), name + " differs from the fresh add");
        }
        String log = read(kb.resolve("wiki/log.md"));
        assertTrue(log.contains("kb recover --repair · journal"), log);
        assertTrue(log.contains("- repaired [[alpha]] from"), log);
        KbState.assertAtRest(kb);
        // sound again: a second repair has nothing to do
        assertEquals(0, kb("recover", "--repair", "--json").expect(0).json().get(0).get("repaired").size());
    }

    @Test
    void aPageEditedBelowItsFrontMatterIsLeftAlone() throws IOException {
        init();
        file("in/a.md", markdown("A", "original"));
        kb("add", "in/a.md").expect(0);
        Path page = kb.resolve("wiki/sources/a.md");
        Files.writeString(page, Files.readString(page) + "\nMy own note, added in Obsidian.\n");
        byte[] edited = Files.readAllBytes(page);
        kb("recover", "--repair").expect(0);
        assertArrayEquals(edited, Files.readAllBytes(page), "a person's edit is not damage");
    }

    @Test
    void aDocumentWhoseRawBytesChangedIsReportedNotGuessedAt() throws IOException {
        init();
        file("in/a.md", markdown("A", "original"));
        kb("add", "in/a.md").expect(0);
        Files.delete(kb.resolve("wiki/sources/a.md"));
        Files.writeString(kb.resolve("raw/a.md"), "tampered\n");
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        Kb.Result r = kb("recover", "--repair").expect(1);
        assertTrue(r.err().contains("raw/a.md does not match its sha256"), r.err());
        assertTrue(r.err().contains("not repaired"), r.err());
        KbState.assertUnchanged(before, kb);
    }
}
