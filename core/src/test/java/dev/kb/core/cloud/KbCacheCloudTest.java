package dev.kb.core.cloud;

import static dev.kb.core.cloud.FakePageIndex.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.kb.KbCache;
import dev.kb.core.cache.kb.KbCacheTest;
import dev.kb.core.cache.kb.KbFixture;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.input.CloudSource;
import dev.kb.core.input.ConversionKeys;
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
 * PageIndex Cloud documents from another KB ({@code kb:PATH}): a second KB imports one the public
 * KB holds, recorded as this kb's rendering, without a request to the cloud, and gets its page and
 * tree; one recorded as another rendering is a miss, and one recorded as none is taken only with
 * {@code kb.cloud = trust}; when the public KB's page is not the one its registry hashed, the
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
    void aCloudDocumentThePublicKbRecordsAsThisKbsRenderingComesFromItWithoutARequest() {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        int perImport = fake.requests.size();
        Map<String, String> publicTree = KbFixture.tree(pub);
        DocumentRow row = KbFixture.row(pub, "pageindex-cloud:pi-public1");
        assertEquals(ConversionKeys.cloud("pi-public1").id(), row.origin().key());

        CachePlan plain = kbCache(null);
        KbFixture.Run second = importInto(tmp.resolve("second"), plain, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertEquals(List.of(), second.warnings());
        assertEquals(perImport, fake.requests.size(), "the cloud was asked: " + fake.paths());
        assertEquals(1, plain.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
        assertTrue(KbFixture.contents(pub).containsKey("wiki/sources/Annual-Report.tree.json"));
        assertEquals(publicTree, KbFixture.tree(pub));
        assertEquals(row.origin().key(), KbFixture.row(tmp.resolve("second"), "pageindex-cloud:pi-public1").origin()
                .key(), "the second KB can serve it in turn");
    }

    /** An import by a kb before schema 5 (simulated: its record emptied) says nothing of which kb rendered it. */
    @Test
    void aRowThatRecordsNoRenderingIsTakenOnlyWhenTrustedAndTheImportRecordsNoneEither() throws Exception {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        int perImport = fake.requests.size();
        KbCacheTest.sqlite(pub.resolve(".kb/registry.db"),
                "UPDATE documents SET page_key = NULL, page_sha256 = NULL, page_fields = NULL");

        CachePlan plain = kbCache(null);
        KbFixture.Run second = importInto(tmp.resolve("second"), plain, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertEquals(2 * perImport, fake.requests.size(), "not trusted, the cloud is asked");
        assertEquals(0, plain.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));

        CachePlan trusted = kbCache("trust");
        KbFixture.Run third = importInto(tmp.resolve("third"), trusted, "pi-public1");
        assertEquals(Outcome.Status.ADDED, third.only().status());
        assertEquals(List.of(), third.warnings());
        assertEquals(2 * perImport, fake.requests.size(), "trusted, the cloud was asked: " + fake.paths());
        assertEquals(1, trusted.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("third")));
        assertNull(KbFixture.row(tmp.resolve("third"), "pageindex-cloud:pi-public1").origin(),
                "trust is no proof: the third KB must not record the rendering as this kb's");
    }

    @Test
    void aRowThatRecordsAnotherRenderingIsAMissTrustedOrNot() throws Exception {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        int perImport = fake.requests.size();
        // what a kb whose cloud rendering differs records: the key of its own rendering
        KbCacheTest.sqlite(pub.resolve(".kb/registry.db"), "UPDATE documents SET page_key = '" + "0".repeat(64) + "'");
        CachePlan trusted = kbCache("trust");
        KbFixture.Run second = importInto(tmp.resolve("second"), trusted, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertEquals(List.of(), second.warnings());
        assertEquals(2 * perImport, fake.requests.size());
        assertEquals(0, trusted.lastRun().hits(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    /** The tree is an artifact the row's hash does not cover: its import records its hash, and a kb: read checks it. */
    @Test
    void anEditedTreeIsNotServedAsThisKbsRenderingAndTheCloudIsAsked() throws IOException {
        assertEquals(Outcome.Status.ADDED, importInto(pub, null, "pi-public1").only().status());
        int perImport = fake.requests.size();
        Map<String, String> original = KbFixture.contents(pub);
        Path tree = pub.resolve("wiki/sources/Annual-Report.tree.json");
        String json = Files.readString(tree, StandardCharsets.UTF_8);
        // still JSON, still the same doc_id: only its recorded hash tells
        Files.writeString(tree, json.replaceFirst("\\{", "{\"edited\":true,"), StandardCharsets.UTF_8);
        CachePlan plain = kbCache(null);
        KbFixture.Run second = importInto(tmp.resolve("second"), plain, "pi-public1");
        assertEquals(Outcome.Status.ADDED, second.only().status());
        assertEquals(0, plain.lastRun().hits(0));
        assertEquals(2 * perImport, fake.requests.size(), "the cloud is asked");
        assertEquals(original, KbFixture.contents(tmp.resolve("second")), "the cloud's tree, not the edited one");
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
