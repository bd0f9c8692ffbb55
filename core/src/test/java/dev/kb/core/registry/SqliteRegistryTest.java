package dev.kb.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRegistryTest {
    /** What a commit made by hand here tells the history. */
    static final CommitNote TEST_NOTE = new CommitNote("add (test)", 1, 0, 0, 0);


    @TempDir
    Path tmp;

    private static DocumentRow row(String name, String uri) {
        return new DocumentRow(name, "ab" + name, "raw/" + name + ".md", "wiki/sources/" + name + ".md", uri,
                "markdown", name, 1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", null, null);
    }

    @Test
    void theCommitPointIsAllOrNothing() throws Exception {
        try (Registry r = SqliteRegistry.create(tmp.resolve("registry.db"))) {
            r.commit("j1", List.of(row("a", "/a")), List.of(), TEST_NOTE);
            assertTrue(r.isCommitted("j1"));
            // "A" folds to the key of "a": the whole transaction, journal id included, must be refused
            assertThrows(java.io.IOException.class, () -> r.commit("j2", List.of(row("b", "/b"), row("A", "/A")), List.of(), TEST_NOTE));
            assertFalse(r.isCommitted("j2"));
            assertFalse(r.byName("b").isPresent());
            assertEquals(1, r.count());
            assertTrue(r.nameTaken("A"));

            r.forgetCommits(List.of("j1"));
            assertEquals(List.of(), r.committedIds());
        }
    }

    /**
     * A staged transaction (its statements run on the registry's thread while the files are
     * published) is invisible to a reader until its commit, is undone by close, and one whose
     * statements failed commits nothing and leaves the connection fit for the next commit.
     */
    @Test
    void aStagedTransactionCountsOnlyOnceCommitted() throws Exception {
        Path file = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(file);
             Registry reader = SqliteRegistry.openReadOnly(file)) {
            r.commit("j0", List.of(row("a", "/a")), List.of(), TEST_NOTE);
            long before = r.revision();

            Registry.Staged staged = r.stage("j1", List.of(row("b", "/b")), List.of(), TEST_NOTE, List.of());
            SqliteRegistry.Writer.THREAD.submit(() -> { }).get(); // one thread, in order: the statements have run
            assertFalse(reader.byName("b").isPresent(), "visible before its commit");
            assertEquals(before, reader.revision());
            staged.commit();
            staged.close();
            assertTrue(reader.byName("b").isPresent());
            assertTrue(r.isCommitted("j1"));
            assertEquals(before + 1, reader.revision());

            try (Registry.Staged abandoned = r.stage("j2", List.of(row("c", "/c")), List.of(), TEST_NOTE, List.of())) {
                assertFalse(reader.byName("c").isPresent());
            }
            assertFalse(r.isCommitted("j2"), "closed without a commit, yet committed");
            assertFalse(r.byName("c").isPresent());

            // "A" folds to the key of "a": the statements fail on the registry's thread
            Registry.Staged failing = r.stage("j3", List.of(row("d", "/d"), row("A", "/A")), List.of(), TEST_NOTE,
                    List.of());
            assertThrows(java.io.IOException.class, failing::commit);
            failing.close();
            assertFalse(r.isCommitted("j3"));
            assertFalse(r.byName("d").isPresent());
            assertEquals(before + 1, r.revision());

            r.commit("j4", List.of(row("e", "/e")), List.of(), TEST_NOTE);
            assertTrue(reader.byName("e").isPresent(), "the connection is fit for the next commit");
            assertEquals(before + 2, reader.revision());
        }
    }

    /**
     * A group's look-ups in one query each give what one query per document gives: more values
     * than one IN list binds, names that fold to a taken key, values given twice, unknown ones.
     */
    @Test
    void lookUpsForAGroupAgreeWithOneQueryPerDocument() throws Exception {
        try (Registry r = SqliteRegistry.create(tmp.resolve("registry.db"))) {
            List<DocumentRow> rows = new java.util.ArrayList<>();
            for (int i = 0; i < 1200; i += 2) {
                rows.add(row("n" + i, "/in/n" + i + ".md"));
            }
            r.commit("j1", rows, List.of(), TEST_NOTE);

            List<String> uris = new java.util.ArrayList<>(), shas = new java.util.ArrayList<>(),
                    names = new java.util.ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                uris.add("/in/n" + i + ".md");
                shas.add("abn" + i);
                names.add(i % 3 == 0 ? "N" + i : "n" + i); // "N0" folds to the key of "n0"
            }
            uris.add("/in/n0.md");
            java.util.Map<String, DocumentRow> bySource = r.bySourceUris(uris);
            java.util.Map<String, String> bySha = r.namesBySha256(shas);
            java.util.Set<String> taken = r.namesTaken(names);
            assertEquals(600, bySource.size());
            for (int i = 0; i < 1200; i++) {
                assertEquals(r.bySourceUri(uris.get(i)).orElse(null), bySource.get(uris.get(i)), uris.get(i));
                assertEquals(r.bySha256(shas.get(i)).map(DocumentRow::docName).orElse(null), bySha.get(shas.get(i)));
                assertEquals(r.nameTaken(names.get(i)), taken.contains(names.get(i)), names.get(i));
            }
            assertTrue(taken.contains("N0"));
            assertEquals(java.util.Map.of(), r.bySourceUris(List.of()));
        }
    }

    /**
     * SQLITE_FULL (here from a page limit, as from a full disk) reads as the OS's words for a full
     * disk, like every other out-of-space failure of a batch, and leaves nothing of the transaction.
     */
    @Test
    void aFullRegistrySaysNoSpaceLeftOnDevice() throws Exception {
        try (Registry r = SqliteRegistry.create(tmp.resolve("registry.db"))) {
            r.commit("j1", List.of(row("a", "/a")), List.of(), TEST_NOTE);
            java.lang.reflect.Field f = SqliteRegistry.class.getDeclaredField("conn");
            f.setAccessible(true);
            try (java.sql.Statement s = ((java.sql.Connection) f.get(r)).createStatement()) {
                s.execute("PRAGMA max_page_count = " + pageCount(s));
            }
            java.util.List<DocumentRow> big = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                big.add(row("n" + i + "x".repeat(500), "/n" + i));
            }
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> r.commit("j2", big, List.of(), TEST_NOTE));
            String cause = dev.kb.core.text.Causes.oneLine(e);
            assertTrue(cause.startsWith("No space left on device"), cause);
            assertFalse(r.isCommitted("j2"));
            assertEquals(1, r.count());
        }
    }

    private static long pageCount(java.sql.Statement s) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = s.executeQuery("PRAGMA page_count")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aReaderRefusesAMissingOrUninitialisedRegistry() throws Exception {
        KbException missing = assertThrows(KbException.class, () -> SqliteRegistry.openReadOnly(tmp.resolve("none.db")));
        assertEquals(KbException.Kind.KB_UNUSABLE, missing.kind());
        Files.createFile(tmp.resolve("empty.db"));
        assertEquals(KbException.Kind.KB_UNUSABLE,
                assertThrows(KbException.class, () -> SqliteRegistry.openReadOnly(tmp.resolve("empty.db"))).kind());
        Files.writeString(tmp.resolve("junk.db"), "this is not a database, just text that is long enough to look like one");
        assertEquals(KbException.Kind.KB_UNUSABLE,
                assertThrows(KbException.class, () -> SqliteRegistry.open(tmp.resolve("junk.db"))).kind());
    }

    @Test
    void aWriterRefusesAMissingRegistryAndCreatesNothing() {
        Path db = tmp.resolve("gone.db");
        KbException e = assertThrows(KbException.class, () -> SqliteRegistry.open(db));
        assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertFalse(Files.exists(db), "an empty registry would make committed journals look uncommitted");
    }

    /** A version-1 registry as the first kb wrote it: keys only lower-cased. */
    @Test
    void upgradingFromVersionOneRefoldsTheNameKeys() throws Exception {
        Path db = tmp.resolve("registry.db");
        try (Registry r = SqliteRegistry.create(db)) {
            r.commit("j1", List.of(row("straße", "/s"), row("Ωmega", "/o"), row("λόγοσ", "/l")), List.of(), TEST_NOTE);
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement()) {
            // what version 1 stored: NFKC, lower case; straße and STRASSE were two keys then
            s.executeUpdate("UPDATE documents SET name_key = 'straße' WHERE doc_name = 'straße'");
            s.executeUpdate("INSERT INTO documents SELECT 'STRASSE', 'strasse', sha256, 'raw/STRASSE.md',"
                    + " 'wiki/sources/STRASSE.md', '/S', type, title, size, added_at, updated_at, etag, last_modified,"
                    + " NULL, NULL, NULL, NULL FROM documents WHERE doc_name = 'straße'");
            s.executeUpdate("UPDATE documents SET name_key = 'λόγοσ' WHERE doc_name = 'λόγοσ'");
            s.execute("PRAGMA user_version=1");
        }
        try (Registry r = SqliteRegistry.open(db)) {
            assertTrue(r.nameTaken("λόγος"), "a refolded key catches what the old one missed (final sigma)");
            assertTrue(r.nameTaken("Straße") && r.nameTaken("strasse"));
            assertEquals(4, r.count(), "no document is lost to a clash of the new keys");
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            assertEquals(SqliteRegistry.SCHEMA_VERSION, rs.getInt(1));
        }
    }

    /** A zero-byte registry is a lost one: a writer refuses it and leaves it as found; only create makes the schema. */
    @Test
    void aWriterRefusesAZeroByteRegistryWithoutWritingIntoIt() throws Exception {
        Path db = Files.createFile(tmp.resolve("registry.db"));
        KbException e = assertThrows(KbException.class, () -> SqliteRegistry.open(db));
        assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
        assertTrue(e.getMessage().contains("kb recover --rebuild-registry"), e.getMessage());
        assertEquals(0, Files.size(db), "the refused file was written to");
        assertFalse(Files.exists(tmp.resolve("registry.db-wal")));
        try (Registry r = SqliteRegistry.create(db)) {
            assertEquals(0, r.count());
        }
        SqliteRegistry.open(db).close();
    }

    @Test
    void healthTellsMissingEmptyDamagedNewerAndSoundApart() throws Exception {
        assertEquals(SqliteRegistry.Condition.MISSING, SqliteRegistry.health(tmp.resolve("none.db"), true).condition());
        assertFalse(Files.exists(tmp.resolve("none.db")), "looking made a file");

        Path zero = Files.createFile(tmp.resolve("zero.db"));
        assertEquals(SqliteRegistry.Condition.UNINITIALISED, SqliteRegistry.health(zero, true).condition());

        Path other = tmp.resolve("other.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + other); var st = c.createStatement()) {
            st.execute("CREATE TABLE t(x)");
        }
        assertEquals(SqliteRegistry.Condition.UNINITIALISED, SqliteRegistry.health(other, true).condition());

        Path junk = tmp.resolve("junk.db");
        Files.writeString(junk, "this is not a database, just text that is long enough to look like one");
        SqliteRegistry.Health h = SqliteRegistry.health(junk, true);
        assertEquals(SqliteRegistry.Condition.DAMAGED, h.condition());
        assertTrue(h.detail().contains("not a database"), h.detail());
        KbException opened = assertThrows(KbException.class, () -> SqliteRegistry.openReadOnly(junk));
        assertTrue(opened.getMessage().contains("damaged") && opened.getMessage().contains("--rebuild-registry"),
                opened.getMessage());

        Path dir = Files.createDirectory(tmp.resolve("dir.db"));
        assertEquals(SqliteRegistry.Condition.DAMAGED, SqliteRegistry.health(dir, true).condition());

        Path sound = tmp.resolve("sound.db");
        try (Registry r = SqliteRegistry.create(sound)) {
            r.commit("j1", List.of(row("a", "/a"), row("b", "/b")), List.of(), TEST_NOTE);
        }
        h = SqliteRegistry.health(sound, true);
        assertEquals(SqliteRegistry.Condition.SOUND, h.condition());
        assertEquals(2, h.documents());

        Path tableless = tmp.resolve("tableless.db");
        try (Registry r = SqliteRegistry.create(tableless)) {
            r.count();
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tableless); var st = c.createStatement()) {
            st.execute("DROP TABLE commits");
        }
        assertEquals(SqliteRegistry.Condition.DAMAGED, SqliteRegistry.health(tableless, true).condition());

        Path newer = tmp.resolve("newer.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + newer); var st = c.createStatement()) {
            st.execute("PRAGMA user_version=" + (SqliteRegistry.SCHEMA_VERSION + 1));
        }
        assertEquals(SqliteRegistry.Condition.NEWER, SqliteRegistry.health(newer, true).condition());
    }

    @Test
    void aRebuiltRegistryRefusesASecondRowOfOneSourceAndKeepsNamesThatFoldAlikeApart() throws Exception {
        Path db = tmp.resolve("rebuilt.db");
        try (SqliteRegistry.Rebuild b = SqliteRegistry.rebuild(db)) {
            assertEquals(java.util.Optional.empty(), b.add(row("straße", "/s")));
            assertTrue(b.add(row("copy", "/s")).orElseThrow().contains("straße"), "one source, two rows");
            // "STRASSE" and "Strasse" fold to the key of "straße", as a version-1 upgrade can leave them
            assertEquals(java.util.Optional.empty(), b.add(row("Strasse", "/S")));
            assertEquals(java.util.Optional.empty(), b.add(row("STRASSE", "/S2")));
            assertTrue(b.add(row("STRASSE", "/s3")).isPresent(), "no key is left for a name already there");
            b.finish();
        }
        assertFalse(Files.exists(tmp.resolve("rebuilt.db-wal")), "the rebuilt file needs no log beside it");
        try (Registry r = SqliteRegistry.open(db)) {
            assertEquals(3, r.count());
            assertTrue(r.nameTaken("strasse"));
        }
        assertThrows(IllegalStateException.class, () -> SqliteRegistry.rebuild(db), "never over a file");
    }
}
