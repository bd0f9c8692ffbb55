package dev.kb.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How each page was made (schema 5): recorded with its row in the commit point's transaction,
 * cleared by an update that brings none, never made up by an upgrade or a rebuild, and an older
 * registry upgraded in place by its first writer while its readers read it as it is.
 */
public class PageOriginRegistryTest {
    @TempDir
    Path tmp;

    private static final PageOrigin ORIGIN = new PageOrigin("k".repeat(64), "p".repeat(64),
            "{\"title\":\"A\",\"metadata\":{\"pages\":3},\"own_text\":\"\",\"own_keys\":[],\"warnings\":[]}");

    private static DocumentRow row(String name, String sha, PageOrigin origin) {
        return new DocumentRow(name, sha, "raw/" + name + ".pdf", "wiki/sources/" + name + ".md", "/in/" + name + ".pdf",
                "pdf", name, 10, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null, null, origin);
    }

    private static CommitNote note() {
        return new CommitNote("kb add", 1, 0, 0, 0);
    }

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String st : statements) {
                s.execute(st);
            }
        }
    }

    private static int userVersion(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    private static List<String> columns(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA table_info(documents)")) {
            while (rs.next()) {
                out.add(rs.getString("name"));
            }
        }
        return out;
    }

    /** What kb wrote before pages' origins were recorded: this schema less what version 5 added. */
    public static void downgradeToVersion4(Path db) throws Exception {
        sql(db, "DROP INDEX documents_page_key", "ALTER TABLE documents DROP COLUMN page_key",
                "ALTER TABLE documents DROP COLUMN page_sha256", "ALTER TABLE documents DROP COLUMN page_fields",
                "ALTER TABLE documents DROP COLUMN fetch_fields", "PRAGMA user_version=4");
    }

    @Test
    void anOriginGoesInWithItsRowAndAnUpdateWithoutOneClearsIt() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "aa", ORIGIN), row("b", "bb", null)), List.of(), note());
            assertEquals(ORIGIN, r.byName("a").orElseThrow().origin());
            assertNull(r.byName("b").orElseThrow().origin());
            // the same document converted again, now of other content and without a record (say, as text)
            r.commit("j2", List.of(row("a", "a2", null)), List.of(), note());
            assertNull(r.byName("a").orElseThrow().origin(), "the old page's origin stayed with new content");
            r.commit("j3", List.of(row("b", "b2", ORIGIN)), List.of(), note());
        }
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(ORIGIN, reader.bySourceUri("/in/b.pdf").orElseThrow().origin());
        }
        sql(db, "UPDATE documents SET page_fields = NULL WHERE doc_name = 'b'");
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertNull(reader.byName("b").orElseThrow().origin(), "a record missing a part is no record");
        }
    }

    /** THE COMMIT POINT fails after the row went in: neither the row nor its origin stays. */
    @Test
    void aCommitThatFailsLeavesNoOrigin() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "aa", null)), List.of(), note());
            assertThrows(IOException.class, () -> r.commit("j1", List.of(row("a", "a2", ORIGIN)), List.of(), note()));
            DocumentRow a = r.byName("a").orElseThrow();
            assertEquals("aa", a.sha256());
            assertNull(a.origin());
        }
    }

    @Test
    void aVersionFourRegistryIsReadAsItIsAndUpgradedInPlaceByItsFirstWriter() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("a", "aa", ORIGIN)), List.of(), note());
            r.commit("j2", List.of(row("b", "bb", null)), List.of(), note());
        }
        downgradeToVersion4(db);
        assertTrue(!columns(db).contains("page_key"));
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(db, true).condition());
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertNull(reader.byName("a").orElseThrow().origin(), "a version-4 row has no origin, and no error");
            List<DocumentRow> all = new ArrayList<>();
            reader.forEach(all::add);
            assertEquals(2, all.size());
        }
        assertEquals(4, userVersion(db), "a reader upgraded it");
        try (Registry writer = SqliteRegistry.open(db)) {
            assertEquals(2, writer.revision(), "the upgrade is no commit");
            assertNull(writer.byName("a").orElseThrow().origin(), "an upgrade makes up no origin for a page");
            writer.commit("j3", List.of(row("c", "cc", ORIGIN)), List.of(), note());
            assertEquals(ORIGIN, writer.byName("c").orElseThrow().origin());
        }
        assertEquals(SqliteRegistry.SCHEMA_VERSION, userVersion(db));
        assertTrue(columns(db).containsAll(List.of("page_key", "page_sha256", "page_fields", "fetch_fields")),
                columns(db).toString());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'documents_page_key'")) {
            assertEquals(1, rs.getInt(1), "the index another KB finds a conversion by came with the columns");
        }
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(db, true).condition());
    }

    @Test
    void aVersionFiveRegistryWithoutItsOriginColumnsIsDamaged() throws Exception {
        Path db = tmp.resolve("registry.db");
        SqliteRegistry.create(db).close();
        sql(db, "DROP INDEX documents_page_key", "ALTER TABLE documents DROP COLUMN page_sha256");
        SqliteRegistry.Health h = SqliteRegistry.health(db, false);
        assertEquals(SqliteRegistry.Condition.DAMAGED, h.condition());
        assertTrue(h.detail().contains("page_sha256"), h.detail());
    }

    /** A rebuild knows the files, not what made them: no row it writes has an origin, whatever it is handed. */
    @Test
    void aRebuiltRegistryRecordsNoOrigin() throws Exception {
        Path db = tmp.resolve("rebuilt.db");
        try (SqliteRegistry.Rebuild b = SqliteRegistry.rebuild(db)) {
            assertEquals(java.util.Optional.empty(), b.add(row("a", "aa", ORIGIN)));
            b.seed(5, new CommitNote("kb recover --rebuild-registry", 1, 0, 0, 0));
            b.finish();
        }
        try (Registry r = SqliteRegistry.openReadOnly(db)) {
            DocumentRow a = r.byName("a").orElseThrow();
            assertEquals("aa", a.sha256());
            assertNull(a.origin());
        }
    }

    private static final String FETCH = "{\"final_url\":\"https://example.org/moved/a.pdf\","
            + "\"content_type\":\"application/pdf\",\"name_hint\":\"a.pdf\",\"name_is_host\":false}";

    private static DocumentRow fetched(String name, String sha, String fetch) {
        DocumentRow r = row(name, sha, ORIGIN);
        return new DocumentRow(r.docName(), r.sha256(), r.rawPath(), r.sourcePath(), "https://example.org/" + name,
                r.type(), r.title(), r.size(), r.addedAt(), r.updatedAt(), "\"e1\"", null, ORIGIN, fetch);
    }

    /**
     * A URL's record of its fetch goes in with its row, an update that brings none clears it (it
     * would speak of another fetch), and neither a rebuild nor a reader of version 4 makes one up.
     */
    @Test
    void aFetchRecordGoesInWithItsRowAndNothingMakesOneUp() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(fetched("a", "aa", FETCH), fetched("b", "bb", FETCH)), List.of(), note());
            assertEquals(FETCH, r.byName("a").orElseThrow().fetch());
            r.commit("j2", List.of(fetched("a", "a2", null)), List.of(), note());
            assertNull(r.byName("a").orElseThrow().fetch(), "the old fetch's record stayed with new content");
            assertThrows(IOException.class, () -> r.commit("j1", List.of(fetched("b", "b2", null)), List.of(), note()));
            assertEquals(FETCH, r.byName("b").orElseThrow().fetch(), "a commit that failed changed the record");
        }
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertEquals(FETCH, reader.bySourceUri("https://example.org/b").orElseThrow().fetch());
        }
        downgradeToVersion4(db);
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(db, true).condition());
        try (Registry reader = SqliteRegistry.openReadOnly(db)) {
            assertNull(reader.byName("b").orElseThrow().fetch());
        }
        try (Registry writer = SqliteRegistry.open(db)) {
            assertNull(writer.byName("b").orElseThrow().fetch(), "an upgrade makes up no fetch");
            writer.commit("j3", List.of(fetched("c", "cc", FETCH)), List.of(), note());
            assertEquals(FETCH, writer.byName("c").orElseThrow().fetch());
        }
        Path rebuilt = tmp.resolve("rebuilt.db");
        try (SqliteRegistry.Rebuild b = SqliteRegistry.rebuild(rebuilt)) {
            assertEquals(java.util.Optional.empty(), b.add(fetched("a", "aa", FETCH)));
            b.seed(5, new CommitNote("kb recover --rebuild-registry", 1, 0, 0, 0));
            b.finish();
        }
        try (Registry r = SqliteRegistry.openReadOnly(rebuilt)) {
            assertNull(r.byName("a").orElseThrow().fetch(), "a rebuild recorded a fetch");
        }
    }
}
