package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
