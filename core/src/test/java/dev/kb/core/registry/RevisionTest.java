package dev.kb.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import dev.kb.core.store.RegistrySnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's revision, history and totals (schema 3): they move with the rows in the commit
 * point's transaction, exactly once per commit and never for a commit that failed, and the totals
 * always equal what the rows add up to.
 */
class RevisionTest {
    @TempDir
    Path tmp;

    private static DocumentRow row(String name, String type, long size) {
        return new DocumentRow(name, "ab" + name, "raw/" + name + ".md", "wiki/sources/" + name + ".md", "/" + name,
                type, name, size, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null, null);
    }

    private static CommitNote note(int added) {
        return new CommitNote("kb add", added, 0, 0, 0);
    }

    /** Documents and bytes by type, counted from the rows themselves (what the totals must equal). */
    private static Map<String, RegistrySnapshot.TypeTotals> counted(Path db) throws Exception {
        Map<String, RegistrySnapshot.TypeTotals> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT type, count(*), sum(size) FROM documents GROUP BY type")) {
            while (rs.next()) {
                out.put(rs.getString(1), new RegistrySnapshot.TypeTotals(rs.getLong(2), rs.getLong(3)));
            }
        }
        return out;
    }

    @Test
    void everyCommitMovesTheRevisionOnceAndRecordsItself() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            assertEquals(0, r.revision());
            assertEquals(new Registry.Head(0, 0), r.head());
            assertEquals(List.of(), r.snapshot(20).recent());

            r.commit("j1", List.of(row("a", "markdown", 10), row("b", "pdf", 100)), List.of(), note(2));
            assertEquals(1, r.revision());
            r.commit("j2", List.of(row("a", "html", 30)), List.of("b"), new CommitNote("kb remove", 0, 1, 1, 0));
            assertEquals(new Registry.Head(2, 1), r.head());

            RegistrySnapshot s = r.snapshot(20);
            assertEquals(2, s.revision());
            assertEquals(counted(db), s.byType(), "an update that changes type and size moves both totals");
            assertEquals(Map.of("html", new RegistrySnapshot.TypeTotals(1, 30)), s.byType());
            assertEquals(List.of(2L, 1L), s.recent().stream().map(RegistrySnapshot.Commit::revision).toList());
            assertEquals(new CommitNote("remove", 0, 1, 1, 0), s.lastCommit().note());
            assertEquals(1, r.snapshot(1).recent().size());
        }
    }

    /** A commit refused inside its transaction (two names that fold alike) leaves no trace: revision, history, totals. */
    @Test
    void aCommitThatFailsLeavesTheRevisionWhereItWas() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "markdown", 10)), List.of(), note(1));
            RegistrySnapshot before = r.snapshot(20);
            assertThrows(IOException.class, () -> r.commit("j2", List.of(row("b", "pdf", 5), row("A", "pdf", 5)),
                    List.of(), note(2)));
            assertEquals(before, r.snapshot(20));
            assertEquals(counted(db), r.snapshot(20).byType());
            r.commit("j3", List.of(row("b", "pdf", 5)), List.of(), note(1));
            assertEquals(2, r.revision(), "the failed commit used no revision number");
        }
    }

    @Test
    void theHistoryKeepsTheLastHundredCommits() throws Exception {
        try (Registry r = SqliteRegistry.create(tmp.resolve("registry.db"))) {
            for (int i = 1; i <= Registry.HISTORY + 5; i++) {
                r.commit("j" + i, List.of(row("d" + i, "markdown", i)), List.of(), note(1));
            }
            List<RegistrySnapshot.Commit> all = r.snapshot(Integer.MAX_VALUE).recent();
            assertEquals(Registry.HISTORY, all.size());
            assertEquals(Registry.HISTORY + 5, all.get(0).revision());
            assertEquals(6, all.get(all.size() - 1).revision());
            assertEquals(Registry.HISTORY + 5, r.head().documents());
        }
    }

    /** A registry as kb wrote it before revisions: readers treat it honestly, a writer upgrades it in place. */
    @Test
    void aVersionTwoRegistryIsReadWithoutARevisionAndUpgradedByAWriter() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE documents(doc_name TEXT PRIMARY KEY, name_key TEXT NOT NULL UNIQUE, sha256 TEXT"
                    + " NOT NULL, raw_path TEXT, source_path TEXT NOT NULL, source_uri TEXT NOT NULL UNIQUE, type TEXT"
                    + " NOT NULL, title TEXT, size INTEGER NOT NULL, added_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
                    + " etag TEXT, last_modified TEXT)");
            s.execute("CREATE INDEX documents_sha256 ON documents(sha256)");
            s.execute("CREATE TABLE commits(journal_id TEXT PRIMARY KEY, committed_at TEXT NOT NULL,"
                    + " documents INTEGER NOT NULL)");
            s.execute("INSERT INTO documents VALUES('a','a','x','raw/a.md','wiki/sources/a.md','/a','markdown','a',"
                    + "7,'t','t',NULL,NULL)");
            s.execute("INSERT INTO documents VALUES('b','b','y','raw/b.pdf','wiki/sources/b.md','/b','pdf','b',"
                    + "9,'t','t',NULL,NULL)");
            s.execute("PRAGMA user_version=2");
        }
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(-1, reader.revision(), "no revision to vouch for any summary");
            assertEquals(new Registry.Head(-1, 2), reader.head());
            assertEquals(counted(db), reader.snapshot(20).byType());
        }
        try (Registry writer = SqliteRegistry.open(db)) {
            assertEquals(0, writer.revision());
            assertEquals(counted(db), writer.snapshot(20).byType(), "the upgrade counts the rows already there");
            writer.commit("j1", List.of(row("c", "pdf", 1)), List.of("a"), new CommitNote("kb add", 1, 0, 1, 0));
            assertEquals(1, writer.revision());
            assertEquals(counted(db), writer.snapshot(20).byType());
        }
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(db, true).condition());
        assertEquals(1, SqliteRegistry.lastRevision(db));
    }

    /** A rebuilt registry carries the revision it is given, made by its one recorded commit. */
    @Test
    void aRebuiltRegistryStartsAtTheRevisionItIsSeededWith() throws Exception {
        Path db = tmp.resolve("rebuilt.db");
        try (SqliteRegistry.Rebuild b = SqliteRegistry.rebuild(db)) {
            b.add(row("a", "markdown", 3));
            b.add(row("b", "text", 4));
            b.seed(43, new CommitNote("recover --rebuild-registry", 2, 0, 0, 0));
            b.finish();
        }
        try (Registry r = SqliteRegistry.openReadOnly(db)) {
            RegistrySnapshot s = r.snapshot(20);
            assertEquals(43, s.revision());
            assertEquals(counted(db), s.byType());
            assertEquals(List.of(new RegistrySnapshot.Commit(43, s.lastCommit().at(),
                    new CommitNote("recover --rebuild-registry", 2, 0, 0, 0))), s.recent());
        }
        assertEquals(43, SqliteRegistry.lastRevision(db));
        assertEquals(-1, SqliteRegistry.lastRevision(tmp.resolve("none.db")));
    }

    /** Whatever writes the rows, the triggers keep the totals: many commits of adds, updates and removes. */
    @Test
    void theTotalsAlwaysEqualTheRows() throws Exception {
        Path db = tmp.resolve("registry.db");
        java.util.Random rnd = new java.util.Random(11);
        List<String> types = List.of("markdown", "text", "html", "pdf");
        try (Registry r = SqliteRegistry.create(db)) {
            for (int c = 1; c <= 60; c++) {
                List<DocumentRow> up = new ArrayList<>();
                List<String> gone = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String name = "d" + rnd.nextInt(40);
                    if (rnd.nextInt(4) == 0) {
                        if (!up.stream().anyMatch(x -> x.docName().equals(name))) {
                            gone.add(name);
                        }
                    } else if (!gone.contains(name) && up.stream().noneMatch(x -> x.docName().equals(name))) {
                        up.add(row(name, types.get(rnd.nextInt(types.size())), rnd.nextInt(1000)));
                    }
                }
                r.commit("j" + c, up, gone, note(up.size()));
                assertEquals(counted(db), r.snapshot(0).byType(), "after commit " + c);
                assertEquals(c, r.revision());
            }
        }
    }
}
