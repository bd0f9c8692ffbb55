package dev.kb.core.cache.kb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.CacheStats;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.ConversionKeys;
import dev.kb.core.input.Outcome;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kb:PATH} with real KBs: a public KB built by adding URLs from a test server, a second KB
 * adding the same URLs with the public one as its cache. What it answers (and the document that
 * comes of it is the public KB's, byte for byte), what it does not (when the public KB's record
 * cannot say what a download would make), damage and a writer at work there, KBs it cannot use,
 * and that the public KB is never written.
 */
@Timeout(120)
public class KbCacheTest {
    @TempDir
    Path tmp;

    MockWebServer server;
    /** path -> what it serves */
    final Map<String, Served> served = new ConcurrentHashMap<>();
    final AtomicInteger bodies = new AtomicInteger();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    Path pub;

    record Served(byte[] body, String type, String etag, String disposition, String redirect) {
        static Served of(byte[] body, String type, String etag) {
            return new Served(body, type, etag, null, null);
        }

        static Served of(String body, String type, String etag) {
            return of(body.getBytes(StandardCharsets.UTF_8), type, etag);
        }
    }

    @BeforeEach
    void serve() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.add(r);
                Served s = served.get(r.getPath());
                if (s == null) {
                    return new MockResponse().setResponseCode(404);
                }
                if (s.redirect() != null) {
                    return new MockResponse().setResponseCode(301).setHeader("Location", s.redirect());
                }
                if (s.etag() != null && s.etag().equals(r.getHeader("If-None-Match"))) {
                    return new MockResponse().setResponseCode(304).setHeader("ETag", s.etag());
                }
                bodies.incrementAndGet();
                MockResponse m = new MockResponse().setHeader("Content-Type", s.type())
                        .setBody(new Buffer().write(s.body()));
                if (s.disposition() != null) {
                    m.setHeader("Content-Disposition", s.disposition());
                }
                return s.etag() == null ? m : m.setHeader("ETag", s.etag());
            }
        });
        server.start();
        pub = tmp.resolve("public");
        served.put("/article", Served.of(html("Remote page", "served by a server"), "text/html; charset=utf-8", "\"a1\""));
        served.put("/files/report.pdf", Served.of(pdf("Remote report"), "application/pdf", "\"r1\""));
        served.put("/notes.md", Served.of("# Notes\n\nSome [notes](other.md).\n", "text/markdown", "\"n1\""));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    String url(String path) {
        return server.url(path).toString();
    }

    static String html(String title, String words) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title></head><body><article><h1>").append(title).append("</h1>");
        for (int i = 0; i < 5; i++) {
            b.append("<p>").append(words).append(", paragraph ").append(i).append(", with enough ordinary prose, "
                    + "commas, sentences and <a href=\"rel/").append(i).append("\">relative links</a> to be the main "
                    + "content.</p>");
        }
        return b.append("</article></body></html>").toString();
    }

    static byte[] pdf(String title) throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                s.beginText();
                s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                s.newLineAtOffset(72, 700);
                s.showText("The text of " + title);
                s.endText();
            }
            doc.getDocumentInformation().setTitle(title);
            doc.save(out);
            return out.toByteArray();
        }
    }

    CachePlan kbCache(Duration maxAge) {
        return KbFixture.plan(tmp, Map.of(), maxAge, "kb:public");
    }

    KbFixture.Run add(String kb, CachePlan caches, String... paths) {
        String[] urls = new String[paths.length];
        for (int i = 0; i < paths.length; i++) {
            urls[i] = url(paths[i]);
        }
        return KbFixture.add(tmp.resolve(kb), tmp, caches, urls);
    }

    static void allAdded(KbFixture.Run r, int n) {
        assertEquals(n, r.events().size(), r.events().toString());
        for (Outcome o : r.events()) {
            assertEquals(Outcome.Status.ADDED, o.status(), o.toString());
        }
    }

    /** An initialised kb:public cache. */
    KbCache open() throws IOException {
        KbCache c = (KbCache) kbCache(Duration.ZERO).caches().get(0);
        c.initialize(kbCache(Duration.ZERO).services());
        return c;
    }

    CacheKey urlKey(String path) {
        return new CacheKey(CacheKey.Kind.URL, url(path), KbCache.URL_LAYOUT);
    }

    @Test
    void aUrlThePublicKbHoldsIsRevalidatedNotDownloadedAndBecomesItsDocument() {
        allAdded(add("public", null, "/article", "/files/report.pdf", "/notes.md"), 3);
        assertEquals(3, bodies.get());
        Map<String, String> publicTree = KbFixture.tree(pub);

        CachePlan plan = kbCache(Duration.ZERO);
        int before = requests.size();
        KbFixture.Run second = add("second", plan, "/article", "/files/report.pdf", "/notes.md");
        allAdded(second, 3);
        assertEquals(List.of(), second.warnings());
        assertEquals(3, bodies.get(), "a body was downloaded again");
        List<RecordedRequest> asked = requests.subList(before, requests.size());
        assertEquals(3, asked.size(), "one conditional request each");
        for (RecordedRequest r : asked) {
            assertNotEquals(null, r.getHeader("If-None-Match"), r.getPath());
        }
        // the three URLs, and the pages of the HTML one and the PDF: their fetches were recorded
        assertEquals(5, plan.lastRun().hits(0));
        assertEquals(0, plan.lastRun().misses(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
        assertEquals(publicTree, KbFixture.tree(pub), "the public KB changed");
    }

    /**
     * What an older kb wrote, or a rebuild: rows without their fetches' records ({@code fetch_fields}),
     * whose URL entries say only what the row does.
     */
    static void forgetFetches(Path kb) throws Exception {
        sqlite(kb.resolve(".kb/registry.db"), "UPDATE documents SET fetch_fields = NULL");
    }

    @Test
    void underMaxAgeNothingIsAskedForWhenTheFetchesWereRecorded() throws Exception {
        allAdded(add("public", null, "/article", "/files/report.pdf", "/notes.md"), 3);
        int before = requests.size();
        CachePlan plan = kbCache(Duration.ofHours(1));
        allAdded(add("second", plan, "/article", "/files/report.pdf", "/notes.md"), 3);
        assertEquals(List.of(), requests.subList(before, requests.size()).stream().map(RecordedRequest::getPath).toList());
        assertEquals(5, plan.lastRun().hits(0), "the URLs and the two conversions");
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
        try (KbCache c = open()) {
            assertEquals(Instant.parse(KbFixture.row(pub, url("/article")).updatedAt()).toEpochMilli(),
                    c.lookup(urlKey("/article")).orElseThrow().storedAt(), "the final URL is known: no need to ask");
        }
    }

    @Test
    void underMaxAgeOnlyAnHtmlPageIsAskedForItsLinksDependOnWhereRedirectsLed() throws Exception {
        allAdded(add("public", null, "/article", "/files/report.pdf", "/notes.md"), 3);
        forgetFetches(pub);
        int before = requests.size();
        KbFixture.Run second = add("second", kbCache(Duration.ofHours(1)), "/article", "/files/report.pdf", "/notes.md");
        allAdded(second, 3);
        List<String> asked = requests.subList(before, requests.size()).stream().map(RecordedRequest::getPath).toList();
        assertEquals(List.of("/article"), asked);
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));

        try (KbCache c = open()) {
            CacheEntry pdf = c.lookup(urlKey("/files/report.pdf")).orElseThrow();
            assertEquals(Instant.parse(KbFixture.row(pub, url("/files/report.pdf")).updatedAt()).toEpochMilli(),
                    pdf.storedAt());
            assertEquals(0, c.lookup(urlKey("/article")).orElseThrow().storedAt());
        }
    }

    @Test
    void theEntrySaysWhatTheDownloadSaidAsFarAsTheKbTells() throws Exception {
        allAdded(add("public", null, "/files/report.pdf", "/notes.md"), 2);
        forgetFetches(pub);
        try (KbCache c = open()) {
            CacheEntry e = c.lookup(urlKey("/files/report.pdf")).orElseThrow();
            DocumentRow row = KbFixture.row(pub, url("/files/report.pdf"));
            assertEquals(url("/files/report.pdf"), e.text("final_url"));
            assertEquals("report.pdf", e.text("name_hint"));
            assertEquals(false, e.fields().get("name_is_host"));
            assertEquals("\"r1\"", e.text("etag"));
            assertNull(e.fields().get("content_type"), "the bytes decide a PDF: no declared type is made up");
            assertEquals(List.of(new CacheEntry.Blob("raw", row.sha256(), row.size())), e.blobs());
            Path d = tmp.resolve("blob");
            assertTrue(c.readBlob(e.blobs().get(0), d));
            assertEquals(row.sha256(), Hashing.sha256Hex(d));
            // a fragment, and another layout of URL entries
            assertTrue(c.lookup(new CacheKey(CacheKey.Kind.URL, url("/notes.md"), "url-0")).isEmpty());
            assertTrue(c.lookup(urlKey("/elsewhere.md")).isEmpty());
        }
        // a URL added with a fragment is the same download
        served.put("/frag.md", Served.of("# Fragment\n", "text/markdown", "\"f1\""));
        allAdded(KbFixture.add(pub, tmp, null, url("/frag.md") + "#part"), 1);
        forgetFetches(pub);
        try (KbCache c = open()) {
            assertTrue(c.lookup(urlKey("/frag.md")).isPresent());
        }
    }

    /** A page too short to be an article: its conversion warns. */
    static final String SHORT_HTML = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Short page</title>"
            + "</head><body><p>Too short to be an article.</p></body></html>";

    /** A folder {@code in} of a local PDF and a short local HTML page; a KB built from it without a cache. */
    KbFixture.Run localFiles() throws IOException {
        Files.createDirectories(tmp.resolve("in"));
        Files.write(tmp.resolve("in/paper.pdf"), pdf("Local paper"));
        Files.writeString(tmp.resolve("in/short.html"), SHORT_HTML);
        KbFixture.Run none = KbFixture.add(tmp.resolve("none"), tmp, null, "in");
        allAdded(none, 2);
        return none;
    }

    DocumentRow localRow(Path kb, String file) throws IOException {
        return KbFixture.row(kb, tmp.resolve("in").resolve(file).toRealPath().toString());
    }

    static Map<String, List<String>> warningsByDoc(KbFixture.Run r) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        r.events().forEach(o -> out.put(o.doc(), o.warnings()));
        return out;
    }

    @Test
    void aLocalPdfOrHtmlPageThePublicKbConvertedIsNotConvertedAgainAndBecomesTheSameDocument() throws Exception {
        KbFixture.Run none = localFiles();
        allAdded(KbFixture.add(pub, tmp, null, "in"), 2);
        Map<String, String> publicTree = KbFixture.tree(pub);

        CachePlan plan = kbCache(Duration.ZERO);
        KbFixture.Run second = KbFixture.add(tmp.resolve("second"), tmp, plan, "in");
        allAdded(second, 2);
        assertEquals(List.of(), second.warnings());
        assertEquals(2, plan.lastRun().hits(0), "a conversion was made again");
        assertEquals(0, plan.lastRun().misses(0));
        assertEquals(KbFixture.contents(tmp.resolve("none")), KbFixture.contents(tmp.resolve("second")));
        // what converting said of the short page is said again, though nothing converted it
        assertEquals(warningsByDoc(none), warningsByDoc(second));
        assertTrue(warningsByDoc(second).get("short").stream().anyMatch(w -> w.startsWith("little text extracted")),
                warningsByDoc(second).toString());
        assertEquals(publicTree, KbFixture.tree(pub), "the public KB changed");
        // and the second KB records the same origins: a third may take them from it in turn
        for (String f : List.of("paper.pdf", "short.html")) {
            assertEquals(localRow(pub, f).origin().key(), localRow(tmp.resolve("second"), f).origin().key(), f);
        }
    }

    @Test
    void theEntryIsTheOneAConversionCacheHoldsUnderThatKeyAndUnderNoOther() throws Exception {
        localFiles();
        allAdded(KbFixture.add(pub, tmp, null, "in"), 2);
        DocumentRow row = localRow(pub, "paper.pdf");
        byte[] page = Files.readAllBytes(pub.resolve(row.sourcePath()));
        String text = new String(page, StandardCharsets.UTF_8);
        byte[] body = text.substring(text.indexOf("\n---\n\n") + 6).getBytes(StandardCharsets.UTF_8);
        try (KbCache c = open()) {
            CacheKey k = ConversionKeys.localFile(row.sha256(), "paper.pdf");
            assertEquals(k.id(), row.origin().key());
            CacheEntry e = c.lookup(k).orElseThrow();
            assertEquals(k, e.key());
            assertEquals("Local paper", e.text("title"));
            assertEquals(Map.of("pages", 1), e.fields().get("metadata"));
            assertEquals("", e.text("own_text"));
            assertEquals(List.of(), e.fields().get("own_keys"));
            assertEquals(List.of(), e.fields().get("warnings"));
            assertEquals(List.of(new CacheEntry.Blob("body", Hashing.sha256Hex(body), body.length)), e.blobs());
            Path d = tmp.resolve("body");
            assertTrue(c.readBlob(e.blobs().get(0), d));
            assertArrayEquals(body, Files.readAllBytes(d));
            // the same bytes under another name (another title may come of it), another stem, a
            // declared type, a base URL, another converter build: other keys, each a miss
            for (CacheKey other : List.of(ConversionKeys.localFile(row.sha256(), "renamed.pdf"),
                    ConversionKeys.of(row.sha256(), "paper.pdf", null, null, "other"),
                    ConversionKeys.of(row.sha256(), "paper.pdf", "application/pdf", null, "paper"),
                    ConversionKeys.of(row.sha256(), "paper.pdf", null, "https://example.org/paper.pdf", "paper"),
                    new CacheKey(CacheKey.Kind.CONVERSION, k.name(), k.version() + "-patched"))) {
                assertEquals(Optional.empty(), c.lookup(other), other.toString());
            }
            assertTrue(c.lookup(urlKey("/paper.pdf")).isEmpty(), "a local file is no URL");
            assertEquals(2, c.stats().entries(), "the two recorded conversions");
            assertEquals(new CacheStats.Verified(2, 0, List.of()), c.verify());
        }
    }

    @Test
    void aPageEditedSinceItWasConvertedIsAQuietMissAndTheFileIsConvertedAgain() throws Exception {
        KbFixture.Run none = localFiles();
        allAdded(KbFixture.add(pub, tmp, null, "in"), 2);
        Path pdfPage = pub.resolve(localRow(pub, "paper.pdf").sourcePath());
        Files.writeString(pdfPage, Files.readString(pdfPage) + "\nA note a person added below the text.\n");
        // a person's own key in the front matter: kb's keys unchanged, the page no longer kb's
        Path htmlPage = pub.resolve(localRow(pub, "short.html").sourcePath());
        Files.writeString(htmlPage, Files.readString(htmlPage).replaceFirst("\n---\n", "\ntags: [mine]\n---\n"));
        Map<String, String> edited = KbFixture.tree(pub);
        try (KbCache c = open()) {
            DocumentRow row = localRow(pub, "paper.pdf");
            assertEquals(Optional.empty(), c.lookup(ConversionKeys.localFile(row.sha256(), "paper.pdf")));
            assertEquals(List.of(), c.verify().kept(), "an edited page is the person's, no damage");
        }
        CachePlan plan = kbCache(Duration.ZERO);
        KbFixture.Run second = KbFixture.add(tmp.resolve("second"), tmp, plan, "in");
        allAdded(second, 2);
        assertEquals(List.of(), second.warnings());
        assertEquals(0, plan.lastRun().hits(0));
        assertEquals(2, plan.lastRun().misses(0));
        assertEquals(KbFixture.contents(tmp.resolve("none")), KbFixture.contents(tmp.resolve("second")),
                "the edits came along");
        assertEquals(warningsByDoc(none), warningsByDoc(second));
        assertEquals(edited, KbFixture.tree(pub));
    }

    /** A registry an older kb wrote, or rows rebuilt from the files: nothing says what made their pages. */
    @Test
    void rowsThatRecordNoOriginAreNeverServedAsConversions() throws Exception {
        localFiles();
        allAdded(KbFixture.add(pub, tmp, null, "in"), 2);
        DocumentRow paper = localRow(pub, "paper.pdf");
        DocumentRow html = localRow(pub, "short.html");
        Path db = pub.resolve(".kb/registry.db");
        sqlite(db, "UPDATE documents SET page_key = NULL, page_sha256 = NULL, page_fields = NULL "
                + "WHERE doc_name = 'paper'");
        try (KbCache c = open()) {
            assertEquals(Optional.empty(), c.lookup(ConversionKeys.localFile(paper.sha256(), "paper.pdf")));
            assertTrue(c.lookup(ConversionKeys.localFile(html.sha256(), "short.html")).isPresent());
            assertEquals(1, c.stats().entries());
        }
        dev.kb.core.registry.PageOriginRegistryTest.downgradeToVersion4(db);
        try (KbCache c = open()) {
            assertEquals(Optional.empty(), c.lookup(ConversionKeys.localFile(html.sha256(), "short.html")),
                    "a version-4 row served as a conversion");
            assertEquals(0, c.stats().entries());
        }
        CachePlan plan = kbCache(Duration.ZERO);
        allAdded(KbFixture.add(tmp.resolve("second"), tmp, plan, "in"), 2);
        assertEquals(0, plan.lastRun().hits(0));
        assertEquals(KbFixture.contents(tmp.resolve("none")), KbFixture.contents(tmp.resolve("second")));
    }

    @Test
    void aMissingPageIsDamageAtRestAndAQuietMissWhileAWriterIsAtWorkThere() throws Exception {
        localFiles();
        allAdded(KbFixture.add(pub, tmp, null, "in"), 2);
        DocumentRow row = localRow(pub, "paper.pdf");
        CacheKey k = ConversionKeys.localFile(row.sha256(), "paper.pdf");
        Files.delete(pub.resolve(row.sourcePath()));
        try (KbCache c = open()) {
            CacheEntry.Malformed m = assertThrows(CacheEntry.Malformed.class, () -> c.lookup(k));
            assertEquals("wiki/sources/paper.md is missing", m.getMessage());
            Files.writeString(pub.resolve(".kb/journal/0000-test.json"), "{}");
            assertEquals(Optional.empty(), c.lookup(k));
        }
    }

    public static void sqlite(Path db, String... statements) throws Exception {
        try (Connection conn = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + db, new java.util.Properties());
             Statement st = conn.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    @Test
    void aDocumentNamedAfterAContentDispositionOrARedirectIsAMiss() throws Exception {
        served.put("/download", new Served(pdf("Disposed"), "application/pdf", "\"d1\"",
                "attachment; filename=\"quarterly.pdf\"", null));
        served.put("/old.md", new Served(null, null, null, null, "/moved/new.md"));
        served.put("/moved/new.md", Served.of("# Moved\n", "text/markdown", "\"m1\""));
        allAdded(add("public", null, "/download", "/old.md"), 2);
        assertEquals("quarterly", KbFixture.row(pub, url("/download")).docName());
        assertEquals("new", KbFixture.row(pub, url("/old.md")).docName());
        forgetFetches(pub);
        try (KbCache c = open()) {
            assertTrue(c.lookup(urlKey("/download")).isEmpty(), "named from a header the KB does not keep");
            assertTrue(c.lookup(urlKey("/old.md")).isEmpty(), "named from where a redirect led");
        }
        int before = bodies.get();
        KbFixture.Run second = add("second", kbCache(Duration.ZERO), "/download", "/old.md");
        allAdded(second, 2);
        assertEquals(before + 2, bodies.get(), "both downloaded again");
        assertEquals(List.of(), second.warnings());
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    /**
     * A redirect that keeps the file name (http to https, a moved folder) leaves the name as the
     * URL gives it, so the KB's record cannot tell; but an HTML page's links resolve against where
     * it led. The revalidation is answered from there: a 304 from another URL than the entry says
     * is not a confirmation of it, and the page is downloaded.
     */
    @Test
    void anHtmlPageReachedThroughARedirectIsDownloadedItsLinksDependOnIt() throws Exception {
        served.put("/page.html", new Served(null, null, null, null, "/moved/page.html"));
        served.put("/moved/page.html", Served.of(html("Moved page", "links relative to the folder"),
                "text/html; charset=utf-8", "\"p1\""));
        allAdded(add("public", null, "/page.html"), 1);
        forgetFetches(pub);
        assertTrue(KbFixture.contents(pub).get("wiki/sources/page.md").contains(url("/moved/rel/0")));
        try (KbCache c = open()) {
            assertTrue(c.lookup(urlKey("/page.html")).isPresent(), "named as the URL gives it: the KB cannot tell");
        }
        int before = bodies.get();
        KbFixture.Run second = add("second", kbCache(Duration.ZERO), "/page.html");
        allAdded(second, 1);
        assertEquals(before + 1, bodies.get(), "the page was not downloaded");
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    /**
     * With the fetch recorded ({@code fetch_fields}), what the row alone cannot say is no miss: a
     * name from a Content-Disposition, an HTML page reached through a redirect, a charset only the
     * header gave. The entry is the one the download stored, so the second KB's conversion key is
     * the public row's {@code page_key} and its page is served too: nothing is asked of the server.
     */
    @Test
    void aRecordedFetchGivesTheEntryTheDownloadStoredAndThePageItMade() throws Exception {
        served.put("/download", new Served(pdf("Disposed"), "application/pdf", "\"d1\"",
                "attachment; filename=\"quarterly.pdf\"", null));
        served.put("/page.html", new Served(null, null, null, null, "/moved/page.html"));
        served.put("/moved/page.html", Served.of(html("Moved page", "links relative to the folder"),
                "text/html; charset=utf-8", "\"p1\""));
        served.put("/utf8.html", Served.of(html("Caf\u00e9 cr\u00e8me", "Un caf\u00e9 tr\u00e8s cr\u00e9meux"),
                "text/html; charset=windows-1252", "\"u1\""));
        allAdded(add("public", null, "/download", "/page.html", "/utf8.html"), 3);
        try (KbCache c = open()) {
            for (String[] t : List.of(new String[] {"/download", "/download", "application/pdf", "quarterly.pdf"},
                    new String[] {"/page.html", "/moved/page.html", "text/html; charset=utf-8", "page.html"},
                    new String[] {"/utf8.html", "/utf8.html", "text/html; charset=windows-1252", "utf8.html"})) {
                DocumentRow row = KbFixture.row(pub, url(t[0]));
                CacheEntry e = c.lookup(urlKey(t[0])).orElseThrow(() -> new AssertionError(t[0]));
                assertEquals(url(t[1]), e.text("final_url"), t[0]);
                assertEquals(t[2], e.text("content_type"), t[0]);
                assertEquals(t[3], e.text("name_hint"), t[0]);
                assertEquals(false, e.fields().get("name_is_host"));
                assertEquals(row.etag(), e.text("etag"));
                assertEquals(List.of(new CacheEntry.Blob("raw", row.sha256(), row.size())), e.blobs());
                // the key the importing KB converts under, made from this entry as UrlSource makes it
                CacheKey k = ConversionKeys.of(row.sha256(), e.text("name_hint"), e.text("content_type"),
                        e.text("final_url"), dev.kb.core.input.UrlSource.stem(e.text("name_hint")));
                assertEquals(row.origin().key(), k.id(), t[0]);
                assertTrue(c.lookup(k).isPresent(), t[0]);
            }
        }
        int before = requests.size();
        CachePlan plan = kbCache(Duration.ofHours(1));
        KbFixture.Run second = add("second", plan, "/download", "/page.html", "/utf8.html");
        allAdded(second, 3);
        assertEquals(List.of(), second.warnings());
        assertEquals(List.of(), requests.subList(before, requests.size()).stream().map(RecordedRequest::getPath).toList());
        assertEquals(6, plan.lastRun().hits(0), "three URLs and their three pages");
        assertEquals(0, plan.lastRun().misses(0));
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
        // and the second KB records the same fetches: a third may take them from it in turn
        for (String p : List.of("/download", "/page.html", "/utf8.html")) {
            assertEquals(KbFixture.row(pub, url(p)).fetch(), KbFixture.row(tmp.resolve("second"), url(p)).fetch(), p);
        }
    }

    /** A record that names another document than its row, or is not one kb writes, is a miss. */
    @Test
    void aFetchRecordThatDisagreesWithItsRowIsAMiss() throws Exception {
        allAdded(add("public", null, "/files/report.pdf", "/notes.md", "/article"), 3);
        Path db = pub.resolve(".kb/registry.db");
        sqlite(db, "UPDATE documents SET fetch_fields = replace(fetch_fields, '\"report.pdf\"', '\"other.pdf\"')"
                        + " WHERE doc_name = 'report'",
                "UPDATE documents SET fetch_fields = '[1]' WHERE doc_name = 'notes'",
                "UPDATE documents SET fetch_fields = replace(fetch_fields, '\"http://', '\"gopher://')"
                        + " WHERE doc_name = 'article'");
        assertTrue(KbFixture.row(pub, url("/files/report.pdf")).fetch().contains("other.pdf"));
        try (KbCache c = open()) {
            assertEquals(Optional.empty(), c.lookup(urlKey("/files/report.pdf")), "named otherwise than its row");
            assertEquals(Optional.empty(), c.lookup(urlKey("/notes.md")), "not a record kb writes");
            assertEquals(Optional.empty(), c.lookup(urlKey("/article")), "its final URL is no http(s) URL");
        }
        int before = bodies.get();
        allAdded(add("second", kbCache(Duration.ZERO), "/files/report.pdf", "/notes.md", "/article"), 3);
        assertEquals(before + 3, bodies.get(), "each downloaded again");
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    @Test
    void anHtmlPageWhoseCharsetItsBytesDoNotFixIsAMiss() throws Exception {
        String accented = html("Caf\u00e9 cr\u00e8me", "Un caf\u00e9 tr\u00e8s cr\u00e9meux");
        // a server whose header contradicts the page's <meta charset="utf-8">: the header wins, as in
        // browsers, and the public KB's page is what windows-1252 makes of the bytes; an entry that
        // said no header would make KB2's page from the <meta>, another page
        served.put("/utf8.html", Served.of(accented, "text/html; charset=windows-1252", "\"u1\""));
        byte[] bom = ("\ufeff" + accented).getBytes(StandardCharsets.UTF_8);
        served.put("/bom.html", Served.of(bom, "text/html; charset=windows-1252", "\"b1\""));
        allAdded(add("public", null, "/utf8.html", "/bom.html"), 2);
        forgetFetches(pub);
        try (KbCache c = open()) {
            assertTrue(c.lookup(urlKey("/utf8.html")).isEmpty(), "its header's charset came before its <meta>");
            assertTrue(c.lookup(urlKey("/bom.html")).isPresent(), "a byte-order mark comes before any header");
        }
        KbFixture.Run second = add("second", kbCache(Duration.ZERO), "/utf8.html", "/bom.html");
        allAdded(second, 2);
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    @Test
    void textTheBytesLeaveOpenTakesTheTypeTheKbRecorded() throws Exception {
        served.put("/plain", Served.of("just words, no markup at all\n", "text/plain; charset=utf-8", "\"p1\""));
        served.put("/readme", Served.of("# A readme\n\n* a list\n", "text/markdown", "\"p2\""));
        allAdded(add("public", null, "/plain", "/readme"), 2);
        assertEquals("text", KbFixture.row(pub, url("/plain")).type());
        forgetFetches(pub);
        try (KbCache c = open()) {
            assertEquals("text/plain", c.lookup(urlKey("/plain")).orElseThrow().text("content_type"));
            assertNull(c.lookup(urlKey("/readme")).orElseThrow().text("content_type"));
        }
        int before = bodies.get();
        allAdded(add("second", kbCache(Duration.ZERO), "/plain", "/readme"), 2);
        assertEquals(before, bodies.get());
        assertEquals(KbFixture.contents(pub), KbFixture.contents(tmp.resolve("second")));
    }

    @Test
    void aDamagedRawFileIsAMissWithOneWarningAndTheDocumentComesFromTheServer() throws Exception {
        allAdded(add("public", null, "/notes.md", "/files/report.pdf"), 2);
        Map<String, String> expected = KbFixture.contents(pub);
        for (String p : List.of("/notes.md", "/files/report.pdf")) {
            Path raw = pub.resolve(KbFixture.row(pub, url(p)).rawPath());
            byte[] b = Files.readAllBytes(raw);
            b[b.length / 2] ^= 0x01;
            Files.write(raw, b);
        }
        Map<String, String> damagedTree = KbFixture.tree(pub);
        int before = bodies.get();
        CachePlan plan = kbCache(Duration.ZERO);
        KbFixture.Run second = add("second", plan, "/notes.md", "/files/report.pdf");
        allAdded(second, 2);
        assertEquals(before + 2, bodies.get(), "the right bytes came from the server");
        assertEquals(1, second.warnings().size(), second.warnings().toString());
        assertTrue(second.warnings().get(0).startsWith("cache kb:public: an entry failed verification (its raw does "
                + "not match its hash)"), second.warnings().get(0));
        // its page is sound: the PDF the server sent, the very bytes it was made of, is not converted again
        assertEquals(1, plan.lastRun().hits(0));
        assertEquals(expected, KbFixture.contents(tmp.resolve("second")));
        assertEquals(damagedTree, KbFixture.tree(pub), "the damage was left for the public KB's owner");
        try (KbCache c = open()) {
            CacheStats.Verified v = c.verify();
            assertEquals(2, v.checked());
            assertEquals(0, v.dropped());
            assertEquals(2, v.kept().size(), v.toString());
            assertTrue(v.kept().get(0).matches("notes: raw/notes\\.md does not match its sha256"), v.kept().toString());
        }
        assertEquals(damagedTree, KbFixture.tree(pub));
    }

    @Test
    void filesThatDisagreeWithTheirRowAreQuietWhileAWriterIsAtWorkThereAndDamageOtherwise() throws Exception {
        allAdded(add("public", null, "/notes.md"), 1);
        DocumentRow row = KbFixture.row(pub, url("/notes.md"));
        Path raw = pub.resolve(row.rawPath());
        // what a writer between publishing and committing leaves: new bytes, the old row
        Files.writeString(raw, "# Notes, the next version of them\n");
        Path journal = pub.resolve(".kb/journal/0000-test.json");
        try (KbCache c = open(); SourceCaches s = SourceCaches.open(List.of(c), kbCache(Duration.ZERO).services(),
                m -> { throw new AssertionError("warned: " + m); })) {
            assertThrows(CacheEntry.Malformed.class, () -> c.lookup(urlKey("/notes.md")), "at rest: damage");
            Files.writeString(journal, "{}");
            assertEquals(Optional.empty(), c.lookup(urlKey("/notes.md")), "a writer at work: a quiet miss");
            assertTrue(s.find(urlKey("/notes.md")).isEmpty());
            // the same size: the look-up passes, the bytes read do not hash as the row says
            Files.delete(journal);
            byte[] same = Files.readAllBytes(raw);
            Files.writeString(raw, "x".repeat((int) row.size()));
            CacheEntry e = c.lookup(urlKey("/notes.md")).orElseThrow();
            Files.writeString(journal, "{}");
            assertFalse(c.readBlob(e.blobs().get(0), tmp.resolve("d")), "a writer at work: bytes to be had later");
            assertFalse(Files.exists(tmp.resolve("d")));
            assertFalse(s.failed(0));
            assertNotEquals(row.sha256(), Hashing.sha256Hex(same));
        }
    }

    @Test
    void itNeverWritesOrLocksThePublicKbNotEvenWhileItsWriterHoldsTheLockWithCommitsInItsLog() throws Exception {
        allAdded(add("public", null, "/notes.md", "/files/report.pdf"), 2);
        try (TestKb writer = TestKb.create(pub)) {
            // its writer holds the lock and the registry open (write-ahead log and -shm there), and
            // commits a document that only its log holds
            DocumentRow late = new DocumentRow("late", Hashing.sha256Hex(new byte[] {1}), "raw/late.md",
                    "wiki/sources/late.md", "https://example.org/late.md", "markdown", "Late", 1,
                    Instant.now().toString(), Instant.now().toString(), null, null);
            writer.registry.commit("late-journal", List.of(late), List.of(), new CommitNote("kb add", 1, 0, 0, 0));
            assertTrue(Files.size(pub.resolve(".kb/registry.db-wal")) > 0);
            Map<String, String> before = KbFixture.tree(pub);

            CachePlan plan = kbCache(Duration.ZERO);
            KbFixture.Run second = add("second", plan, "/notes.md", "/files/report.pdf");
            allAdded(second, 2);
            assertEquals(3, plan.lastRun().hits(0), "the two URLs and the PDF's conversion");
            try (KbCache c = open()) {
                assertTrue(c.lookup(new CacheKey(CacheKey.Kind.URL, "https://example.org/late.md",
                        KbCache.URL_LAYOUT)).isEmpty(), "a commit only in the log is not seen");
                c.stats();
                c.verify();
            }
            assertEquals(before, KbFixture.tree(pub), "the public KB changed while its writer held it");
        }
    }

    @Test
    void aRegistryRewrittenUnderTheReaderIsReadAgain() throws Exception {
        allAdded(add("public", null, "/notes.md"), 1);
        try (KbCache c = open()) {
            assertTrue(c.lookup(urlKey("/notes.md")).isPresent());
            assertTrue(c.lookup(urlKey("/files/report.pdf")).isEmpty());
            allAdded(add("public", null, "/files/report.pdf"), 1); // its writer closed: checkpointed into the file
            assertTrue(c.lookup(urlKey("/files/report.pdf")).isPresent(), "the new file not read again");
        }
    }

    @Test
    void rowsNamingPathsOutsideItsFoldersAreNotRead() throws Exception {
        KbFixture.init(pub);
        Files.writeString(tmp.resolve("secret.md"), "# Secret\n");
        String sha = Hashing.sha256Hex(tmp.resolve("secret.md"));
        try (TestKb writer = TestKb.create(pub)) {
            for (String[] paths : List.of(new String[] {"../secret.md", "wiki/sources/a.md"},
                    new String[] {"raw/../../secret.md", "wiki/sources/b.md"},
                    new String[] {tmp.resolve("secret.md").toString(), "wiki/sources/c.md"})) {
                String name = paths[1].substring(13, 14);
                writer.registry.commit("j-" + name, List.of(new DocumentRow(name, sha, paths[0], paths[1],
                        "https://example.org/" + name, "markdown", "S", 9, Instant.now().toString(),
                        Instant.now().toString(), null, null)), List.of(), new CommitNote("kb add", 1, 0, 0, 0));
            }
        }
        try (KbCache c = open()) {
            for (String name : List.of("a", "b", "c")) {
                assertTrue(c.lookup(new CacheKey(CacheKey.Kind.URL, "https://example.org/" + name, KbCache.URL_LAYOUT))
                        .isEmpty(), name);
            }
            assertEquals(3, c.verify().kept().size());
        }
    }

    /** A link put in place of a file of the public KB is never followed: not even to the very bytes. */
    @Test
    void aLinkInPlaceOfAFileIsNotFollowed() throws Exception {
        allAdded(add("public", null, "/notes.md"), 1);
        DocumentRow row = KbFixture.row(pub, url("/notes.md"));
        Path raw = pub.resolve(row.rawPath());
        Path elsewhere = Files.move(raw, tmp.resolve("elsewhere.md"));
        try (KbCache c = open()) {
            Files.createSymbolicLink(raw, elsewhere);
            CacheEntry.Malformed m = assertThrows(CacheEntry.Malformed.class, () -> c.lookup(urlKey("/notes.md")));
            assertEquals("raw/notes.md is not a regular file", m.getMessage());
            // replaced by a link after the look-up: its bytes are not read
            Files.delete(raw);
            Files.copy(elsewhere, raw);
            CacheEntry e = c.lookup(urlKey("/notes.md")).orElseThrow();
            Files.delete(raw);
            Files.createSymbolicLink(raw, elsewhere);
            assertFalse(c.readBlob(e.blobs().get(0), tmp.resolve("d")));
            assertEquals(List.of("notes: raw/notes.md is not a regular file"), c.verify().kept());
        }
    }

    @Test
    void statsCountWhatItCouldAnswer() throws Exception {
        allAdded(add("public", null, "/notes.md", "/files/report.pdf"), 2);
        Files.createDirectories(tmp.resolve("in"));
        Files.writeString(tmp.resolve("in/local.md"), "# Local\n");
        allAdded(KbFixture.add(pub, tmp, null, "in"), 1);
        try (KbCache c = open()) {
            CacheStats s = c.stats();
            assertEquals(2, s.entries());
            assertEquals(KbFixture.row(pub, url("/notes.md")).size() + KbFixture.row(pub, url("/files/report.pdf")).size(),
                    s.bytes());
            assertEquals(0, s.hits());
            CacheStats.Verified v = c.verify();
            assertEquals(new CacheStats.Verified(2, 0, List.of()), v);
        }
    }

    @Test
    void aKbItCannotUseIsOneWarningThenEveryLookUpAMiss() throws Exception {
        allAdded(add("public", null, "/notes.md"), 1);
        Files.createDirectories(tmp.resolve("plain-dir"));
        Files.writeString(tmp.resolve("a-file"), "x");
        Files.createDirectories(tmp.resolve("no-registry/.kb"));
        Files.createDirectories(tmp.resolve("empty-registry/.kb"));
        Files.createFile(tmp.resolve("empty-registry/.kb/registry.db"));
        Files.createDirectories(tmp.resolve("junk-registry/.kb"));
        Files.writeString(tmp.resolve("junk-registry/.kb/registry.db"), "not a database, only text ".repeat(40));
        Files.createDirectories(tmp.resolve("newer/.kb"));
        Files.copy(pub.resolve(".kb/registry.db"), tmp.resolve("newer/.kb/registry.db"));
        try (Connection conn = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + tmp.resolve("newer/.kb/registry.db"),
                new java.util.Properties()); Statement st = conn.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        Map<String, String> expected = Map.of(
                "missing", "no knowledge base at " + tmp.resolve("missing") + " (no such directory)",
                "a-file", "no knowledge base at " + tmp.resolve("a-file") + " (it is a file, not a directory)",
                "plain-dir", tmp.resolve("plain-dir") + " is not a knowledge base (it has no .kb/)",
                "no-registry", tmp.resolve("no-registry") + " is not a knowledge base (it has no .kb/registry.db)",
                "empty-registry", "registry " + tmp.resolve("empty-registry/.kb/registry.db").toRealPath()
                        + " is empty (zero bytes)",
                "junk-registry", "registry " + tmp.resolve("junk-registry/.kb/registry.db").toRealPath()
                        + " cannot be read: [SQLITE_NOTADB]",
                "newer", "registry " + tmp.resolve("newer/.kb/registry.db").toRealPath()
                        + " has schema version 99, newer than this kb understands");
        for (Map.Entry<String, String> x : expected.entrySet()) {
            CachePlan plan = KbFixture.plan(tmp, Map.of(), Duration.ZERO, "kb:" + x.getKey());
            SourceCache c = plan.caches().get(0);
            IOException e = assertThrows(IOException.class, () -> c.initialize(plan.services()), x.getKey());
            assertTrue(dev.kb.core.text.Causes.oneLine(e).startsWith(x.getValue()), x.getKey() + ": " + e.getMessage());

            List<String> warnings = new ArrayList<>();
            CachePlan again = KbFixture.plan(tmp, Map.of(), Duration.ZERO, "kb:" + x.getKey());
            try (SourceCaches s = again.open(warnings::add)) {
                assertTrue(s.find(urlKey("/notes.md")).isEmpty());
                assertTrue(s.find(urlKey("/notes.md")).isEmpty());
                assertTrue(s.failed(0));
            }
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("cache kb:" + x.getKey() + ": initialize: " + x.getValue()),
                    warnings.get(0));
        }
        // and an add with such a cache takes its documents from the server
        int before = bodies.get();
        KbFixture.Run r = add("second", KbFixture.plan(tmp, Map.of(), Duration.ZERO, "kb:newer"), "/notes.md");
        allAdded(r, 1);
        assertEquals(before + 1, bodies.get());
        assertEquals(1, r.warnings().size(), r.warnings().toString());
    }

    @Test
    void aBadCloudSettingIsSaid() {
        CachePlan plan = KbFixture.plan(tmp, Map.of(KbCache.CLOUD_SETTING, "always"), Duration.ZERO, "kb:public");
        KbFixture.init(pub);
        IOException e = assertThrows(IOException.class, () -> plan.caches().get(0).initialize(plan.services()));
        assertEquals("setting kb.cloud = always: it is 'miss' (the default) or 'trust'", e.getMessage());
    }

    @Test
    void aBadCloudSettingInAConfigFileIsAUsageErrorNamingIt() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("config/kb")).resolve("cache.properties");
        Files.writeString(file, "cache = kb:../../public\nkb.cloud = always\n");
        dev.kb.core.KbException e = assertThrows(dev.kb.core.KbException.class, () -> dev.kb.core.cache.CacheConfig
                .resolve(List.of(), null, Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString()), tmp, null));
        assertEquals(dev.kb.core.KbException.Kind.USAGE, e.kind());
        assertEquals(file + ": kb.cloud: 'always' is not 'miss' (the default) or 'trust'", e.getMessage());
        Files.writeString(file, "cache = kb:../../public\nkb.cloud = Trust\n");
        assertEquals("Trust", dev.kb.core.cache.CacheConfig.resolve(List.of(), null,
                Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString()), tmp, null).services()
                .setting(KbCache.CLOUD_SETTING).orElseThrow());
    }

    @Test
    void aHostOnlyUrlIsFoundAsGiven() {
        assertEquals("http://127.0.0.1:8080", KbCache.hostOnly("http://127.0.0.1:8080/"));
        assertNull(KbCache.hostOnly("http://127.0.0.1:8080/a"));
        assertNull(KbCache.hostOnly("http://127.0.0.1:8080/?q"));
    }
}
