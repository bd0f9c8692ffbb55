package dev.kb.core.cloud;

import static dev.kb.core.cloud.FakePageIndex.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.kb.KbCache;
import dev.kb.core.cache.kb.KbFixture;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.input.CloudSource;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PageIndex Cloud documents from another KB ({@code kb:PATH}): with {@code kb.cloud = trust} a
 * second KB imports one the public KB holds without a request to the cloud, and gets its page
 * and tree; by default, and when the public KB's page is not the one its registry hashed, the
 * cloud is asked.
 */
class KbCacheCloudTest {
    @TempDir
    Path tmp;

    MockWebServer server;
    FakePageIndex fake;
    FakeTime time;
    Path pub;

    @BeforeEach
    void start() throws IOException {
        fake = new FakePageIndex();
        server = new MockWebServer();
        server.setDispatcher(fake);
        server.start();
        time = new FakeTime();
        fake.docs.put("pi-public1", FakePageIndex.standard("pi-public1", 4));
        pub = tmp.resolve("public");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    KbFixture.Run importInto(Path kb, CachePlan caches, String id) {
        PageIndexClient client = new PageIndexClient(server.url("/").uri(), KEY, Duration.ofSeconds(10),
                RetryPolicy.DEFAULT, time, time);
        return KbFixture.ingest(kb, List.of(new Inputs.Item(new CloudSource(id, client, Duration.ZERO), null)), caches);
    }

    CachePlan kbCache(String cloud) {
        return KbFixture.plan(tmp, cloud == null ? Map.of() : Map.of(KbCache.CLOUD_SETTING, cloud), Duration.ZERO,
                "kb:public");
    }

    @Test
    void trustedACloudDocumentThePublicKbHoldsComesFromItWithoutARequest() {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        int perImport = fake.requests.size();
        Map<String, String> publicTree = KbFixture.tree(pub);

        CachePlan trusted = kbCache("trust");
        KbFixture.Run second = importInto(tmp.resolve("second"), trusted, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertEquals(List.of(), second.warnings());
        assertEquals(perImport, fake.requests.size(), "the cloud was asked: " + fake.paths());
        assertEquals(1, trusted.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
        assertTrue(KbFixture.contents(pub).containsKey("wiki/sources/Annual-Report.tree.json"));
        assertEquals(publicTree, KbFixture.tree(pub));

        // not trusted (the default): a rendering of unknown origin is not this kb's
        CachePlan plain = kbCache(null);
        KbFixture.Run third = importInto(tmp.resolve("third"), plain, "pi-public1");
        assertEquals(Outcome.Status.ADDED, third.only().status());
        assertEquals(2 * perImport, fake.requests.size());
        assertEquals(0, plain.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("third")));
    }

    @Test
    void anEditedPageIsNotTheOneItsRegistryHashedAndTheCloudIsAsked() throws IOException {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        Map<String, String> original = KbFixture.contents(pub);
        DocumentRow row = KbFixture.row(pub, "pageindex-cloud:pi-public1");
        Path page = pub.resolve(row.sourcePath());
        String text = Files.readString(page, StandardCharsets.UTF_8);
        int at = text.lastIndexOf('e');
        // one letter changed in the body: the size kept, the hash not
        Files.writeString(page, text.substring(0, at) + "E" + text.substring(at + 1), StandardCharsets.UTF_8);
        int before = fake.requests.size();
        CachePlan trusted = kbCache("trust");
        KbFixture.Run second = importInto(tmp.resolve("second"), trusted, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertTrue(fake.requests.size() > before, "the edited page was taken");
        assertEquals(1, second.warnings().size(), second.warnings().toString());
        assertTrue(second.warnings().get(0).contains("does not match its sha256"), second.warnings().get(0));
        assertEquals(original, KbFixture.contents(tmp.resolve("second")));
    }
}
