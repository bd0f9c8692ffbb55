package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code kb add <url>} against a local MockWebServer: HTML, PDF by content, 404, ETag revalidation. */
class UrlTest extends E2EBase {
    static final String PAGE = html("Readable Page Title", "An article served over HTTP.");
    static final byte[] PDF = minimalPdf("Quarterly figures in a tiny PDF");

    private MockWebServer server;

    @BeforeEach
    void serve() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String path = r.getPath();
                switch (path) {
                    case "/articles/first-post.html":
                        return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setBody(PAGE);
                    case "/download/report":
                        return new MockResponse().setHeader("Content-Type", "application/octet-stream")
                                .setBody(new Buffer().write(PDF));
                    case "/etag.html":
                        if ("\"v1\"".equals(r.getHeader("If-None-Match"))) {
                            return new MockResponse().setResponseCode(304).setHeader("ETag", "\"v1\"");
                        }
                        return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                                .setHeader("ETag", "\"v1\"").setBody(html("Tagged", "Validated by its ETag."));
                    default:
                        return new MockResponse().setResponseCode(404).setBody("no such page");
                }
            }
        });
        server.start();
        init();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private String url(String path) {
        return server.url(path).toString();
    }

    /** Drains what the server has recorded so far. */
    private List<RecordedRequest> requests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null; ) {
            out.add(r);
        }
        return out;
    }

    @Test
    void htmlPageGetsItsTitleAndPdfIsRecognisedByItsBytes() {
        Kb.Result r = kb("add", "--json", url("/articles/first-post.html"), url("/download/report")).expect(0);
        List<JsonNode> ev = r.events();
        assertEquals("added", ev.get(0).get("status").asText(), r.err());
        assertEquals("added", ev.get(1).get("status").asText(), r.err());
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(Set.of("first-post", "report"), KbState.names(rows));

        KbState.Row page = KbState.row(kb, "first-post");
        assertEquals(url("/articles/first-post.html"), page.sourceUri());
        assertEquals(KbState.sha256(PAGE.getBytes(StandardCharsets.UTF_8)), page.sha256());
        String md = read(kb.resolve(page.sourcePath()));
        String frontMatter = md.substring(0, md.indexOf("\n---", 4));
        assertTrue(frontMatter.lines().anyMatch(l -> l.startsWith("title:") && l.contains("Readable Page Title")), md);

        KbState.Row pdf = KbState.row(kb, "report");
        assertEquals("raw/report.pdf", pdf.rawPath());
        assertEquals(KbState.sha256(PDF), pdf.sha256());
        assertTrue(read(kb.resolve(pdf.sourcePath())).contains("Quarterly figures"), read(kb.resolve(pdf.sourcePath())));
    }

    @Test
    void notFoundFailsAndLeavesNothing() {
        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result r = kb("add", "--json", url("/nothing-here.html")).expect(1).assertNoStackTrace();
        List<String> lines = r.errLines().stream().filter(l -> l.contains("HTTP 404")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains(url("/nothing-here.html")), lines.get(0));
        assertEquals("failed", r.events().get(0).get("status").asText());
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void reAddRevalidatesWithTheEtagAndA304IsASkip() throws Exception {
        kb("add", url("/etag.html")).expect(0);
        List<RecordedRequest> first = requests();
        assertEquals(1, first.size());
        assertEquals(null, first.get(0).getHeader("If-None-Match"));
        KbState.Snapshot before = KbState.snapshot(kb);

        Kb.Result again = kb("add", "--json", url("/etag.html")).expect(0);
        List<RecordedRequest> second = requests();
        assertEquals(1, second.size());
        assertEquals("\"v1\"", second.get(0).getHeader("If-None-Match"));
        JsonNode ev = again.events().get(0);
        assertEquals("skipped", ev.get("status").asText(), ev.toString());
        assertEquals("etag", ev.get("doc").asText());
        KbState.assertUnchanged(before, kb);
        KbState.assertAtRest(kb);
    }

    /** A one-page PDF with one line of text, with a correct cross-reference table. */
    static byte[] minimalPdf(String text) {
        String content = "BT /F1 18 Tf 72 720 Td (" + text + ") Tj ET";
        String[] objects = {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    + "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder xref = new StringBuilder();
        write(out, "%PDF-1.4\n");
        xref.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
        for (int i = 0; i < objects.length; i++) {
            xref.append(String.format("%010d 00000 n \n", out.size()));
            write(out, (i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n");
        }
        int start = out.size();
        write(out, xref + "trailer\n<< /Size " + (objects.length + 1) + " /Root 1 0 R >>\nstartxref\n" + start
                + "\n%%EOF\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
