package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stat cache from outside: a re-add of a folder whose files did not change since they were
 * committed reads none of them (each event says {@code "checked":"stat"}) and changes nothing in
 * the KB, not a byte; a re-add with one file changed updates exactly that file; a change hidden
 * behind a forged modification time, a file turned into a FIFO and a registry written before the
 * cache (schema 3) all behave as without one.
 *
 * <p>An entry is trusted only for a file last changed more than two seconds before it was read,
 * and a change time cannot be set back; so the notes are written once for the class and it waits
 * (polling the clock) until they are that old. Each test has its own folder of them.
 */
class StatCacheTest extends E2EBase {
    @TempDir
    static Path aged;

    private static final List<String> NOTES = List.of("a", "b", "c", "d", "e");

    @BeforeAll
    static void writeAndAge() throws IOException {
        for (String test : List.of("unchanged", "one", "forged", "fifo", "upgrade")) {
            for (String n : NOTES) {
                Path p = aged.resolve(test).resolve(n + ".md");
                Files.createDirectories(p.getParent());
                Files.writeString(p, markdown(test + " " + n, "the note " + n + " of " + test), StandardCharsets.UTF_8);
            }
        }
        long newest = 0;
        try (Stream<Path> all = Files.walk(aged)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                newest = Math.max(newest, ((FileTime) Files.getAttribute(p, "unix:ctime")).to(TimeUnit.NANOSECONDS));
            }
        }
        long until = newest + 2_200_000_000L; // kb's granularity (2 s), and a margin
        Kb.awaitCondition(Duration.ofSeconds(30), "the notes to be older than kb's timestamp granularity",
                () -> System.currentTimeMillis() * 1_000_000L > until);
    }

    /** {@code kb add --json DIR}: each event by input file name. */
    private Map<String, JsonNode> addJson(Path dir, int exit) {
        Kb.Result r = kb("add", "--json", dir.toString()).expect(exit).assertNoStackTrace();
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode e : r.events()) {
            byName.put(Path.of(e.get("input").asText()).getFileName().toString(), e);
        }
        return byName;
    }

    /** "status reason checked" of an event ("-" where it has no such key). */
    private static String verdict(JsonNode e) {
        return e.get("status").asText() + " " + (e.hasNonNull("reason") ? e.get("reason").asText() : "-") + " "
                + (e.has("checked") ? e.get("checked").asText() : "-");
    }

    private static Map<String, String> verdicts(Map<String, JsonNode> events) {
        Map<String, String> out = new TreeMap<>();
        events.forEach((name, e) -> out.put(name, verdict(e)));
        return out;
    }

    private static Map<String, String> all(String verdict, String... names) {
        Map<String, String> out = new TreeMap<>();
        for (String n : names) {
            out.put(n, verdict);
        }
        return out;
    }

    @Test
    void aReAddOfAnUnchangedFolderReadsNoFileAndChangesNothing() {
        Path dir = aged.resolve("unchanged");
        init();
        Map<String, JsonNode> first = addJson(dir, 0);
        assertEquals(all("added - -", "a.md", "b.md", "c.md", "d.md", "e.md"), verdicts(first),
                "no \"checked\" key where nothing was skipped");
        long revision = status().get("revision").asLong();
        KbState.Snapshot before = KbState.snapshot(kb);

        Map<String, JsonNode> again = addJson(dir, 0);
        assertEquals(all("skipped unchanged stat", "a.md", "b.md", "c.md", "d.md", "e.md"), verdicts(again));
        assertEquals("c", again.get("c.md").get("doc").asText());
        KbState.assertUnchanged(before, kb);
        assertEquals(revision, status().get("revision").asLong(), "no commit");

        // the human line is the one it always was
        Kb.Result human = kb("add", dir.resolve("b.md").toString()).expect(0);
        assertTrue(human.err().contains("skipped  " + dir.resolve("b.md") + " -> b (unchanged)"), human.err());
    }

    @Test
    void aReAddWithOneFileChangedUpdatesExactlyThatFile() throws IOException {
        Path dir = aged.resolve("one");
        init();
        addJson(dir, 0);
        List<KbState.Row> rowsBefore = KbState.rows(kb);
        KbState.Snapshot before = KbState.snapshot(kb);
        Files.writeString(dir.resolve("c.md"), markdown("one c", "the note c of one, edited"));

        Map<String, JsonNode> again = addJson(dir, 0);
        Map<String, String> expected = all("skipped unchanged stat", "a.md", "b.md", "d.md", "e.md");
        expected.put("c.md", "updated - -");
        assertEquals(expected, verdicts(again));

        List<KbState.Row> rowsAfter = KbState.rows(kb);
        assertEquals(rowsBefore.size(), rowsAfter.size());
        for (int i = 0; i < rowsBefore.size(); i++) {
            KbState.Row b = rowsBefore.get(i);
            KbState.Row a = rowsAfter.get(i);
            assertEquals(b.docName(), a.docName());
            assertEquals(b.docName().equals("c"), !b.sha256().equals(a.sha256()), "only c's content changed: " + a);
        }
        Map<String, String> changed = new TreeMap<>();
        KbState.Snapshot after = KbState.snapshot(kb);
        after.files().forEach((f, sha) -> {
            if ((f.startsWith("raw/") || f.startsWith("wiki/sources/")) && !sha.equals(before.files().get(f))) {
                changed.put(f, sha);
            }
        });
        assertEquals(List.of("raw/c.md", "wiki/sources/c.md"), new ArrayList<>(changed.keySet()));
        KbState.assertAtRest(kb);
    }

    /** Same size, modification time set back to the committed one: the change time still tells, and it is read. */
    @Test
    void aChangeBehindAForgedModificationTimeIsUpdated() throws IOException {
        Path dir = aged.resolve("forged");
        Path d = dir.resolve("d.md");
        init();
        addJson(dir, 0);
        FileTime mtime = Files.getLastModifiedTime(d);
        String text = Files.readString(d);
        String edited = text.replace("the note d", "THE NOTE D");
        assertEquals(text.length(), edited.length());
        Files.writeString(d, edited);
        Files.setLastModifiedTime(d, mtime);
        assertEquals(mtime, Files.getLastModifiedTime(d));
        assertEquals(text.length(), Files.size(d));

        Map<String, JsonNode> again = addJson(dir, 0);
        assertEquals("updated - -", verdict(again.get("d.md")));
        assertTrue(read(kb.resolve("raw/d.md")).contains("THE NOTE D"));
        // changed just now: read again next time too, and found unchanged by its content
        assertEquals("skipped unchanged content", verdict(addJson(dir, 0).get("d.md")));
    }

    /** A FIFO in a note's place is not the note, whatever its times: skipped unopened, as a walk skips any FIFO. */
    @Test
    void aNoteTurnedIntoAFifoIsNotTakenForTheNote() throws IOException {
        Path dir = aged.resolve("fifo");
        init();
        addJson(dir, 0);
        Files.delete(dir.resolve("b.md"));
        WalkTest.sh(dir, "mkfifo b.md");
        Map<String, JsonNode> again = addJson(dir, 0);
        assertEquals("skipped not a regular file (a FIFO, device or socket) -", verdict(again.get("b.md")));
        assertEquals("skipped unchanged stat", verdict(again.get("a.md")));
    }

    /** A KB whose registry an older kb wrote (schema 3): upgraded by the first add, which reads every file once. */
    @Test
    void aVersionThreeRegistryIsUpgradedAndItsFilesReadOnce() throws Exception {
        Path dir = aged.resolve("upgrade");
        init();
        addJson(dir, 0);
        Path db = kb.resolve(".kb/registry.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            // what version 4 added, taken away again: the registry as kb wrote it before
            for (String st : List.of("DROP TRIGGER file_stats_delete", "DROP TRIGGER file_stats_update",
                    "DROP INDEX file_stats_dir", "DROP TABLE file_stats", "PRAGMA user_version=3")) {
                s.execute(st);
            }
        }
        assertEquals(3, userVersion(db));
        long revision = status().get("revision").asLong();
        assertEquals(5, status().get("documents").asInt(), "a version-3 registry reads as it is");

        assertEquals(all("skipped unchanged content", "a.md", "b.md", "c.md", "d.md", "e.md"), verdicts(addJson(dir, 0)));
        assertEquals(5, userVersion(db), "upgraded to the current schema");
        assertEquals(revision, status().get("revision").asLong(), "upgrading and recording entries is no commit");
        assertEquals(all("skipped unchanged stat", "a.md", "b.md", "c.md", "d.md", "e.md"), verdicts(addJson(dir, 0)));
        KbState.assertAtRest(kb);
    }

    private static int userVersion(Path db) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
