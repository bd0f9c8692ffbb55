package dev.kb.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stat cache in the registry (schema 4): entries are written in the commit point's
 * transaction with their rows, go when their row goes or changes content, are handed out only
 * with a row that has the content they vouch for, and an older registry gets the table in place.
 */
class StatCacheRegistryTest {
    @TempDir
    Path tmp;

    private static final long OLD = 1_000_000_000_000_000_000L; // 2001, in ns: safely before any recording

    private static DocumentRow row(String name, String uri, String sha) {
        return new DocumentRow(name, sha, "raw/" + name + ".md", "wiki/sources/" + name + ".md", uri, "markdown", name,
                10, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null, null);
    }

    private static FileStat stat(String uri, String sha, long inode) {
        return new FileStat(uri, null, sha, new FileStat.Stamp(10, OLD, OLD, 2049, inode), OLD + 60_000_000_000L);
    }

    private static CommitNote note(int added) {
        return new CommitNote("kb add", added, 0, 0, 0);
    }

    /** The source paths of every entry in the table, whatever their rows say (what is stored, not what is handed out). */
    private static Set<String> stored(Path db) throws Exception {
        Set<String> uris = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT source_uri FROM file_stats")) {
            while (rs.next()) {
                uris.add(rs.getString(1));
            }
        }
        return uris;
    }

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    /** What kb wrote before the stat cache: this schema less what version 4 added. */
    static void downgradeToVersion3(Path db) throws Exception {
        sql(db, "DROP TRIGGER file_stats_delete", "DROP TRIGGER file_stats_update", "DROP INDEX file_stats_dir",
                "DROP TABLE file_stats", "PRAGMA user_version=3");
    }

    @Test
    void entriesGoInWithTheirRowsAndComeOutByDirectory() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "/n/a.md", "aa"), row("b", "/n/b.md", "bb"), row("c", "/m/c.md", "cc")),
                    List.of(), note(3), List.of(stat("/n/a.md", "aa", 1), stat("/n/b.md", "bb", 2),
                            stat("/m/c.md", "cc", 3)));
            Map<String, FileStat> n = r.fileStats("/n");
            assertEquals(Set.of("/n/a.md", "/n/b.md"), n.keySet());
            assertEquals("a", n.get("/n/a.md").docName(), "with the document it is the content of");
            assertEquals(new FileStat.Stamp(10, OLD, OLD, 2049, 1), n.get("/n/a.md").stamp());
            assertEquals(OLD + 60_000_000_000L, n.get("/n/a.md").recordedNs());
            assertEquals(Set.of("/m/c.md"), r.fileStats("/m").keySet());
            assertEquals(Map.of(), r.fileStats("/n/a.md"), "a directory, not a prefix");
            assertEquals(1, r.revision(), "one commit");
        }
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(Set.of("/n/a.md", "/n/b.md"), reader.fileStats("/n").keySet());
        }
    }

    /** THE COMMIT POINT fails inside its transaction after the entry was written: neither row nor entry stays. */
    @Test
    void aCommitThatFailsLeavesNoEntry() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "/n/a.md", "aa")), List.of(), note(1), List.of(stat("/n/a.md", "aa", 1)));
            // the same journal id again: refused by the commits table, after the rows and entries
            assertThrows(IOException.class, () -> r.commit("j1", List.of(row("d", "/n/d.md", "dd")), List.of(),
                    note(1), List.of(stat("/n/d.md", "dd", 4))));
            assertTrue(r.byName("d").isEmpty());
            assertEquals(Set.of("/n/a.md"), r.fileStats("/n").keySet());
            assertEquals(1, r.revision());
        }
        assertEquals(Set.of("/n/a.md"), stored(db));
    }

    @Test
    void anEntryGoesWhenItsRowGoesOrChangesContentOrSource() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "/n/a.md", "aa"), row("b", "/n/b.md", "bb"), row("c", "/n/c.md", "cc")),
                    List.of(), note(3), List.of(stat("/n/a.md", "aa", 1), stat("/n/b.md", "bb", 2),
                            stat("/n/c.md", "cc", 3)));
            // an update to other content that brings no entry (its file changed too recently)
            r.commit("j2", List.of(row("a", "/n/a.md", "a2")), List.of(), note(0));
            assertEquals(Set.of("/n/b.md", "/n/c.md"), stored(db));
            // the same content again (a repair) keeps it
            r.commit("j3", List.of(row("b", "/n/b.md", "bb")), List.of(), note(0));
            assertEquals(Set.of("/n/b.md", "/n/c.md"), stored(db));
            // the row rewritten to another spelling of its source
            r.commit("j4", List.of(row("b", "/real/n/b.md", "bb")), List.of(), note(0));
            assertEquals(Set.of("/n/c.md"), stored(db));
            r.commit("j5", List.of(), List.of("c"), new CommitNote("kb remove", 0, 0, 1, 0));
            assertEquals(Set.of(), stored(db));
            // and an update that brings one replaces the old
            r.commit("j6", List.of(row("a", "/n/a.md", "a3")), List.of(), note(0), List.of(stat("/n/a.md", "a3", 9)));
            assertEquals(9, r.fileStats("/n").get("/n/a.md").stamp().inode());
        }
    }

    @Test
    void anEntryIsHandedOutAndRecordedOnlyWithItsRowsContent() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "/n/a.md", "aa"), row("b", "/n/b.md", "bb")), List.of(), note(2));
            long revision = r.revision();
            r.recordFileStats(List.of(stat("/n/a.md", "aa", 1), stat("/n/b.md", "other", 2), stat("/n/z.md", "zz", 3)));
            assertEquals(Set.of("/n/a.md"), stored(db), "no entry for content its row does not have, or for no row");
            assertEquals(revision, r.revision(), "a hint is no commit");
            assertEquals(revision, r.snapshot(5).recent().get(0).revision(), "nor in the history");
        }
        // written behind kb's back: an entry for other content than the row's
        sql(db, "INSERT INTO file_stats VALUES('/n/b.md', '/n', 'other', 10, 1, 1, 2049, 2, 1)");
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(Set.of("/n/a.md"), reader.fileStats("/n").keySet());
        }
    }

    /** A registry kb wrote before the stat cache: read as it is, upgraded in place by the first writer. */
    @Test
    void aVersionThreeRegistryIsUpgradedInPlace() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "/n/a.md", "aa")), List.of(), note(1));
            r.commit("j2", List.of(row("b", "/n/b.md", "bb")), List.of(), note(1));
        }
        downgradeToVersion3(db);
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(db, true).condition());
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(Map.of(), reader.fileStats("/n"), "no entries, and no error");
            assertEquals(2, reader.revision());
        }
        try (Registry writer = SqliteRegistry.open(db)) {
            assertEquals(2, writer.revision(), "the revision goes on: the rows did not change");
            assertEquals(2, writer.count());
            assertEquals(Map.of(), writer.fileStats("/n"), "upgraded empty: the next add reads every file");
            writer.commit("j3", List.of(row("a", "/n/a.md", "a2")), List.of(), note(0),
                    List.of(stat("/n/a.md", "a2", 1)));
            writer.recordFileStats(List.of(stat("/n/b.md", "bb", 2)));
            assertEquals(Set.of("/n/a.md", "/n/b.md"), writer.fileStats("/n").keySet());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            assertEquals(SqliteRegistry.SCHEMA_VERSION, rs.getInt(1));
        }
        // the triggers came with the table
        sql(db, "DELETE FROM documents WHERE doc_name = 'b'");
        assertEquals(Set.of("/n/a.md"), stored(db));
    }

    @Test
    void aVersionFourRegistryWithoutItsStatTableIsDamaged() throws Exception {
        Path db = tmp.resolve("registry.db");
        SqliteRegistry.create(db).close();
        sql(db, "DROP TABLE file_stats");
        SqliteRegistry.Health h = SqliteRegistry.health(db, false);
        assertEquals(SqliteRegistry.Condition.DAMAGED, h.condition());
        assertTrue(h.detail().contains("file_stats"), h.detail());
    }
}
