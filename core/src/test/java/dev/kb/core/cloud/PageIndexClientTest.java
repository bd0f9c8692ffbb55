package dev.kb.core.cloud;

import static dev.kb.core.cloud.FakePageIndex.Endpoint.METADATA;
import static dev.kb.core.cloud.FakePageIndex.Endpoint.OCR;
import static dev.kb.core.cloud.FakePageIndex.Endpoint.TREE;
import static dev.kb.core.cloud.FakePageIndex.KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kb.core.KbException;
import dev.kb.core.cloud.FakePageIndex.Doc;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.http.Sleeper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageIndexClientTest {
    private MockWebServer server;
    private FakePageIndex fake;
    private FakeTime time;

    @BeforeEach
    void start() throws IOException {
        fake = new FakePageIndex();
        server = new MockWebServer();
        server.setDispatcher(fake);
        server.start();
        time = new FakeTime();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private PageIndexClient client() {
        return client(KEY);
    }

    private PageIndexClient client(String key) {
        return new PageIndexClient(server.url("/").uri(), key, Duration.ofSeconds(10), RetryPolicy.DEFAULT, time, time);
    }

    private KbException fetchFails(String id, Duration waitReady) {
        KbException e = assertThrows(KbException.class, () -> client().fetch(id, waitReady));
        assertEquals(KbException.Kind.INPUT_FAILED, e.kind());
        assertOneLineWithoutKey(e, KEY);
        return e;
    }

    /** One line, and the key nowhere in the message, the cause chain or the printed stack trace. */
    private static void assertOneLineWithoutKey(Throwable e, String key) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(key), "key leaked: " + trace);
    }

    @Test
    void fetchesMetadataTreeAndAllPagesWithTheKeyHeader() {
        fake.docs.put("pi-abc123", FakePageIndex.standard("pi-abc123", 9));

        CloudDocument doc = client().fetch("pi-abc123", Duration.ZERO);

        assertEquals(List.of("/doc/pi-abc123/metadata/", "/doc/pi-abc123/?type=tree&summary=true",
                "/doc/pi-abc123/?type=ocr&format=page"), fake.paths());
        for (RecordedRequest r : fake.requests) {
            assertEquals(KEY, r.getHeader("api_key"));
            assertNull(r.getHeader("Authorization"));
            assertTrue(r.getHeader("User-Agent").startsWith("kb/"), r.getHeader("User-Agent"));
        }
        assertEquals("pi-abc123", doc.id());
        assertEquals("Annual Report.pdf", doc.name());
        assertEquals("completed", doc.status());
        assertEquals(9, doc.pageCount());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), doc.pages().stream().map(Page::index).toList());
        assertEquals("Text of page 4.\n", doc.pages().get(3).markdown());

        // end = next node's start in pre-order; the last node ends at pageNum
        TreeNode intro = doc.tree().get(0);
        TreeNode methods = doc.tree().get(1);
        assertEquals(List.of(1, 3), List.of(intro.startPage(), intro.endPage()));
        assertEquals("Why we wrote this.", intro.summary());
        assertEquals("0001", intro.nodeId());
        assertEquals(List.of(3, 3), List.of(methods.startPage(), methods.endPage()));
        assertEquals(List.of(3, 5), List.of(methods.children().get(0).startPage(), methods.children().get(0).endPage()));
        assertEquals(List.of(5, 7), List.of(methods.children().get(1).startPage(), methods.children().get(1).endPage()));
        assertEquals(List.of(7, 9), List.of(doc.tree().get(2).startPage(), doc.tree().get(2).endPage()));

        String body = CloudMarkdown.body(doc);
        assertTrue(body.startsWith("""
                ## Contents

                - Introduction (pp. 1-3)
                - Methods (pp. 3-7)
                  - Data (pp. 3-5)
                  - Analysis (pp. 5-7)
                - Results (pp. 7-9)

                <!-- page 1 -->

                Text of page 1.

                <!-- page 2 -->
                """), body);
        assertTrue(body.endsWith("<!-- page 9 -->\n\nText of page 9.\n"), body);
        for (int i = 1; i <= 9; i++) {
            assertTrue(body.indexOf("<!-- page " + i + " -->") < body.indexOf("<!-- page " + (i + 1) + " -->")
                    || i == 9);
        }
        assertEquals(List.of(Map.entry("description", "The annual report."), Map.entry("pages", 9),
                        Map.entry("cloud_id", "pi-abc123"), Map.entry("created", "2025-03-01T10:00:00Z")),
                List.copyOf(CloudMarkdown.frontMatter(doc).entrySet()));
        assertEquals("Annual Report", CloudMarkdown.title(doc));
        assertEquals(List.of(), time.sleeps());
    }

    @ParameterizedTest
    @ValueSource(strings = {"processing", "queued", "pending"})
    void aDocumentStillProcessingFailsAtOnceWithAHint(String status) {
        fake.docs.put("pi-p", FakePageIndex.standard("pi-p", 3).statuses(status));

        KbException e = fetchFails("pi-p", Duration.ZERO);

        assertTrue(e.getMessage().contains("still processing"), e.getMessage());
        assertTrue(e.getMessage().contains("try again later or use --wait-ready"), e.getMessage());
        assertTrue(e.getMessage().contains(status), e.getMessage());
        assertEquals(List.of("/doc/pi-p/metadata/"), fake.paths(), "nothing fetched past the metadata");
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void aFailedDocumentSaysSo() {
        fake.docs.put("pi-f", FakePageIndex.standard("pi-f", 3).statuses("failed"));

        KbException e = fetchFails("pi-f", Duration.ofMinutes(5));

        assertEquals("document processing failed on PageIndex Cloud (status: failed)", e.getMessage());
        assertEquals(1, fake.requests.size(), "a failed document is not polled");
    }

    @Test
    void waitReadyPollsWithGrowingPausesUntilCompleted() {
        fake.docs.put("pi-w", FakePageIndex.standard("pi-w", 3).statuses("processing", "processing", "completed"));

        CloudDocument doc = client().fetch("pi-w", Duration.ofMinutes(2));

        assertEquals(3, doc.pages().size());
        assertEquals(3, fake.count(METADATA));
        assertEquals(1, fake.count(TREE));
        assertEquals(1, fake.count(OCR));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), time.sleeps());
    }

    @Test
    void waitReadyGivesUpWhenTheBudgetIsSpentWithoutOverrunningIt() {
        fake.docs.put("pi-slow", FakePageIndex.standard("pi-slow", 3).statuses("processing"));
        Duration budget = Duration.ofSeconds(100);

        KbException e = fetchFails("pi-slow", budget);

        // 100s as given, not 1m40s, which --wait-ready would refuse
        assertEquals("document is still processing on PageIndex Cloud after 100s (status: processing)", e.getMessage());
        List<Duration> sleeps = time.sleeps();
        // 1, 2, 4, 8, 16, 30 (cap), 30, then the 9 s left
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L, 9L), sleeps.stream().map(Duration::toSeconds).toList());
        assertEquals(budget, time.elapsed(), "the pauses fill the budget and never pass it");
        assertEquals(sleeps.size() + 1, fake.count(METADATA), "one last poll at the deadline");
        assertEquals(0, fake.count(TREE));
    }

    @Test
    void aTreeStillProcessingAfterCompletedMetadataIsReportedAsProcessing() {
        Doc doc = FakePageIndex.standard("pi-t", 3);
        doc.treeNotReady = 1;
        fake.docs.put("pi-t", doc);

        KbException e = fetchFails("pi-t", Duration.ZERO);

        assertTrue(e.getMessage().startsWith("document is still processing on PageIndex Cloud"), e.getMessage());
        assertTrue(e.getMessage().contains("--wait-ready"), e.getMessage());
        assertEquals(0, fake.count(OCR));
    }

    @Test
    void waitReadyAlsoCoversATreeThatIsNotReadyYet() {
        Doc doc = FakePageIndex.standard("pi-t", 3);
        doc.treeNotReady = 1;
        fake.docs.put("pi-t", doc);
        fake.fault(OCR, new MockResponse().setResponseCode(202));

        CloudDocument fetched = client().fetch("pi-t", Duration.ofMinutes(1));

        assertEquals(3, fetched.pages().size());
        assertEquals(List.of(1L, 2L), time.sleeps().stream().map(Duration::toSeconds).toList());
        assertEquals(List.of(1L, 2L, 2L), List.of(fake.count(METADATA), fake.count(TREE), fake.count(OCR)));
    }

    @Test
    void completedButWithoutResultIsNotAVagueNoContentError() {
        Doc doc = FakePageIndex.standard("pi-n", 3);
        doc.ocr.remove("result");
        fake.docs.put("pi-n", doc);

        KbException e = fetchFails("pi-n", Duration.ZERO);

        assertEquals("document is still processing on PageIndex Cloud (status: completed, no pages yet); "
                + "try again later or use --wait-ready", e.getMessage());
    }

    @Test
    void aRefusedKeyNamesTheVariableAndNotTheKey() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        String wrong = "pi-wrong-key-0xDEADBEEF";

        KbException e = assertThrows(KbException.class, () -> client(wrong).fetch("pi-abc", Duration.ZERO));

        assertEquals("PageIndex Cloud refused the API key (check PAGEINDEX_API_KEY)", e.getMessage());
        assertOneLineWithoutKey(e, wrong);
        assertEquals(1, fake.requests.size(), "401 is not retried");
        assertEquals(wrong, fake.requests.get(0).getHeader("api_key"));
    }

    @Test
    void aKeyEchoedByTheServerIsMaskedAndTheErrorCodeKept() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, FakePageIndex.error(403, "USAGE_LIMIT_REACHED", "key " + KEY + " is over its quota"));

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("HTTP 403 from PageIndex Cloud: USAGE_LIMIT_REACHED: key *** is over its quota", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "e", "Index", "API_KEY"})
    void aKeyTooShortToBeASecretLeavesMessagesAndCausesWhole(String key) throws IOException {
        KbException refused = assertThrows(KbException.class, () -> client(key).fetch("pi-abc", Duration.ZERO));
        assertEquals("PageIndex Cloud refused the API key (check PAGEINDEX_API_KEY)", refused.getMessage());

        MockWebServer gone = new MockWebServer();
        gone.start();
        URI base = gone.url("/").uri();
        gone.shutdown();
        PageIndexClient c = new PageIndexClient(base, key, Duration.ofSeconds(5), RetryPolicy.DEFAULT, time, time);
        KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));
        assertTrue(e.getMessage().startsWith("could not connect to PageIndex Cloud at "), e.getMessage());
        assertFalse(e.getMessage().contains("***"), e.getMessage());
        assertTrue(e.getCause() != null, "the cause stays for --verbose");
    }

    @Test
    void aKeyOfEightCharactersIsMaskedWhereverItIsEchoed() throws IOException {
        String key = "k3yAbC9z";
        try (MockWebServer echo = new MockWebServer()) {
            echo.enqueue(FakePageIndex.error(403, "USAGE_LIMIT_REACHED", "key " + key + " (id=" + key + ") is over"));
            echo.start();
            PageIndexClient c = new PageIndexClient(echo.url("/").uri(), key, Duration.ofSeconds(5),
                    RetryPolicy.DEFAULT, time, time);
            KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));
            assertEquals("HTTP 403 from PageIndex Cloud: USAGE_LIMIT_REACHED: key *** (id=***) is over", e.getMessage());
            assertOneLineWithoutKey(e, key);
        }
    }

    @Test
    void aKeyEchoedInABodyThatIsNotJsonLeavesNoTraceInTheCauseEither() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, new MockResponse().setBody(KEY + " is not allowed here"));

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertTrue(e.getMessage().startsWith("unexpected response from PageIndex Cloud: body is not valid JSON"),
                e.getMessage());
    }

    @Test
    void anUnknownDocumentIsNotFound() {
        KbException e = fetchFails("pi-missing", Duration.ofMinutes(1));

        assertEquals("document pi-missing not found on PageIndex Cloud", e.getMessage());
        assertEquals(1, fake.requests.size(), "404 is neither retried nor polled");
    }

    @Test
    void theTimeoutBoundsTheWholeDocumentNotEachRequest() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.answerDelayMillis = 1000; // three requests of 1 s: each fits in 2.5 s, all three do not
        PageIndexClient c = new PageIndexClient(server.url("/").uri(), KEY, Duration.ofMillis(2500),
                RetryPolicy.DEFAULT, Sleeper.REAL, java.time.Clock.systemUTC());

        KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));

        assertTrue(e.getMessage().startsWith("PageIndex Cloud did not deliver document pi-abc within 2500ms (--timeout)"),
                e.getMessage());
        assertEquals(3, fake.requests.size(), "it failed during the third request");
    }

    @Test
    void pollsThatSayNotYetDoNotUseUpTheTimeout() {
        // each request takes 3 s of (fake) time; the budget is 10 s: the three answers that
        // deliver the document fit, the three "processing" polls before them would not on top
        fake.docs.put("pi-w", FakePageIndex.standard("pi-w", 3)
                .statuses("processing", "processing", "processing", "completed"));
        fake.onRequest = () -> time.sleep(Duration.ofSeconds(3));

        CloudDocument doc = client().fetch("pi-w", Duration.ofMinutes(5));

        assertEquals(3, doc.pages().size());
        assertEquals(4, fake.count(METADATA));
    }

    @Test
    void aRetryAfterBeyondTheTimeoutFailsAtOnceInsteadOfSleeping() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(TREE, FakePageIndex.error(429, "RATE_LIMITED", "slow down").setHeader("Retry-After", "30"));

        KbException e = fetchFails("pi-abc", Duration.ZERO); // timeout 10 s

        assertEquals("PageIndex Cloud did not deliver document pi-abc within 10s (--timeout); last: HTTP 429",
                e.getMessage());
        assertEquals(List.of(), time.sleeps(), "no sleep that could only end in the same failure");
    }

    @Test
    void rateLimitIsRetriedAfterTheServersRetryAfter() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(TREE, FakePageIndex.error(429, "RATE_LIMITED", "slow down").setHeader("Retry-After", "7"));

        CloudDocument doc = client().fetch("pi-abc", Duration.ZERO);

        assertEquals(3, doc.pages().size());
        assertEquals(List.of(Duration.ofSeconds(7)), time.sleeps());
        assertEquals(2, fake.count(TREE));
    }

    @Test
    void serverErrorsAreRetriedBoundedThenReported() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        for (int i = 0; i < 10; i++) {
            fake.fault(METADATA, FakePageIndex.error(503, "SERVICE_UNAVAILABLE", "maintenance"));
        }

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("HTTP 503 from PageIndex Cloud after 3 attempts: SERVICE_UNAVAILABLE: maintenance", e.getMessage());
        assertEquals(RetryPolicy.DEFAULT.maxAttempts(), fake.requests.size());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), time.sleeps());
    }

    // 500 is retried as RetryPolicy says, like URL fetching does
    // (UrlFetcherTest.internalServerErrorIsRetried), which used not to retry it.
    @Test
    void anInternalServerErrorIsRetried() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, FakePageIndex.error(500, "INTERNAL_ERROR", "oops"));
        fake.fault(METADATA, FakePageIndex.error(500, "INTERNAL_ERROR", "oops"));

        CloudDocument doc = client().fetch("pi-abc", Duration.ZERO);

        assertEquals(3, doc.pages().size());
        assertEquals(3, fake.count(METADATA));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), time.sleeps());
    }

    @Test
    void aPersistentInternalServerErrorFailsAfterTheAttempts() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        for (int i = 0; i < 4; i++) {
            fake.fault(METADATA, FakePageIndex.error(500, "INTERNAL_ERROR", "oops"));
        }

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("HTTP 500 from PageIndex Cloud after 3 attempts: INTERNAL_ERROR: oops", e.getMessage());
        assertEquals(3, fake.count(METADATA));
    }

    @Test
    void notImplementedIsNotRetried() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, FakePageIndex.error(501, "NOT_IMPLEMENTED", "no"));

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("HTTP 501 from PageIndex Cloud: NOT_IMPLEMENTED: no", e.getMessage());
        assertEquals(1, fake.requests.size());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void anAbortedFetchIsNotRetried() throws Exception {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        PageIndexClient c = client();
        Thread aborter = new Thread(() -> {
            try {
                server.takeRequest();
                c.abort();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        aborter.start();

        assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));
        aborter.join();

        assertEquals(List.of(), time.sleeps());
        // the server's own count: it is taken before takeRequest can return, whereas the fake's
        // dispatcher may record the request after the aborter has already seen it
        assertEquals(1, server.getRequestCount(), "a retry would have fetched the document");
    }

    @Test
    void malformedJsonIsAnUnexpectedResponse() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, new MockResponse().setBody("{\"id\": \"pi-abc\", \"status\": "));

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertTrue(e.getMessage().startsWith("unexpected response from PageIndex Cloud: body is not valid JSON"),
                e.getMessage());
        assertEquals(1, fake.requests.size());
    }

    @Test
    void anUnexpectedShapeIsNamed() {
        Doc doc = FakePageIndex.standard("pi-abc", 3);
        doc.tree.put("result", "not a list");
        fake.docs.put("pi-abc", doc);

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("unexpected response from PageIndex Cloud: tree 'result' is not a list", e.getMessage());
    }

    @Test
    void metadataThatIsNotAnObjectIsUnexpected() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, new MockResponse().setBody("[1, 2]"));

        KbException e = fetchFails("pi-abc", Duration.ZERO);

        assertEquals("unexpected response from PageIndex Cloud: metadata is not a JSON object", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"structure", "tree"})
    void olderShapesAreRead(String treeKey) {
        Doc doc = FakePageIndex.standard("pi-old", 9);
        JsonNode tree = doc.tree.remove("result");
        ObjectNode intro = (ObjectNode) tree.get(0);
        intro.set("prefix_summary", intro.remove("summary"));
        doc.tree.set(treeKey, tree);
        for (JsonNode p : doc.ocr.get("result")) {
            ObjectNode page = (ObjectNode) p;
            page.set("page", page.remove("page_index"));
            page.set("content", page.remove("markdown"));
        }
        doc.metadata.remove("pageNum");
        fake.docs.put("pi-old", doc);

        CloudDocument fetched = client().fetch("pi-old", Duration.ZERO);

        assertEquals("Why we wrote this.", fetched.tree().get(0).summary());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), fetched.pages().stream().map(Page::index).toList());
        assertEquals("Text of page 2.\n", fetched.pages().get(1).markdown());
        assertNull(fetched.pageCount());
        // without pageNum the last node ends at the last OCR page
        assertEquals(9, fetched.tree().get(2).endPage());
        assertEquals(9, CloudMarkdown.frontMatter(fetched).get("pages"));
    }

    @Test
    void aLongDocumentComesInOneOcrRequest() {
        fake.docs.put("pi-big", FakePageIndex.standard("pi-big", 1500));

        CloudDocument doc = client().fetch("pi-big", Duration.ZERO);

        assertEquals(1, fake.count(OCR));
        assertEquals(3, fake.requests.size());
        assertEquals(1500, doc.pages().size());
        assertEquals(1500, doc.pages().get(1499).index());
        assertEquals(1500, doc.tree().get(2).endPage());
        String body = CloudMarkdown.body(doc);
        assertTrue(body.contains("- Results (pp. 7-1500)\n"));
        assertTrue(body.contains("<!-- page 1000 -->\n\nText of page 1000.\n\n<!-- page 1001 -->\n"));
        assertTrue(body.endsWith("<!-- page 1500 -->\n\nText of page 1500.\n"));
    }

    @Test
    void aResponseOverTheSizeLimitFailsTheDocument() {
        fake.docs.put("pi-big", FakePageIndex.standard("pi-big", 1500));
        PageIndexClient small = new PageIndexClient(server.url("/").uri(), KEY, Duration.ofSeconds(10),
                RetryPolicy.DEFAULT, time, time, 10_000);

        KbException e = assertThrows(KbException.class, () -> small.fetch("pi-big", Duration.ZERO));

        assertEquals("PageIndex Cloud response for document pi-big is larger than the limit of 10000 bytes",
                e.getMessage());
        assertEquals(1, fake.count(OCR), "not retried");
    }

    @Test
    void theIdIsOnePercentEncodedSegment() {
        Doc doc = FakePageIndex.standard("a b?c", 2);
        fake.docs.put("a b?c", doc);

        CloudDocument fetched = client().fetch("a b?c", Duration.ZERO);

        assertEquals("a b?c", fetched.id());
        assertEquals(List.of("/doc/a%20b%3Fc/metadata/", "/doc/a%20b%3Fc/?type=tree&summary=true",
                "/doc/a%20b%3Fc/?type=ocr&format=page"), fake.paths());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "a/b", "/", ".", "..", "a\nb"})
    void invalidIdsAreUsageErrorsAndSendNothing(String id) {
        KbException e = assertThrows(KbException.class, () -> client().fetch(id, Duration.ZERO));

        assertEquals(KbException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().startsWith("invalid document id"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(0, fake.requests.size());
    }

    @Test
    void validIdsComeBackStripped() {
        assertEquals("pi-abc123def456", PageIndexClient.validateDocId("  pi-abc123def456\n"));
        assertEquals("a b?c", PageIndexClient.validateDocId("a b?c"));
    }

    @Test
    void redirectsAreNotFollowedSoTheKeyStaysHome() throws IOException {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start();
            fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
            fake.fault(METADATA, new MockResponse().setResponseCode(302)
                    .setHeader("Location", elsewhere.url("/steal").toString()));

            KbException e = fetchFails("pi-abc", Duration.ZERO);

            assertTrue(e.getMessage().contains("redirect (HTTP 302)"), e.getMessage());
            assertEquals(0, elsewhere.getRequestCount());
        }
    }

    // the same rule as URL fetching (UrlFetcherTest.refusedConnectionIsRetriedThenNamed)
    @Test
    void aRefusedConnectionIsRetriedThenNamed() throws IOException {
        MockWebServer gone = new MockWebServer();
        gone.start();
        URI base = gone.url("/").uri();
        gone.shutdown();
        PageIndexClient c = new PageIndexClient(base, KEY, Duration.ofSeconds(5), RetryPolicy.DEFAULT, time, time);

        KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));

        assertTrue(e.getMessage().startsWith("could not connect to PageIndex Cloud at "), e.getMessage());
        assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), time.sleeps());
        assertOneLineWithoutKey(e, KEY);
    }

    @Test
    void aTimeoutIsNamedAndNotRetried() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        fake.fault(METADATA, new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        PageIndexClient c = new PageIndexClient(server.url("/").uri(), KEY, Duration.ofMillis(300),
                RetryPolicy.DEFAULT, time, time);

        KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));

        assertTrue(e.getMessage().startsWith("PageIndex Cloud did not answer within 300ms"), e.getMessage());
        assertEquals(1, fake.requests.size());
    }

    @Test
    void noPagesAtAllIsSaidPlainly() {
        Doc doc = FakePageIndex.standard("pi-empty", 3);
        doc.ocr.set("result", FakePageIndex.JSON.createArrayNode());
        fake.docs.put("pi-empty", doc);

        KbException e = fetchFails("pi-empty", Duration.ZERO);

        assertEquals("PageIndex Cloud returned no pages for document pi-empty", e.getMessage());
    }

    @Test
    void theKeyIsCheckedUpFrontAndNeverPrinted() {
        KbException missing = assertThrows(KbException.class, () -> client(" "));
        assertEquals(KbException.Kind.USAGE, missing.kind());
        assertEquals("PAGEINDEX_API_KEY is not set", missing.getMessage());

        String bad = "pi-key\u00e9-secret";
        KbException unusable = assertThrows(KbException.class, () -> client(bad));
        assertEquals(KbException.Kind.USAGE, unusable.kind());
        assertOneLineWithoutKey(unusable, bad);

        assertFalse(client().toString().contains(KEY), client().toString());
    }

    @Test
    void plainHttpIsRefusedExceptToLoopback() {
        KbException e = assertThrows(KbException.class, () -> new PageIndexClient(URI.create("http://api.example.com"),
                KEY, Duration.ofSeconds(5), RetryPolicy.DEFAULT, time, time));
        assertEquals(KbException.Kind.USAGE, e.kind());
        assertFalse(e.getMessage().contains(KEY));

        new PageIndexClient(URI.create(PageIndexClient.DEFAULT_BASE_URL), KEY, Duration.ofSeconds(5),
                RetryPolicy.DEFAULT, time, time);
        new PageIndexClient(URI.create("http://127.0.0.1:9/"), KEY, Duration.ofSeconds(5),
                RetryPolicy.DEFAULT, time, time);
    }

    @Test
    void aBaseUrlWithAPathPrefixKeepsIt() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 2));
        // the fake only knows the documented paths, so this request is rejected with 400
        PageIndexClient c = new PageIndexClient(server.url("/proxy/").uri(), KEY, Duration.ofSeconds(5),
                RetryPolicy.DEFAULT, time, time);

        KbException e = assertThrows(KbException.class, () -> c.fetch("pi-abc", Duration.ZERO));

        assertEquals("/proxy/doc/pi-abc/metadata/", fake.paths().get(0));
        assertTrue(e.getMessage().startsWith("HTTP 400 from PageIndex Cloud: INVALID_INPUT"), e.getMessage());
    }

    @Test
    void recordsPrintNoPageText() {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 3));
        CloudDocument doc = client().fetch("pi-abc", Duration.ZERO);

        assertFalse(doc.toString().contains("Text of page"), doc.toString());
        assertFalse(doc.pages().get(0).toString().contains("Text of page"));
        assertTrue(doc.toString().contains("pi-abc"));
    }

    @Test
    void theTreeJsonIsStableAndComplete() throws IOException {
        fake.docs.put("pi-abc", FakePageIndex.standard("pi-abc", 9));
        CloudDocument doc = client().fetch("pi-abc", Duration.ZERO);

        byte[] json = doc.treeJson();
        JsonNode tree = FakePageIndex.JSON.readTree(json);

        assertEquals("pi-abc", tree.get("doc_id").asText());
        ArrayNode structure = (ArrayNode) tree.get("structure");
        assertEquals(3, structure.size());
        assertEquals("Methods", structure.get(1).get("title").asText());
        assertEquals(3, structure.get(1).get("end_page").asInt());
        assertEquals("Analysis", structure.get(1).get("nodes").get(1).get("title").asText());
        assertEquals(7, structure.get(1).get("nodes").get(1).get("end_page").asInt());
        String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.endsWith("}\n") && !text.contains("\r"), text);
        assertTrue(java.util.Arrays.equals(json, doc.treeJson()));
    }
}
