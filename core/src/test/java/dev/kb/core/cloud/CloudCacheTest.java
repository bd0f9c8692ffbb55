package dev.kb.core.cloud;

import static dev.kb.core.cloud.FakePageIndex.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.fs.FileOps;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.input.CloudSource;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PageIndex Cloud documents in a {@code dir} cache: a second KB importing a completed document
 * sends the cloud no request at all, and its page and tree are those of an import without cache.
 */
class CloudCacheTest {
    @TempDir
    Path tmp;

    MockWebServer server;
    FakePageIndex fake;
    FakeTime time;

    @BeforeEach
    void start() throws IOException {
        fake = new FakePageIndex();
        server = new MockWebServer();
        server.setDispatcher(fake);
        server.start();
        time = new FakeTime();
        fake.docs.put("pi-cached1", FakePageIndex.standard("pi-cached1", 9));
        FakePageIndex.Doc processing = FakePageIndex.standard("pi-busy22", 3);
        processing.status = "processing";
        fake.docs.put("pi-busy22", processing);
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    CachePlan dir() {
        CacheServices s = new CacheServices(Map.of(), CacheOptions.defaults().withDeadline(Duration.ofSeconds(10)),
                Map.of(), Clock.systemUTC(), tmp.resolve("xdg"));
        return new CachePlan(List.of(CacheProviders.create(CacheSpec.parse("dir:cache", tmp))), s, null);
    }

    List<Outcome> importInto(String name, CachePlan caches, String... ids) {
        Path dir = tmp.resolve(name);
        Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase kb = KnowledgeBase.open(dir);
        PageIndexClient client = new PageIndexClient(server.url("/").uri(), KEY, Duration.ofSeconds(10),
                RetryPolicy.DEFAULT, time, time);
        List<Inputs.Item> items = new ArrayList<>();
        for (String id : ids) {
            items.add(new Inputs.Item(new CloudSource(id, client, Duration.ZERO), null));
        }
        List<Outcome> events = new ArrayList<>();
        new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb import", 2, 50, FileOps.REAL).withCaches(caches),
                new Batch.Listener() {
                    @Override
                    public void outcome(Outcome o) {
                        events.add(o);
                    }

                    @Override
                    public void warning(String message) {
                        throw new AssertionError("warning: " + message);
                    }

                    @Override
                    public void waitingForLock(String holder) {
                    }
                }).run(items);
        return events;
    }

    Map<String, String> sources(String name) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path root = tmp.resolve(name).resolve("wiki/sources");
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8)
                        .replaceAll("(?m)^added: .*$", "added: *"));
            }
        }
        return out;
    }

    @Test
    void aSecondKbImportsACompletedDocumentWithoutAskingTheCloud() throws IOException {
        List<Outcome> plain = importInto("kb-none", null, "pi-cached1");
        assertEquals(Outcome.Status.ADDED, plain.get(0).status());
        int perImport = fake.requests.size();
        assertEquals(3, perImport); // metadata, tree, pages

        assertEquals(Outcome.Status.ADDED, importInto("kb-first", dir(), "pi-cached1").get(0).status());
        assertEquals(2 * perImport, fake.requests.size());

        CachePlan warm = dir();
        assertEquals(Outcome.Status.ADDED, importInto("kb-second", warm, "pi-cached1").get(0).status());
        assertEquals(2 * perImport, fake.requests.size(), "the second KB asked the cloud: " + fake.paths());
        assertEquals(1, warm.lastRun().hits(0));

        Map<String, String> expected = sources("kb-none");
        assertEquals(List.of("Annual-Report.md", "Annual-Report.tree.json"), List.copyOf(expected.keySet()));
        assertEquals(expected, sources("kb-first"));
        assertEquals(expected, sources("kb-second"));
    }

    @Test
    void aDocumentStillProcessingIsNotCached() throws IOException {
        assertEquals(Outcome.Status.FAILED, importInto("kb-a", dir(), "pi-busy22").get(0).status());
        int asked = fake.requests.size();
        assertTrue(asked > 0);
        assertEquals(Outcome.Status.FAILED, importInto("kb-b", dir(), "pi-busy22").get(0).status());
        assertTrue(fake.requests.size() > asked, "a processing document was answered from the cache");
        assertFalse(Files.exists(tmp.resolve("cache/entries")) && hasFiles(tmp.resolve("cache/entries")));
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(Files::isRegularFile);
        }
    }
}
