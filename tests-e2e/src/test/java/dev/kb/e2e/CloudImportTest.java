package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kb import --cloud} against a fake PageIndex Cloud that follows pageindex-cloud-api.md:
 * {@code api_key} header, metadata, tree and OCR endpoints with trailing slashes.
 */
class CloudImportTest extends E2EBase {
    static final String KEY = "pi-e2e-SECRET-KEY-5c1d0e9b";

    private MockWebServer server;
    private final Map<String, AtomicInteger> requestsPerDoc = new ConcurrentHashMap<>();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch raceBarrier = new CountDownLatch(2);
    private final List<Kb.Result> results = new ArrayList<>();

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
        server.shutdown();
        assertTrue(unexpected.isEmpty(), "requests outside the spec: " + unexpected);
        // the key never lands on disk nor in kb's output
        byte[] key = KEY.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(kb)) {
            for (Path p : (Iterable<Path>) files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))::iterator) {
                assertFalse(contains(Files.readAllBytes(p), key), "the API key is written in " + p);
            }
        }
        for (Kb.Result r : results) {
            assertFalse(r.out().contains(KEY) || r.err().contains(KEY), "the API key is printed by " + r.label());
        }
    }

    private Kb.Result kbImport(String... args) {
        return kbImport(new String[0], args);
    }

    private Kb.Result kbImport(String[] extraEnv, String... args) {
        String[] envs = Stream.concat(Stream.of("PAGEINDEX_API_KEY", KEY, "PAGEINDEX_BASE_URL", base()),
                Stream.of(extraEnv)).toArray(String[]::new);
        Kb.Result r = Kb.run(work, Kb.env(home, envs), withKb(args));
        results.add(r);
        return r;
    }

    private Kb.Running startImport(String... args) {
        return Kb.start(work, Kb.env(home, "PAGEINDEX_API_KEY", KEY, "PAGEINDEX_BASE_URL", base()), withKb(args));
    }

    private String base() {
        return "http://127.0.0.1:" + server.getPort();
    }

    private int requests(String id) {
        return requestsPerDoc.computeIfAbsent(id, k -> new AtomicInteger()).get();
    }

    // ---- the fake service ------------------------------------------------------------------

    private MockResponse answer(RecordedRequest r) {
        HttpUrl url = r.getRequestUrl();
        List<String> seg = url.pathSegments();
        if (!KEY.equals(r.getHeader("api_key"))) {
            return json(401, "{\"error\":\"Invalid API key\",\"errorCode\":\"UNAUTHORIZED\"}");
        }
        if (!"GET".equals(r.getMethod()) || seg.size() < 3 || !seg.get(0).equals("doc")) {
            unexpected.add(r.getRequestLine());
            return json(404, "{\"error\":\"Not found\",\"errorCode\":\"NOT_FOUND\"}");
        }
        String id = seg.get(1);
        requestsPerDoc.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (!id.startsWith("pi-")) {
            return json(404, "{\"error\":\"Document not found\",\"errorCode\":\"NOT_FOUND\"}");
        }
        String name = "Annual Report " + id.substring(3) + ".pdf";
        MockResponse res;
        if (seg.size() == 4 && seg.get(2).equals("metadata") && seg.get(3).isEmpty()) {
            if (id.equals("pi-race2")) {
                // a barrier: neither racer gets its metadata until both have asked, so both fetch
                // and the loser can only find out under the lock
                raceBarrier.countDown();
                try {
                    raceBarrier.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            res = json(200, "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"description\":null,\"status\":"
                    + "\"completed\",\"createdAt\":\"2025-01-02T03:04:05Z\",\"pageNum\":3}");
        } else if (seg.size() == 3 && seg.get(2).isEmpty() && "tree".equals(url.queryParameter("type"))
                && "true".equals(url.queryParameter("summary"))) {
            res = json(200, tree(id));
        } else if (seg.size() == 3 && seg.get(2).isEmpty() && "ocr".equals(url.queryParameter("type"))
                && "page".equals(url.queryParameter("format"))) {
            res = json(200, ocr(id));
        } else {
            unexpected.add(r.getRequestLine());
            return json(404, "{\"error\":\"Not found\",\"errorCode\":\"NOT_FOUND\"}");
        }
        // a little latency, so that two racing importers overlap in their fetches
        return res.setBodyDelay(100, TimeUnit.MILLISECONDS);
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    private static String tree(String id) {
        ObjectNode root = Kb.JSON.createObjectNode().put("doc_id", id).put("status", "completed")
                .put("retrieval_ready", true);
        ArrayNode result = root.putArray("result");
        ObjectNode intro = result.addObject().put("title", "Introduction").put("node_id", "0000").put("page_index", 1)
                .put("summary", "What the report covers.");
        intro.putArray("nodes").addObject().put("title", "Scope").put("node_id", "0001").put("page_index", 1)
                .put("summary", "The scope of " + id + ".");
        result.addObject().put("title", "Results").put("node_id", "0002").put("page_index", 2)
                .put("summary", "Numbers and what they mean.");
        return root.toString();
    }

    private static String ocr(String id) {
        ObjectNode root = Kb.JSON.createObjectNode().put("doc_id", id).put("status", "completed");
        ArrayNode result = root.putArray("result");
        for (int p = 1; p <= 3; p++) {
            result.addObject().put("page_index", p).put("markdown", "Page " + p + " of " + id + ": OCR-TEXT-" + p);
        }
        return root.toString();
    }

    // ---- the tests -------------------------------------------------------------------------

    @Test
    void importWritesSourceAndTreeWithoutRawThenReimportSendsNothing() throws Exception {
        Kb.Result r = kbImport("import", "--cloud", "--json", "pi-report1").expect(0).assertNoStackTrace();
        JsonNode ev = r.events().get(0);
        assertEquals("added", ev.get("status").asText(), r.err());
        assertEquals("pi-report1", ev.get("input").asText());
        String name = ev.get("doc").asText();
        assertEquals(3, requests("pi-report1"), "metadata, tree and OCR: one request each");

        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(1, rows.size());
        KbState.Row row = rows.get(0);
        assertEquals(name, row.docName());
        assertEquals("pageindex-cloud:pi-report1", row.sourceUri());
        assertNull(row.rawPath(), "a cloud document has no raw bytes");
        assertEquals("wiki/sources/" + name + ".md", row.sourcePath());
        assertEquals(KbState.sha256(kb.resolve(row.sourcePath())), row.sha256());
        assertEquals(List.of(), KbState.list(kb.resolve("raw")));
        String md = read(kb.resolve(row.sourcePath()));
        assertTrue(md.startsWith("---\n"), md);
        for (int p = 1; p <= 3; p++) {
            assertTrue(md.contains("OCR-TEXT-" + p), md);
        }
        JsonNode tree = Kb.JSON.readTree(kb.resolve("wiki/sources/" + name + ".tree.json").toFile());
        assertTrue(tree.toString().contains("Introduction") && tree.toString().contains("Results"), tree.toString());

        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result again = kbImport("import", "--cloud", "--json", "pi-report1").expect(0);
        assertEquals("skipped", again.events().get(0).get("status").asText());
        assertEquals(name, again.events().get(0).get("doc").asText());
        assertEquals(3, requests("pi-report1"), "a re-import must not reach the cloud");
        KbState.assertUnchanged(before, kb);
    }

    /**
     * Issue 12, {@code --cache kb:PATH}: a document another KB holds is imported from it without a
     * request to the cloud when its row records that this kb rendered it (registry schema 5: the
     * same kb build wrote both); a row that records no rendering (an import by an older kb) only
     * when {@code kb.cloud = trust} says its renderings are this kb's. The other KB is not changed
     * either way.
     */
    @Test
    void aDocumentAnotherKbHoldsIsImportedFromItWithoutARequestWhenItsRenderingIsThisKbs() throws Exception {
        kbImport("import", "--cloud", "pi-shared4").expect(0);
        int asked = requests("pi-shared4");
        KbState.Snapshot before = KbState.snapshot(kb);
        Path config = Files.createDirectories(home.resolve(".config/kb")).resolve("cache.properties");
        Files.writeString(config, "deadline = 20s\n");
        String[] cloud = {"PAGEINDEX_API_KEY", KEY, "PAGEINDEX_BASE_URL", base()};

        Path second = tmp.resolve("second");
        Kb.run(work, env, "init", second.toString()).expect(0);
        Kb.Result r = Kb.run(work, Kb.env(home, cloud), "--kb", second.toString(), "import", "--cloud", "-v", "--cache",
                "kb:" + kb, "pi-shared4").expect(0).assertNoStackTrace();
        results.add(r);
        assertEquals(asked, requests("pi-shared4"), "the cloud was asked");
        assertFalse(r.err().contains("warning"), r.err());
        assertTrue(r.err().contains("kb: cache kb:" + kb + ": 1 hit(s), 0 miss(es) in this run"), r.err());
        assertEquals(PublicKbCacheTest.documents(kb), PublicKbCacheTest.documents(second));
        KbState.assertAtRest(second);
        KbState.assertUnchanged(before, kb);

        // what an older kb's import leaves: a row that records nothing of its rendering
        Path db = kb.resolve(".kb/registry.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("UPDATE documents SET page_key = NULL, page_sha256 = NULL, page_fields = NULL");
        }
        KbState.Snapshot older = KbState.snapshot(kb);
        Path plain = tmp.resolve("plain");
        Kb.run(work, env, "init", plain.toString()).expect(0);
        results.add(Kb.run(work, Kb.env(home, cloud), "--kb", plain.toString(), "import", "--cloud", "--cache",
                "kb:" + kb, "pi-shared4").expect(0));
        assertEquals(2 * asked, requests("pi-shared4"), "a rendering of unknown origin was taken untrusted");
        assertEquals(PublicKbCacheTest.documents(kb), PublicKbCacheTest.documents(plain));

        Files.writeString(config, "kb.cloud = trust\ndeadline = 20s\n");
        Path trusting = tmp.resolve("trusting");
        Kb.run(work, env, "init", trusting.toString()).expect(0);
        Kb.Result t = Kb.run(work, Kb.env(home, cloud), "--kb", trusting.toString(), "import", "--cloud", "--cache",
                "kb:" + kb, "pi-shared4").expect(0).assertNoStackTrace();
        results.add(t);
        assertEquals(2 * asked, requests("pi-shared4"), "trusted, the cloud was asked");
        assertFalse(t.err().contains("warning"), t.err());
        assertEquals(PublicKbCacheTest.documents(kb), PublicKbCacheTest.documents(trusting));
        KbState.assertAtRest(trusting);
        KbState.assertUnchanged(older, kb);
    }

    @Test
    void wrongKeyFailsTheDocumentAndNamesTheVariable() {
        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result r = kbImport(new String[] {"PAGEINDEX_API_KEY", "wrong-key"}, "import", "--cloud", "pi-report1")
                .expect(1).assertNoStackTrace();
        assertTrue(r.errLines().stream().anyMatch(l -> l.contains("pi-report1") && l.contains("PAGEINDEX_API_KEY")),
                r.err());
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void twoImportersRacingOnOneIdMakeOneDocument() throws Exception {
        Kb.Running a = startImport("import", "--cloud", "--json", "pi-race2");
        Kb.Running b = startImport("import", "--cloud", "--json", "pi-race2");
        Kb.Result ra = a.await().expect(0);
        Kb.Result rb = b.await().expect(0);
        results.add(ra);
        results.add(rb);
        Set<String> statuses = Set.of(ra.events().get(0).get("status").asText(),
                rb.events().get(0).get("status").asText());
        assertEquals(Set.of("added", "skipped"), statuses, "one importer adds, the other skips: " + ra.out() + rb.out());
        assertEquals(6, requests("pi-race2"), "both importers fetched: the skip was decided under the lock");
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("pageindex-cloud:pi-race2", rows.get(0).sourceUri());
    }

    @Test
    void importHaltedAfterPublishingIsRolledBack() {
        kbImport(new String[] {"KB_TEST_HALT_AT", "published"}, "import", "--cloud", "pi-halt3")
                .expect(CrashStepsTest.HALTED);
        JsonNode st = status();
        assertEquals(1, st.get("pending_journals").asInt(), st.toString());
        assertTrue(st.get("lock").isNull(), st.toString());
        assertEquals(0, st.get("documents").asInt());

        kb("recover").expect(0).assertNoStackTrace();
        assertEquals(List.of(), KbState.assertAtRest(kb));
        assertEquals(List.of(), KbState.list(kb.resolve("wiki/sources")), "published files were not rolled back");
        assertEquals(0, status().get("pending_journals").asInt());

        kbImport("import", "--cloud", "pi-halt3").expect(0);
        assertEquals(1, KbState.assertAtRest(kb).size());
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
