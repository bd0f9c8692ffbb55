package dev.kb.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fetch.FetchOptions;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.UrlSource;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
 * A batch with a {@code dir} cache, cold and warm, against the same batch without one: the KBs
 * are the same byte for byte in {@code raw/} and {@code wiki/sources/} (but for the {@code added}
 * time), and the warm one downloaded nothing (every URL a 304, or not even asked under
 * {@code --cache-max-age}) and converted nothing (every HTML and PDF a cache hit).
 */
@Timeout(120)
class CachedIngestTest {
    @TempDir
    Path tmp;

    MockWebServer server;
    /** What the server serves: path -> body, content type, ETag (null: none). */
    final Map<String, Object[]> served = new ConcurrentHashMap<>();
    final AtomicInteger fullBodies = new AtomicInteger();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void serve() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.add(r);
                Object[] doc = served.get(r.getPath());
                if (doc == null) {
                    return new MockResponse().setResponseCode(404);
                }
                String etag = (String) doc[2];
                if (etag != null && etag.equals(r.getHeader("If-None-Match"))) {
                    return new MockResponse().setResponseCode(304).setHeader("ETag", etag);
                }
                fullBodies.incrementAndGet();
                MockResponse m = new MockResponse().setHeader("Content-Type", doc[1])
                        .setBody(new Buffer().write((byte[]) doc[0]));
                return etag == null ? m : m.setHeader("ETag", etag);
            }
        });
        server.start();
        Files.createDirectories(tmp.resolve("in"));
        Files.writeString(tmp.resolve("in/note.md"), "---\nzip: 01234\ntags: [a, b]\n---\n# A note\n\nPlain text.\n");
        Files.writeString(tmp.resolve("in/page.html"), html("Local page", "served from a file"));
        Files.write(tmp.resolve("in/paper.pdf"), pdf("Local paper", "Findings of the local paper"));
        Files.writeString(tmp.resolve("in/plain.txt"), "just text\n");
        served.put("/article", new Object[] {html("Remote page", "served by a server").getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8", "\"v1\""});
        served.put("/files/report.pdf", new Object[] {pdf("Remote report", "Figures of the remote report"),
                "application/pdf", "\"r1\""});
        served.put("/plain", new Object[] {"no validators here\n".getBytes(StandardCharsets.UTF_8), "text/plain", null});
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    static String html(String title, String words) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title><meta name=\"author\" content=\"A. Writer\"></head><body><article><h1>").append(title)
                .append("</h1>");
        for (int i = 0; i < 5; i++) {
            b.append("<p>").append(words).append(", paragraph ").append(i).append(", with enough ordinary prose, "
                    + "commas, sentences and <a href=\"/rel/").append(i).append("\">links</a> to be the main content.</p>");
        }
        return b.append("</article></body></html>").toString();
    }

    static byte[] pdf(String title, String text) throws IOException {
        try (PDDocument doc = new PDDocument(); java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
            for (int p = 1; p <= 2; p++) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream s = new PDPageContentStream(doc, page)) {
                    s.beginText();
                    s.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    s.newLineAtOffset(72, 700);
                    s.showText(text + ", page " + p);
                    s.endText();
                }
            }
            doc.getDocumentInformation().setTitle(title);
            doc.getDocumentInformation().setAuthor("R. Searcher");
            doc.save(out);
            return out.toByteArray();
        }
    }

    CachePlan dirCache(Duration maxAge) {
        CacheServices services = new CacheServices(Map.of("HOME", tmp.toString()),
                CacheOptions.defaults().withDeadline(Duration.ofSeconds(10)).withMaxAge(maxAge), Map.of(),
                Clock.systemUTC(), tmp.resolve("xdg"));
        return new CachePlan(List.of(CacheProviders.create(CacheSpec.parse("dir:cache", tmp))), services, null);
    }

    record Run(KnowledgeBase kb, List<Outcome> events, List<String> warnings) {
    }

    Run add(String name, CachePlan caches) {
        Path dir = tmp.resolve(name);
        if (!Files.exists(dir)) {
            Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        }
        KnowledgeBase kb = KnowledgeBase.open(dir);
        UrlFetcher fetcher = new UrlFetcher(FetchOptions.defaults());
        List<String> args = List.of("in", server.url("/article").toString(), server.url("/files/report.pdf").toString(),
                server.url("/plain").toString());
        List<Inputs.Item> items = Inputs.expand(args, tmp, kb,
                a -> UrlFetcher.isUrl(a) ? new UrlSource(UrlFetcher.parseUrl(a), a, fetcher) : null, 1 << 30);
        List<Outcome> events = Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        Ingest ingest = new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add", 4, 50, FileOps.REAL).withCaches(caches),
                new Batch.Listener() {
                    @Override
                    public void outcome(Outcome o) {
                        events.add(o);
                    }

                    @Override
                    public void warning(String message) {
                        warnings.add(message);
                    }

                    @Override
                    public void waitingForLock(String holder) {
                        warnings.add("waiting for " + holder);
                    }
                });
        ingest.run(items);
        return new Run(kb, events, warnings);
    }

    /** Every file under raw/ and wiki/sources/, by path, its bytes with the front matter's added time left out. */
    static Map<String, String> contents(KnowledgeBase kb) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String sub : List.of("raw", "wiki/sources")) {
            Path root = kb.root().resolve(sub);
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1); // every byte kept
                    out.put(kb.root().relativize(p).toString(), text.replaceAll("(?m)^added: .*$", "added: *"));
                }
            }
        }
        return out;
    }

    static void allAdded(Run r) {
        assertEquals(7, r.events().size(), r.events().toString());
        for (Outcome o : r.events()) {
            assertEquals(Outcome.Status.ADDED, o.status(), o.toString());
        }
    }

    @Test
    void aKbBuiltWithACacheColdOrWarmIsTheKbBuiltWithout() throws IOException {
        Run none = add("kb-none", null);
        allAdded(none);
        int bodiesWithout = fullBodies.get();
        assertEquals(3, bodiesWithout);

        CachePlan cold = dirCache(Duration.ZERO);
        Run coldRun = add("kb-cold", cold);
        allAdded(coldRun);
        assertEquals(6, fullBodies.get(), "a cold cache downloads every URL");
        SourceCaches coldUse = cold.lastRun();
        assertEquals(0, coldUse.hits(0));

        CachePlan warm = dirCache(Duration.ZERO);
        int requestsBefore = requests.size();
        Run warmRun = add("kb-warm", warm);
        allAdded(warmRun);
        // the two URLs with validators were revalidated (304); the one without has nothing to
        // revalidate with and came whole again
        assertEquals(7, fullBodies.get(), "a warm cache downloaded a document with validators again");
        List<RecordedRequest> warmRequests = requests.subList(requestsBefore, requests.size());
        assertEquals(3, warmRequests.size());
        assertEquals(2, warmRequests.stream().filter(r -> r.getHeader("If-None-Match") != null).count());
        // hits: two URLs, and the conversions of the local page and paper and of the remote ones
        assertEquals(6, warm.lastRun().hits(0), "warm hits");
        assertEquals(List.of(), warmRun.warnings());
        Map<String, String> expected = contents(none.kb());
        assertEquals(expected, contents(coldRun.kb()), "cold cache");
        assertEquals(expected, contents(warmRun.kb()), "warm cache");
        assertEquals(14, expected.size(), expected.keySet().toString());
    }

    @Test
    void underMaxAgeAWarmCacheAsksNoServerAndA200RefreshesTheEntry() throws IOException {
        add("kb-a", dirCache(Duration.ZERO));
        int before = requests.size();
        Run b = add("kb-b", dirCache(Duration.ofHours(1)));
        allAdded(b);
        assertEquals(before, requests.size(), "requests made under --cache-max-age 1h");

        // the page changes: its ETag no longer matches, the 200's bytes go into KB c and the cache
        served.put("/article", new Object[] {html("Remote page, revised", "served anew").getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8", "\"v2\""});
        Run c = add("kb-c", dirCache(Duration.ZERO));
        assertTrue(read(c.kb(), "wiki/sources").contains("Remote page, revised"));
        int bodies = fullBodies.get();
        Run d = add("kb-d", dirCache(Duration.ZERO));
        assertTrue(read(d.kb(), "wiki/sources").contains("Remote page, revised"));
        assertEquals(bodies + 1, fullBodies.get(), "only /plain, which has no validators, came whole again");
    }

    private static String read(KnowledgeBase kb, String sub) throws IOException {
        return String.join("\n", contents(kb).entrySet().stream().filter(e -> e.getKey().startsWith(sub))
                .map(Map.Entry::getValue).toList());
    }
}
