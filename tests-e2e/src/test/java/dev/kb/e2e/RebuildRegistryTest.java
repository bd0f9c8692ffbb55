package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kb recover --rebuild-registry}: a registry that is deleted, zero bytes or corrupt is made
 * again from raw/ and wiki/sources/, row for row (every column but the HTTP validators, which are
 * not on disk, and updated_at, which is taken from the files' times), the old file kept aside.
 * Every command facing such a registry says to run it.
 */
class RebuildRegistryTest extends E2EBase {
    static final String KEY = "pi-e2e-rebuild-key";
    static final String REBUILD = "kb recover --rebuild-registry";
    /** Columns the files do not hold: the HTTP validators are lost, updated_at is approximated. */
    /**
     * What no file says: HTTP validators, the update time, and how a page was made (the key it was
     * made under, its hash then, what its front matter was rendered from), which only the add that
     * made it knew: a rebuild leaves them empty rather than vouch for a page it did not make; and
     * what a URL's fetch said (final URL, Content-Type, name hint), which only that fetch knew.
     */
    static final Set<String> NOT_ON_DISK = Set.of("etag", "last_modified", "updated_at", "page_key", "page_sha256",
            "page_fields", "fetch_fields");

    private MockWebServer server;
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch requested = new java.util.concurrent.CountDownLatch(1);

    @BeforeEach
    void serve() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                return answer(r);
            }
        });
        server.start();
        init();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.shutdown();
    }

    private MockResponse answer(RecordedRequest r) {
        String path = r.getPath();
        if (path.equals("/slow.html")) {
            requested.countDown();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                    .setBody(html("Slow Page", "Served once the test lets it go."));
        }
        if (path.equals("/articles/post.html")) {
            return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setHeader("ETag", "\"v1\"")
                    .setHeader("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
                    .setBody(html("Served Article", "An article served over HTTP for the rebuild."));
        }
        if (path.equals("/download/figures")) {
            return new MockResponse().setHeader("Content-Type", "application/octet-stream")
                    .setBody(new Buffer().write(UrlTest.minimalPdf("Figures served as a PDF")));
        }
        if (path.startsWith("/doc/pi-") && KEY.equals(r.getHeader("api_key"))) {
            return cloud(r);
        }
        return new MockResponse().setResponseCode(404).setBody("no such page");
    }

    /** The three endpoints of pageindex-cloud-api.md that an import uses, for any id "pi-…". */
    private static MockResponse cloud(RecordedRequest r) {
        var url = r.getRequestUrl();
        String id = url.pathSegments().get(1);
        ObjectNode root = Kb.JSON.createObjectNode().put("doc_id", id).put("status", "completed");
        if (url.pathSegments().size() == 4 && url.pathSegments().get(2).equals("metadata")) {
            return json("{\"id\":\"" + id + "\",\"name\":\"Board Minutes " + id + ".pdf\",\"description\":null,"
                    + "\"status\":\"completed\",\"createdAt\":\"2025-01-02T03:04:05Z\",\"pageNum\":2}");
        }
        ArrayNode result = root.putArray("result");
        if ("tree".equals(url.queryParameter("type"))) {
            root.put("retrieval_ready", true);
            result.addObject().put("title", "Minutes").put("node_id", "0000").put("page_index", 1)
                    .put("summary", "What was decided.");
        } else {
            for (int p = 1; p <= 2; p++) {
                result.addObject().put("page_index", p).put("markdown", "Page " + p + " of " + id);
            }
        }
        return json(root.toString());
    }

    private static MockResponse json(String body) {
        return new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
    }

    private String url(String path) {
        return server.url(path).toString();
    }

    /** Local Markdown, text, HTML and PDF files, an HTML page and a PDF by URL, and a cloud import. */
    private List<Map<String, Object>> populated() {
        file("notes/plan.md", markdown("Plan", "The plan, in Markdown."));
        file("notes/todo.txt", "Things to do, in plain text.\n");
        file("notes/page.html", html("Saved Page", "A page saved from the web."));
        file("notes/report.pdf", UrlTest.minimalPdf("A report in a tiny PDF"));
        kb("add", "notes", url("/articles/post.html"), url("/download/figures")).expect(0);
        // an update keeps the first add's added_at, in the row and in the front matter alike
        file("notes/plan.md", markdown("Plan", "The plan, in Markdown, revised."));
        Kb.Result update = kb("add", "--json", "notes/plan.md").expect(0);
        assertEquals("updated", update.events().get(0).get("status").asText(), update.err());
        kbEnv(new String[] {"PAGEINDEX_API_KEY", KEY, "PAGEINDEX_BASE_URL", "http://127.0.0.1:" + server.getPort()},
                "import", "--cloud", "pi-minutes7").expect(0);
        List<Map<String, Object>> rows = KbState.allColumns(kb);
        assertEquals(7, rows.size(), rows.toString());
        // the HTML and PDF conversions and the cloud import record how their pages were made
        assertEquals(5, rows.stream().filter(r -> r.get("page_key") != null).count(), rows.toString());
        // and the two URLs what their fetches said
        assertEquals(2, rows.stream().filter(r -> r.get("fetch_fields") != null).count(), rows.toString());
        KbState.assertAtRest(kb);
        return rows;
    }

    private void deleteRegistry() throws Exception {
        for (String f : List.of("registry.db", "registry.db-wal", "registry.db-shm")) {
            Files.deleteIfExists(kb.resolve(".kb").resolve(f));
        }
    }

    /** Every command that needs the registry says what to run, in one line, and changes nothing. */
    private void everyCommandPointsToTheRebuild(String... mentions) {
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        file("later.md", markdown("Later", "waits for the registry"));
        List<String> all = new ArrayList<>(List.of("registry", REBUILD));
        all.addAll(List.of(mentions));
        String[] m = all.toArray(String[]::new);
        kb("status").expect(3).oneErrorLine(m);
        kb("add", "later.md").expect(3).oneErrorLine(m);
        kb("recover").expect(3).oneErrorLine(m);
        kb("list").expect(3).oneErrorLine(m);
        kb("init", kb.toString()).expect(3).oneErrorLine(m);
        KbState.assertUnchanged(before, kb);
    }

    /** The rows after a rebuild are the rows before, column for column, but for what is not on disk. */
    private static void assertSameRows(List<Map<String, Object>> before, List<Map<String, Object>> after) {
        assertEquals(names(before), names(after));
        for (int i = 0; i < before.size(); i++) {
            Map<String, Object> b = new TreeMap<>(before.get(i));
            Map<String, Object> a = new TreeMap<>(after.get(i));
            assertNull(a.get("etag"), "an ETag is not on disk: " + a);
            assertNull(a.get("last_modified"), "a Last-Modified is not on disk: " + a);
            for (String origin : List.of("page_key", "page_sha256", "page_fields")) {
                assertNull(a.get(origin), "how a page was made is not on disk: " + a);
            }
            assertNull(a.get("fetch_fields"), "what a fetch said is not on disk: " + a);
            Instant added = Instant.parse((String) a.get("added_at"));
            Instant updated = Instant.parse((String) a.get("updated_at"));
            Instant updatedBefore = Instant.parse((String) b.get("updated_at"));
            assertFalse(updated.isBefore(added), "updated_at before added_at: " + a);
            assertTrue(Duration.between(updated, updatedBefore).abs().compareTo(Duration.ofSeconds(30)) < 0,
                    "updated_at " + updated + " is far from the original " + updatedBefore);
            NOT_ON_DISK.forEach(k -> {
                b.remove(k);
                a.remove(k);
            });
            assertEquals(b, a, "row " + b.get("doc_name") + " is not what it was");
        }
    }

    private static List<Object> names(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> r.get("doc_name")).toList();
    }

    private JsonNode rebuild(int expected) {
        Kb.Result r = kb("recover", "--rebuild-registry", "--json").expect(expected).assertNoStackTrace();
        List<JsonNode> lines = r.json();
        assertEquals(1, lines.size(), r.out());
        JsonNode rebuilt = lines.get(0).get("rebuilt");
        assertNotNull(rebuilt, r.out());
        return lines.get(0);
    }

    /** After a rebuild the KB works: nothing to report, and the next add commits. */
    private void worksAfterwards(int documents) {
        Kb.Result check = kb("recover", "--json").expect(0).assertNoStackTrace();
        assertEquals(0, check.json().get(0).get("problems").size(), check.out());
        file("after.md", markdown("After", "added once the registry is back"));
        Kb.Result add = kb("add", "--json", "after.md").expect(0);
        assertEquals("added", add.events().get(0).get("status").asText(), add.err());
        assertEquals(documents + 1, status().get("documents").asInt());
        KbState.assertAtRest(kb);
    }

    // ---- the tests -------------------------------------------------------------------------

    @Test
    void aDeletedRegistryIsRebuiltRowForRowFromFilesUrlsPdfsAndACloudImport() throws Exception {
        List<Map<String, Object>> before = populated();
        assertNotNull(before.stream().filter(r -> "\"v1\"".equals(r.get("etag"))).findFirst().orElse(null),
                "the served page's ETag is registered: " + before);
        deleteRegistry();
        everyCommandPointsToTheRebuild("missing");

        JsonNode out = rebuild(0);
        JsonNode rebuilt = out.get("rebuilt");
        assertEquals("missing", rebuilt.get("was").asText());
        assertEquals(7, rebuilt.get("documents").asInt(), out.toString());
        assertTrue(rebuilt.get("kept_aside").isNull(), "nothing to keep: " + out);
        assertEquals(0, rebuilt.get("not_rebuilt").size(), out.toString());
        assertEquals(2, rebuilt.get("web_documents").asInt(), out.toString());
        assertEquals(0, out.get("problems").size(), out.toString());

        List<Map<String, Object>> after = KbState.allColumns(kb);
        assertSameRows(before, after);
        Map<String, Object> cloud = after.stream().filter(r -> "pageindex-cloud".equals(r.get("type"))).findFirst()
                .orElseThrow();
        assertNull(cloud.get("raw_path"));
        assertEquals(KbState.sha256(kb.resolve((String) cloud.get("source_path"))), cloud.get("sha256"));
        KbState.assertAtRest(kb);
        worksAfterwards(7);

        // the lost validators only cost a full download: the unchanged page is still a skip
        Kb.Result again = kb("add", "--json", url("/articles/post.html")).expect(0);
        assertEquals("skipped", again.events().get(0).get("status").asText(), again.out());
    }

    @Test
    void aZeroByteRegistryIsKeptAsideAndRebuilt() throws Exception {
        List<Map<String, Object>> before = populated();
        deleteRegistry();
        Files.write(kb.resolve(".kb/registry.db"), new byte[0]);
        everyCommandPointsToTheRebuild("empty");
        assertEquals(0, Files.size(kb.resolve(".kb/registry.db")), "a refusing command wrote into the registry");

        JsonNode rebuilt = rebuild(0).get("rebuilt");
        assertTrue(rebuilt.get("was").asText().contains("zero bytes"), rebuilt.toString());
        Path aside = kb.resolve(rebuilt.get("kept_aside").asText());
        assertTrue(aside.getFileName().toString().startsWith("registry.db.damaged-"), aside.toString());
        assertEquals(0, Files.size(aside), "the old file is kept as it was");
        assertSameRows(before, KbState.allColumns(kb));
        worksAfterwards(7);
        assertTrue(Files.exists(aside), "the old file is never deleted");
    }

    @Test
    void aCorruptRegistryIsKeptAsideAsItWasAndRebuilt() throws Exception {
        List<Map<String, Object>> before = populated();
        deleteRegistry();
        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(kb.resolve(".kb/registry.db"), garbage);
        everyCommandPointsToTheRebuild("damaged");

        JsonNode rebuilt = rebuild(0).get("rebuilt");
        assertTrue(rebuilt.get("was").asText().startsWith("damaged"), rebuilt.toString());
        assertArrayEquals(garbage, Files.readAllBytes(kb.resolve(rebuilt.get("kept_aside").asText())));
        assertSameRows(before, KbState.allColumns(kb));
        worksAfterwards(7);
    }

    /** A database whose first page is sound but whose table pages are not: SQLite says "malformed". */
    @Test
    void aRegistryDamagedPastItsHeaderIsRebuilt() throws Exception {
        List<Map<String, Object>> before = populated();
        Path db = kb.resolve(".kb/registry.db");
        checkpoint(db);
        byte[] bytes = Files.readAllBytes(db);
        assertTrue(bytes.length > 4096 * 2, "the registry has more than one page: " + bytes.length);
        for (int i = 4096; i < bytes.length; i++) {
            bytes[i] = (byte) 0xA5;
        }
        Files.write(db, bytes);
        Kb.Result st = kb("status").expect(3).assertNoStackTrace();
        assertTrue(st.err().contains(REBUILD), st.err());

        JsonNode rebuilt = rebuild(0).get("rebuilt");
        assertTrue(rebuilt.get("was").asText().startsWith("damaged"), rebuilt.toString());
        assertSameRows(before, KbState.allColumns(kb));
        worksAfterwards(7);
    }

    @Test
    void aSoundRegistryIsNotReplaced() {
        populated();
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        kb("recover", "--rebuild-registry").expect(2).oneErrorLine("sound", "7 document(s)");
        KbState.assertUnchanged(before, kb);
    }

    /** A page without front matter, a raw file that changed, a raw file without a page: reported, not guessed. */
    @Test
    void whatTheFilesDoNotProveIsReportedAndLeftOut() throws Exception {
        List<Map<String, Object>> before = populated();
        deleteRegistry();
        Files.writeString(kb.resolve("wiki/sources/plan.md"), "# Plan\n\nno front matter any more\n");
        Files.writeString(kb.resolve("raw/todo.txt"), "changed outside kb\n");
        Files.delete(kb.resolve("wiki/sources/page.md"));
        KbState.Snapshot files = KbState.snapshotFiles(kb);

        Kb.Result r = kb("recover", "--rebuild-registry").expect(1).assertNoStackTrace();
        assertTrue(r.err().contains("not rebuilt: wiki/sources/plan.md: it has no front matter"), r.err());
        assertTrue(r.err().contains("not rebuilt: wiki/sources/todo.md: raw/todo.txt does not match the sha256"),
                r.err());
        assertTrue(r.err().contains("not rebuilt: raw/page.html: no page"), r.err());
        List<Map<String, Object>> after = KbState.allColumns(kb);
        List<Map<String, Object>> kept = before.stream()
                .filter(row -> !Set.of("plan", "todo", "page").contains(row.get("doc_name"))).toList();
        assertSameRows(kept, after);
        // the rebuild changed no document file: the leftovers are there for a person to look at
        Map<String, String> docsBefore = new HashMap<>(files.files());
        Map<String, String> docsAfter = new HashMap<>(KbState.snapshotFiles(kb).files());
        docsBefore.keySet().removeIf(k -> k.startsWith(".kb/") || k.equals("wiki/index.md"));
        docsAfter.keySet().removeIf(k -> k.startsWith(".kb/") || k.equals("wiki/index.md"));
        assertEquals(docsBefore, docsAfter);
        // they are what recover reports; the registry itself is sound now
        Kb.Result check = kb("recover").expect(1);
        assertTrue(check.err().contains("raw/page.html belongs to no document"), check.err());
        kb("recover", "--rebuild-registry").expect(2).oneErrorLine("sound");
    }

    /**
     * A pending journal is decided by its own status and by what is on disk, never by the rebuilt
     * registry, which knows no journal ids: marked committed, it is finished; not yet published, it
     * is rolled back; published but unmarked (committed or not: only the lost registry knew), its
     * files are kept and the journal goes to quarantine with its backups.
     */
    @Test
    void pendingJournalsAreDecidedByTheirOwnStatusNotByTheRebuiltRegistry() throws Exception {
        Map<String, Boolean> kept = Map.of("journal-written", false, "published", true, "committed", true,
                "journal-marked", true);
        for (Map.Entry<String, Boolean> step : new TreeMap<>(kept).entrySet()) {
            KbState.deleteTree(kb);
            init();
            file("first.md", markdown("First", "committed before the crash"));
            kb("add", "first.md").expect(0);
            file("second.md", markdown("Second", "in flight at step " + step.getKey()));
            kbEnv(new String[] {"KB_TEST_HALT_AT", step.getKey()}, "add", "second.md").expect(CrashStepsTest.HALTED);
            assertEquals(1, KbState.list(kb.resolve(".kb/journal")).size(), step.getKey());
            deleteRegistry();

            Kb.Result r = kb("recover", "--rebuild-registry", "--json").expect(0).assertNoStackTrace();
            JsonNode rebuilt = r.json().get(0).get("rebuilt");
            List<String> names = KbState.assertAtRest(kb).stream().map(KbState.Row::docName).toList();
            assertEquals(step.getValue() ? List.of("first", "second") : List.of("first"), names,
                    step.getKey() + ": " + r.err());
            boolean quarantined = step.getKey().equals("published") || step.getKey().equals("committed");
            assertEquals(quarantined ? 1 : 0, rebuilt.get("journals_kept_published").asInt(), step.getKey());
            assertEquals(step.getKey().equals("journal-written") ? 1 : 0, rebuilt.get("journals_rolled_back").asInt());
            assertEquals(quarantined, !KbState.list(kb.resolve(".kb/quarantine")).isEmpty(), step.getKey());
            if (quarantined) {
                assertTrue(r.err().contains("only the lost registry knew whether it was committed"), r.err());
            }
            if (step.getKey().equals("journal-marked")) {
                assertEquals(1, r.json().get(0).get("finished").asInt(), "finished by its status: " + r.out());
                assertTrue(read(kb.resolve("wiki/log.md")).contains("second"), "its log block is written");
            }
            worksAfterwards(names.size());
        }
    }

    /** A rebuild stopped at each of its steps leaves a KB that the next rebuild makes whole. */
    @Test
    void aRebuildHaltedAtEachStepIsCompletedByTheNext() throws Exception {
        List<Map<String, Object>> before = populated();
        for (String step : List.of("rebuild-written", "rebuild-kept-aside")) {
            Files.write(kb.resolve(".kb/registry.db"), new byte[0]);
            for (String f : List.of("registry.db-wal", "registry.db-shm")) {
                Files.deleteIfExists(kb.resolve(".kb").resolve(f));
            }
            kbEnv(new String[] {"KB_TEST_HALT_AT", step}, "recover", "--rebuild-registry")
                    .expect(CrashStepsTest.HALTED);
            Kb.Result st = kb("status").expect(3);
            assertTrue(st.err().contains(REBUILD), step + ": " + st.err());
            rebuild(0);
            assertSameRows(before, KbState.allColumns(kb));
            List<String> meta = KbState.list(kb.resolve(".kb"));
            assertFalse(meta.stream().anyMatch(f -> f.contains(".rebuild")), "a leftover temporary: " + meta);
            KbState.assertAtRest(kb);
        }
        long aside = KbState.list(kb.resolve(".kb")).stream().filter(f -> f.startsWith("registry.db.damaged-")).count();
        assertTrue(aside >= 2, "every old file is kept");
        worksAfterwards(7);
    }

    /**
     * A writer keeps the registry open between the groups it commits, without the lock: replacing
     * the registry under it would send its next commit into the file kept aside. So the rebuild
     * waits for no other kb process to be at work.
     */
    @Test
    void noRebuildWhileAnotherKbProcessIsAtWork() throws Exception {
        populated();
        // a writer that opened the registry and now downloads, without the lock, its staging folder held
        Kb.Running writer = startKb("add", url("/slow.html"));
        assertTrue(requested.await(60, java.util.concurrent.TimeUnit.SECONDS), "the writer never asked: "
                + writer.err());
        deleteRegistry(); // a bad restore while it runs: it still has the old file open
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        kb("recover", "--rebuild-registry", "--wait", "0").expect(75).oneErrorLine("another kb process", "pid");
        KbState.assertUnchanged(before, kb);

        release.countDown();
        writer.await(); // its commit went into the deleted file, or failed: either way it has ended
        JsonNode out = rebuild(0);
        assertTrue(out.get("rebuilt").get("documents").asInt() >= 7, out.toString());
        KbState.assertAtRest(kb);
    }

    /** Folds the registry's WAL into the database file, as a writer's last close does. */
    private static void checkpoint(Path db) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             var s = c.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Files.deleteIfExists(db.resolveSibling("registry.db-wal"));
        Files.deleteIfExists(db.resolveSibling("registry.db-shm"));
        assertTrue(Files.size(db) > 0, new String(Files.readAllBytes(db), 0, 16, StandardCharsets.US_ASCII));
    }
}
