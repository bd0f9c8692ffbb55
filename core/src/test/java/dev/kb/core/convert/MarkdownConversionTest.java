package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownConversionTest {

    @TempDir
    Path dir;

    private Converted convert(ContentKind kind, String content) throws IOException {
        Path file = dir.resolve("input");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return Converter.convert(kind, file, "my-notes", null, dir);
    }

    @Test
    void frontMatterIsKeptAsWrittenAndLeavesTheBody() throws IOException {
        Converted c = convert(ContentKind.MARKDOWN, """
                ---
                title: "Front Title"
                tags: [a, b]
                author: Ann
                date: 2024-01-02
                ---
                # Heading

                Body text.
                """);
        assertEquals("Front Title", c.title());
        assertEquals("# Heading\n\nBody text.\n", c.markdown());
        // the entries are text for the page, not values: re-reading them as YAML is what mangled them
        assertEquals("tags: [a, b]\nauthor: Ann\ndate: 2024-01-02\n", c.ownFrontMatter().text());
        assertEquals(java.util.Set.of("tags", "author", "date"), c.ownFrontMatter().keys());
        assertEquals(Map.of(), c.metadata());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void titleFallsBackToFirstH1OutsideCodeThenToStem() throws IOException {
        Converted heading = convert(ContentKind.MARKDOWN, """
                ---
                author: Ann
                ---
                Intro line.

                ```
                # not a heading, a shell comment
                ```

                ## Second level

                # Real Title #
                """);
        assertEquals("Real Title", heading.title());
        assertEquals("author: Ann\n", heading.ownFrontMatter().text());

        assertEquals("my-notes", convert(ContentKind.MARKDOWN, "no heading\n#hashtag is not one\n").title());
    }

    @Test
    void malformedFrontMatterKeepsTheBodyUntouchedWithAWarning() throws IOException {
        String text = "---\ntitle: [unclosed\n: : :\n---\n# Heading\n";
        Converted c = convert(ContentKind.MARKDOWN, text);
        assertEquals(text, c.markdown());
        assertEquals("Heading", c.title());
        assertEquals(Map.of(), c.metadata());
        assertEquals(OwnFrontMatter.NONE, c.ownFrontMatter());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("front matter"), c.warnings().toString());
    }

    @Test
    void frontMatterThatIsNotAMappingIsKeptWithAWarning() throws IOException {
        String text = "---\n- just\n- a list\n---\nbody\n";
        Converted c = convert(ContentKind.MARKDOWN, text);
        assertEquals(text, c.markdown());
        assertEquals(1, c.warnings().size());
    }

    @Test
    void aLeadingRuleWithoutClosingIsNotFrontMatter() throws IOException {
        String text = "---\n\n# Title\n\ntext\n";
        Converted c = convert(ContentKind.MARKDOWN, text);
        assertEquals(text, c.markdown());
        assertEquals("Title", c.title());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void emptyFrontMatterIsRemoved() throws IOException {
        Converted c = convert(ContentKind.MARKDOWN, "---\n---\nbody\n");
        assertEquals("body\n", c.markdown());
        assertEquals(OwnFrontMatter.NONE.text(), c.ownFrontMatter().text());
    }

    @Test
    void crlfAndBomAreNormalised() throws IOException {
        Converted c = convert(ContentKind.MARKDOWN, "\uFEFF---\r\ntitle: T\r\n---\r\nline one\r\nline two\r\n");
        assertEquals("T", c.title());
        assertEquals("line one\nline two\n", c.markdown());
    }

    @Test
    void textIsKeptAsIsWithTheStemAsTitle() throws IOException {
        Converted c = convert(ContentKind.TEXT, "---\ntitle: not parsed\n---\n# not a heading either\r\n");
        assertEquals("my-notes", c.title());
        assertEquals("---\ntitle: not parsed\n---\n# not a heading either\n", c.markdown());
        assertEquals(Map.of(), c.metadata());
    }

    @Test
    void utf16WithAByteOrderMarkIsReadAsText() throws IOException {
        Path le = dir.resolve("le.md");
        Files.write(le, ("\uFEFF# Título\r\n\nnaïve café\r\n").getBytes(StandardCharsets.UTF_16LE));
        Converted c = Converter.convert(ContentKind.MARKDOWN, le, "le", null, dir);
        assertEquals("Título", c.title());
        assertEquals("# Título\n\nnaïve café\n", c.markdown());
        assertEquals(List.of(), c.warnings());

        Path be = dir.resolve("be.txt");
        Files.write(be, "\uFEFFplain ✓\n".getBytes(StandardCharsets.UTF_16BE));
        assertEquals("plain ✓\n", Converter.convert(ContentKind.TEXT, be, "be", null, dir).markdown());
    }

    @Test
    void invalidUtf8AfterTheHeadIsReplacedWithAWarning() throws IOException {
        Path file = dir.resolve("latin1.txt");
        Files.write(file, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        Converted c = Converter.convert(ContentKind.TEXT, file, "latin1", null, dir);
        assertEquals("caf\uFFFD\n", c.markdown());
        assertEquals(1, c.warnings().size());
    }

    @Test
    void unsupportedKindsAndMissingFilesFailAsInputFailures() {
        KbException unsupported = assertThrows(KbException.class,
                () -> Converter.convert(ContentKind.IMAGE, dir.resolve("x"), "x", null, dir));
        assertEquals("unsupported content: image", unsupported.getMessage());
        KbException missing = assertThrows(KbException.class,
                () -> Converter.convert(ContentKind.MARKDOWN, dir.resolve("missing.md"), "missing", null, dir));
        assertEquals(KbException.Kind.INPUT_FAILED, missing.kind());
        assertTrue(missing.getMessage().startsWith("cannot read file: "), missing.getMessage());
        assertTrue(missing.getMessage().indexOf('\n') < 0);
    }
}
