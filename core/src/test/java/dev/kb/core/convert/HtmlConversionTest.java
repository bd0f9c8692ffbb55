package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.vladsch.flexmark.ast.AutoLink;
import com.vladsch.flexmark.ast.Image;
import com.vladsch.flexmark.ast.Link;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.ast.Node;
import com.vladsch.flexmark.util.sequence.Escaping;
import dev.kb.core.KbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HtmlConversionTest {

    @TempDir
    Path dir;

    private Path fixture(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(name)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void extractsTheArticleWithMetadataAndCharsetFromMeta() throws IOException {
        Path file = fixture("article-latin1.html");
        assertEquals(ContentKind.HTML, Sniffer.sniff(file, null, file.getFileName().toString()).kind());

        Converted c = Converter.convert(ContentKind.HTML, file, "article-latin1", "https://crumb.example/2024/sourdough", dir);

        assertEquals("Baking Sourdough at Home", c.title(), "og:title beats the <title> with its site suffix");
        assertEquals("Renée Baker", c.metadata().get("byline"), "iso-8859-1 from <meta charset> decoded");
        assertEquals("A practical guide to wild-yeast bread, from starter to crust.", c.metadata().get("excerpt"));
        assertEquals("The Crumb Journal", c.metadata().get("site_name"));
        assertEquals(List.of("byline", "excerpt", "site_name"), List.copyOf(c.metadata().keySet()));

        String md = c.markdown();
        assertTrue(md.contains("Sourdough baking starts with a starter"), md);
        assertTrue(md.contains("## Café notes"), "ATX headings, charset decoded:\n" + md);
        assertTrue(md.contains("(https://crumb.example/guides/starter)"), "links made absolute:\n" + md);
        assertTrue(md.contains("https://crumb.example/2024/images/loaf.jpg"), "images made absolute:\n" + md);
        assertFalse(md.contains("Popular posts"), "sidebar dropped:\n" + md);
        assertFalse(md.contains("All rights reserved"), "footer dropped:\n" + md);
        assertFalse(md.contains("<"), "no raw HTML left:\n" + md);
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void jsonLdComesBeforeMetaTags() throws IOException {
        Converted c = Converter.convert(ContentKind.HTML, fixture("jsonld.html"), "jsonld", null, dir);
        assertEquals("Rivers Rise After Storm", c.title());
        assertEquals("Jo Lee, Sam Park", c.metadata().get("byline"));
        assertEquals("Flood warnings across the valley.", c.metadata().get("excerpt"));
        assertEquals("Valley Times", c.metadata().get("site_name"));
        assertTrue(c.markdown().contains("During bulk fermentation"), c.markdown());
    }

    @Test
    void aTinyPageStillConvertsWithAWarning() throws IOException {
        Converted c = Converter.convert(ContentKind.HTML, fixture("tiny.html"), "tiny", null, dir);
        assertEquals("Tiny page", c.title());
        assertTrue(c.markdown().contains("Hello, world."), c.markdown());
        assertTrue(c.warnings().stream().anyMatch(w -> w.startsWith("little text extracted")), c.warnings().toString());
        assertFalse(c.metadata().containsKey("byline"), "blank metadata omitted: " + c.metadata());
        assertFalse(c.metadata().containsKey("site_name"));
    }

    @Test
    void aPageWithoutTitleOrTextFallsBackToTheStem() throws IOException {
        Path file = dir.resolve("blank.html");
        Files.writeString(file, "<html><head></head><body></body></html>");
        Converted c = Converter.convert(ContentKind.HTML, file, "blank", null, dir);
        assertEquals("blank", c.title());
        assertFalse(c.warnings().isEmpty());
    }

    @Test
    void utf8BomDecidesTheCharset() throws IOException {
        Path file = dir.resolve("bom.html");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] html = "<html><head><meta charset=\"iso-8859-1\"><title>Naïve café</title></head><body><p>x</p></body></html>"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + html.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(html, 0, all, bom.length, html.length);
        Files.write(file, all);
        assertEquals("Naïve café", Converter.convert(ContentKind.HTML, file, "bom", null, dir).title());
    }

    private Converted html(String name, String html, String baseUri) throws IOException {
        return html(name, html.getBytes(StandardCharsets.UTF_8), baseUri, null);
    }

    private Converted html(String name, byte[] bytes, String baseUri, String contentType) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return Converter.convert(ContentKind.HTML, file, "page", baseUri, contentType, Duration.ofSeconds(60), dir);
    }

    /** An article long enough for Readability to take it as the main content. */
    private static String article(String inner) {
        String para = "<p>This paragraph is long enough, with commas, clauses, and words, to count as article text"
                + " for the extraction heuristics that decide what the main content of a page is.</p>";
        return "<!doctype html><html><head><title>T</title></head><body><article>" + para + inner + para + para
                + "</article></body></html>";
    }

    /** Every link and image URL in {@code markdown}, as a CommonMark reader (Obsidian) resolves it. */
    static List<String> linkUrls(String markdown) {
        List<String> urls = new ArrayList<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(Parser.builder().build().parse(markdown));
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n instanceof Link l) {
                urls.add(Escaping.unescapeString(l.getUrl()));
            } else if (n instanceof Image i) {
                urls.add(Escaping.unescapeString(i.getUrl()));
            } else if (n instanceof AutoLink a) {
                urls.add(Escaping.unescapeString(a.getText()));
            }
            for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
                todo.push(c);
            }
        }
        return urls;
    }

    static void assertNoScriptLinks(String markdown) {
        assertNoScriptLinksInLinks(markdown);
        assertFalse(markdown.toLowerCase(java.util.Locale.ROOT).matches("(?s).*(href|src)\\s*=.*"), markdown);
    }

    static void assertNoScriptLinksInLinks(String markdown) {
        for (String url : linkUrls(markdown)) {
            assertFalse(ActiveLinks.isScript(url), "active script link " + url + " in:\n" + markdown);
        }
    }

    // --- item 5: emoji-named images, ports, charsets -----------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"warning.png", "smile.gif", "1f600.png", "+1.png", "heart.svg", "img/rocket.png?v=2",
            "https://cdn.example/emoji/tada.png"})
    void anImageNamedLikeAnEmojiShortcodeStaysAnImage(String src) throws IOException {
        Converted c = html("e.html", article("<p>Look: <img src=\"" + src + "\" alt=\"a picture\"> here.</p>"),
                "https://site.example/posts/");
        assertTrue(c.markdown().contains("![a picture]("), c.markdown());
        assertFalse(c.markdown().matches("(?s).*:[a-z0-9_+-]+:.*"), "no emoji shortcode:\n" + c.markdown());
    }

    @ParameterizedTest
    @CsvSource({
        "http://127.0.0.1:8080/dir/page.html, /a,        http://127.0.0.1:8080/a",
        "http://127.0.0.1:8080/dir/page.html, b.html,    http://127.0.0.1:8080/dir/b.html",
        "http://127.0.0.1:8080/dir/page.html, ./c,       http://127.0.0.1:8080/dir/c",
        "http://127.0.0.1:8080/dir/page.html, ../d,      http://127.0.0.1:8080/d",
        "http://127.0.0.1:8080/dir/page.html, //o.example:9090/e, http://o.example:9090/e",
        "https://example.com:8443/x/, /y?q=1,            https://example.com:8443/y?q=1",
        "http://[::1]:8081/p, /z,                        http://[::1]:8081/z",
    })
    void relativeLinksAndImagesKeepTheNonDefaultPort(String base, String href, String expected) throws IOException {
        Converted c = html("p.html", article("<p>See <a href=\"" + href + "\">the other page</a> and "
                + "<img src=\"" + href + "\" alt=\"pic\">.</p>"), base);
        assertTrue(c.markdown().contains("[the other page](" + expected + ")"), c.markdown());
        assertTrue(c.markdown().contains("![pic](" + expected + ")"), c.markdown());
    }

    @Test
    void relativeLinksOfALocalFileStayRelative() throws IOException {
        Converted c = html("l.html", article("<p>See <a href=\"/a/b.html\">b</a> and <a href=\"c.html\">c</a>.</p>"), null);
        assertTrue(c.markdown().contains("[b](/a/b.html)"), c.markdown());
        assertTrue(c.markdown().contains("[c](c.html)"), c.markdown());
    }

    private static final String FRENCH = "Le café de Noël était très bon, déjà « parfait » pour 5 €.";

    private static String page(String head) {
        return "<html><head>" + head + "<title>Café</title></head><body><article><p>" + FRENCH + " " + FRENCH
                + "</p><p>" + FRENCH + " Ça va à l'hôtel ? Oui, grâce à vous, où êtes-vous ?</p></article></body></html>";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                         | head                                                              | bytes in     | Content-Type
        "no declaration                 |                                                                   | windows-1252 | ",
        "no declaration, served as html |                                                                   | windows-1252 | text/html",
        "labelled iso-8859-1 in header  |                                                                   | windows-1252 | text/html; charset=ISO-8859-1",
        "quoted header charset          |                                                                   | windows-1252 | text/html; charset=\"windows-1252\"",
        "meta charset                   | <meta charset=\"windows-1252\">                                 | windows-1252 | ",
        "meta latin1 means windows-1252 | <meta charset=latin1>                                             | windows-1252 | text/html",
        "http-equiv                     | <meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"> | windows-1252 | ",
        "header beats meta              | <meta charset=\"utf-8\">                                        | windows-1252 | text/html; charset=windows-1252",
        "meta beats detection           | <meta charset=\"iso-8859-15\">                                  | iso-8859-15  | ",
        "utf-8 without declaration      |                                                                   | UTF-8        | ",
        "utf-8 in header                |                                                                   | UTF-8        | text/html; charset=utf-8",
        "meta utf-16 means utf-8        | <meta charset=\"utf-16\">                                       | UTF-8        | ",
        "unknown label is ignored       | <meta charset=\"x-no-such\">                                    | windows-1252 | text/html; charset=bogus",
    })
    void theCharsetIsFoundAsBrowsersFindIt(String name, String head, String encoding, String contentType)
            throws IOException {
        byte[] bytes = page(head == null ? "" : head).getBytes(Charset.forName(encoding));
        Converted c = html("c.html", bytes, null, contentType);
        assertTrue(c.markdown().contains(FRENCH), name + ":\n" + c.markdown());
        assertFalse(c.markdown().contains("\uFFFD") || c.markdown().contains("Ã"), name + ": mojibake\n" + c.markdown());
        assertEquals("Café", c.title(), name);
    }

    @Test
    void aByteOrderMarkBeatsTheHeaderAndTheMeta() throws IOException {
        byte[] body = page("<meta charset=\"windows-1252\">").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bytes, 3, body.length);
        Converted c = html("bom.html", bytes, null, "text/html; charset=windows-1252");
        assertTrue(c.markdown().contains(FRENCH), c.markdown());
    }

    @Test
    void otherScriptsAreDetectedToo() throws IOException {
        // a statistical detector needs ordinary prose: a repeated pangram reads as MacCyrillic
        String russian = "Москва - столица России, крупнейший по численности населения город страны. Это важный"
                + " политический, экономический и культурный центр. ";
        String html = "<html><head><title>Т</title></head><body><p>" + russian.repeat(4) + "</p></body></html>";
        for (String encoding : List.of("windows-1251", "KOI8-R", "UTF-8")) {
            Converted c = html("ru.html", html.getBytes(Charset.forName(encoding)), null, null);
            assertTrue(c.markdown().contains(russian.strip()), encoding + ":\n" + c.markdown());
        }
    }

    @Test
    void aWindows1252FileNamedHtmlIsSniffedAsHtml() throws IOException {
        Path file = dir.resolve("w.html");
        Files.write(file, ("Caf\u00e9 first, then <b>markup</b>").getBytes(Charset.forName("windows-1252")));
        assertEquals(ContentKind.HTML, Sniffer.sniff(file, null, "w.html").kind());
        assertEquals(ContentKind.HTML, Sniffer.sniff(file, "text/html", "download").kind());
        assertEquals(ContentKind.BINARY, Sniffer.sniff(file, null, "w.txt").kind(), "other text stays UTF-8 only");
    }

    // --- item 6: script links ------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "  javascript:alert(1)", "&#x0A;&#x09; javascript:alert(1)",
        "&#1;&#31;javascript:alert(1)", "&#106;avascript:alert(1)", "&#x6A;&#x61;vascript:alert(1)",
        "java&#x09;script:alert(1)", "java&#x0A;script:alert(1)", "java&Tab;script:alert(1)",
        "javascript&colon;alert(1)", "vbscript:msgbox(1)", "VBScript:msgbox(1)", "livescript:x",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,<script>alert(1)</script>",
    })
    void scriptLinksAndImagesDoNotSurviveButTheirTextDoes(String url) throws IOException {
        String attr = url.replace("\"", "&quot;");
        Converted c = html("x.html", article("<p>Please <a href=\"" + attr + "\">click this link text</a> and see "
                + "<img src=\"" + attr + "\" alt=\"the alt text\"> and <a href=\"" + attr + "\"><img src=\"" + attr
                + "\" alt=\"inner\"></a>.</p>"), "https://site.example/a/");
        assertTrue(c.markdown().contains("click this link text"), c.markdown());
        assertTrue(c.markdown().contains("the alt text"), c.markdown());
        assertNoScriptLinks(c.markdown());
        List<String> urls = linkUrls(c.markdown());
        assertTrue(urls.isEmpty(), "no link or image left: " + urls + "\n" + c.markdown());
    }

    @Test
    void safeLinksAreKept() throws IOException {
        Converted c = html("s.html", article("<p><a href=\"mailto:a@b.example\">mail</a>, "
                + "<a href=\"https://ok.example/javascript:notascheme\">ok</a>, <a href=\"/rel\">rel</a>.</p>"),
                "https://site.example/");
        assertEquals(List.of("https://ok.example/javascript:notascheme", "https://site.example/rel", "mailto:a@b.example"),
                linkUrls(c.markdown()).stream().sorted().toList(), c.markdown());
    }

    @Test
    void textThatLooksLikeAScriptLinkIsNotMadeOne() throws IOException {
        Converted c = html("t.html", article("<p>Type [click](javascript:alert(1)) or ![x](data:x) or "
                + "&lt;javascript:alert(1)&gt; literally.</p>"), null);
        assertNoScriptLinks(c.markdown());
        assertTrue(c.markdown().contains("click"), c.markdown());
    }

    // --- item 14: nesting ---------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1_000, 10_000, 100_000})
    void deeplyNestedHtmlConverts(int depth) throws IOException {
        String text = "The deepest paragraph holds the words that must survive the nesting of the page.";
        String html = "<html><head><title>Deep</title></head><body>" + "<div>".repeat(depth) + "<p>" + text + "</p>"
                + "</div>".repeat(depth) + "<p>After the nest.</p></body></html>";
        Converted c = html("deep.html", html, null);
        assertTrue(c.markdown().contains(text), c.markdown());
        assertTrue(c.markdown().contains("After the nest."), c.markdown());
    }

    @Test
    void deeplyNestedInlineMarkupConverts() throws IOException {
        StringBuilder b = new StringBuilder("<html><body>");
        for (int i = 0; i < 100_000; i++) {
            b.append(i % 3 == 0 ? "<span>" : i % 3 == 1 ? "<b>" : "<div>").append('w').append(i % 10);
        }
        Converted c = html("deepinline.html", b.append("</body></html>").toString(), null);
        assertTrue(c.markdown().contains("w9"), c.markdown().substring(0, Math.min(200, c.markdown().length())));
    }

    // --- items 18, 19: size limit, deadline, wide pages -------------------------------------

    @Test
    void aPageOverTheSizeLimitFailsClearly() throws IOException {
        Path file = dir.resolve("huge.html");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(HtmlConversion.MAX_BYTES + 1);
        }
        KbException e = assertThrows(KbException.class,
                () -> Converter.convert(ContentKind.HTML, file, "huge", null, dir));
        assertTrue(e.getMessage().contains("larger than kb converts (32 MiB)"), e.getMessage());
    }

    @Test
    void conversionStopsAtItsDeadline() throws IOException {
        // a deadline already past when conversion starts: the first check must stop it, whatever
        // the speed of the machine (a 300 ms deadline passed on a quiet one)
        String big = article("<p>many words in a paragraph of text</p>".repeat(60_000));
        long start = System.nanoTime();
        KbException e = assertThrows(KbException.class,
                () -> html("slow.html", big.getBytes(StandardCharsets.UTF_8), null, null, Duration.ofNanos(1)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().startsWith("conversion timed out after"), e.getMessage());
        assertTrue(millis < 15_000, "stopped after " + millis + " ms");
    }

    private Converted html(String name, byte[] bytes, String baseUri, String contentType, Duration timeout)
            throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return Converter.convert(ContentKind.HTML, file, "page", baseUri, contentType, timeout, dir);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"p", "br", "brbr", "div"})
    void aWidePageConvertsWholeAndInOrder(String shape) throws IOException {
        int n = 40_000;
        StringBuilder b = new StringBuilder("<html><head><title>Wide</title></head><body>");
        for (int i = 0; i < n; i++) {
            String line = "line " + i + " of the wide page";
            switch (shape) {
                case "p" -> b.append("<p>").append(line).append("</p>\n");
                case "br" -> b.append(line).append("<br>\n");
                case "brbr" -> b.append(line).append("<br><br>\n");
                default -> b.append("<div>").append(line).append("</div>\n");
            }
        }
        long start = System.nanoTime();
        Converted c = html("wide.html", b.append("</body></html>").toString(), null);
        long millis = (System.nanoTime() - start) / 1_000_000;
        String md = c.markdown();
        int last = -1;
        for (int i = 0; i < n; i += 997) {
            int at = md.indexOf("line " + i + " of the wide page");
            assertTrue(at > last, "line " + i + " missing or out of order");
            last = at;
        }
        // quadratic before: minutes for 40,000 siblings; about linear now
        assertTrue(millis < 60_000, shape + " took " + millis + " ms");
    }
}
