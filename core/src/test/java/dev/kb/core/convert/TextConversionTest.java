package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming conversion against the whole-file one it replaced ({@link WholeFileOracle}): with
 * limits of a few characters, every piece, section and head boundary falls inside short texts,
 * across patterns, line ends, surrogate pairs, fences and HTML blocks.
 */
class TextConversionTest {

    @TempDir
    Path dir;

    private static final TextConversion.Limits TINY = new TextConversion.Limits(5, 40, 4_000, 10_000);

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path write(String text) throws IOException {
        return write("in.md", text.getBytes(StandardCharsets.UTF_8));
    }

    private static Converted streamed(Path file, boolean markdown, TextConversion.Limits limits) {
        return TextConversion.open(file, "stem", markdown, limits).toConverted();
    }

    private static Converted oracle(Path file, boolean markdown) {
        Converted c = markdown ? WholeFileOracle.markdown(file, "stem") : WholeFileOracle.text(file, "stem");
        return new Converted(c.title(), ActiveLinks.neutralise(c.markdown()), c.metadata(), c.ownFrontMatter(),
                c.warnings());
    }

    private static void assertSame(Converted expected, Converted actual, String what) {
        if (!expected.markdown().equals(actual.markdown()) && System.getenv("KB_TEST_DUMP") != null) {
            try {
                Files.writeString(Path.of(System.getenv("KB_TEST_DUMP") + ".expected"), expected.markdown());
                Files.writeString(Path.of(System.getenv("KB_TEST_DUMP") + ".actual"), actual.markdown());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertEquals(expected.markdown(), actual.markdown(), what);
        assertEquals(expected.title(), actual.title(), what);
        assertEquals(expected.ownFrontMatter(), actual.ownFrontMatter(), what);
        assertEquals(expected.warnings(), actual.warnings(), what);
    }

    private void assertLikeOracle(byte[] bytes, TextConversion.Limits limits, String what) throws IOException {
        Path file = write("in.md", bytes);
        if (System.getenv("KB_TEST_DUMP") != null) {
            Files.write(Path.of(System.getenv("KB_TEST_DUMP") + ".input"), bytes);
        }
        for (boolean markdown : new boolean[] {true, false}) {
            Converted expected = oracle(file, markdown);
            assertSame(expected, streamed(file, markdown, limits), what + (markdown ? " (md)" : " (txt)"));
            // a small file's copy hands its whole content over: read from memory, the same page
            Converted fromMemory = TextConversion.open(TextConversion.Text.of(file, bytes.clone()), "stem", markdown,
                    limits).toConverted();
            assertSame(expected, fromMemory, what + (markdown ? " (md, in memory)" : " (txt, in memory)"));
        }
    }

    private void assertLikeOracle(String text, String what) throws IOException {
        for (int piece : new int[] {1, 2, 3, 7, 64}) {
            for (int soft : new int[] {1, 16, 100}) {
                assertLikeOracle(text.getBytes(StandardCharsets.UTF_8), new TextConversion.Limits(piece, soft, 100_000,
                        100_000), what + " piece " + piece + " soft " + soft);
            }
        }
    }

    @Test
    void edgeCasesComeOutAsTheWholeFileDid() throws IOException {
        String[] cases = {
            "", "\n", "\r\n", "a", "a\n", "a\r\nb\rc\n\r", "   \n\t\n  text  \n\n\n", "---\n", "---\n---\n", "---\n---",
            "---\ntitle: T\n---", "---\ntitle: T\n---\n", "---\ntitle: T\n...\nbody", "---\n...\nx\n---\ny",
            "---\na: [\n---\nbody # x\n", "\uFEFF# Title\n\nbody", "# \n# Real\n", "```\n# no\n```\n# yes\n",
            "no trailing newline [x](javascript:alert(1))", "[x](javascript\\:alert(1))",
            "é😀€\n😀😀😀😀\n", "line\r", "\r\r\r", "[a\nb](javascript:x)\n\n[c](javascript:y)\n",
            "<div>\n<a href=\"javascript:x\">a</a>\n\nafter [l](data:text/html,x)\n",
            "<pre>\n\n[l](javascript:x)\n\n<a href=\"java\nscript:x\">\n\n</pre>\n\nafter [l](javascript:x)\n",
            "```\n\ncode [l](javascript:x)\n\ncode\n```\n\nafter [l](javascript:x)\n",
            "- ```\n  a\n\n```\n\n[l](javascript:x)\n\n```\n",
            "- a\n\n    [l](javascript:x)\n\nb\n",
            "[r]: javascript:alert(1)\n\n[use][r]\n\n> quote [l](javascript:x)\n>\n> more\n",
        };
        for (String c : cases) {
            assertLikeOracle(c, c.replace("\n", "\\n"));
        }
    }

    /** Random documents of the blocks whose parse depends on what came before; every cut must be one that changes nothing. */
    @Test
    void randomDocumentsComeOutAsTheWholeFileDid() throws IOException {
        Random random = new Random(18);
        for (int i = 0; i < 400; i++) {
            String doc = randomDocument(random);
            TextConversion.Limits limits = new TextConversion.Limits(1 + random.nextInt(9), 1 + random.nextInt(120),
                    100_000, 100_000);
            assertLikeOracle(doc.getBytes(StandardCharsets.UTF_8), limits, "document " + i + " with " + limits + ":\n"
                    + doc);
        }
    }

    private static final String[] BLOCKS = {
        "Paragraph text, [a link](http://example.com) and `code`.\n",
        "A [script link](javascript:alert(1)) here.\n",
        "An image ![alt](data:image/png;base64,xx) and <a href=\"vbscript:x\">tag</a>.\n",
        "line one\nline two [x](JavaScript:y)\n",
        "# Heading\n", "## Sub\n", "    indented [x](javascript:code)\n",
        "```\n", "~~~\n", "````\n", "  ```\n", "```js\n", "- item\n", "- ```\n", "  continued [x](javascript:z)\n",
        "1. one\n", "> quote [q](javascript:q)\n", ">\n", "<div>\n", "</div>\n", "<pre>\n", "</pre>\n", "<!--\n", "-->\n",
        "<?php\n", "?>\n", "[ref]: javascript:alert(2)\n", "[use][ref]\n", "&#106;avascript\n", "text & more &amp;\n",
        "\n", "\n", "\n", "   \n", "\t\n", "é 😀 €\n", "<javascript:alert(3)>\n", "***\n", "---\n", "===\n",
        "[a\n", "b](javascript:split)\n", "<a\n", "href=\"javascript:attr\">\n", "\\\n", "trailing  \n",
    };

    private static String randomDocument(Random random) {
        StringBuilder b = new StringBuilder();
        if (random.nextInt(4) == 0) {
            b.append("---\ntitle: Doc\ntags: [x]\n---\n");
        }
        int n = random.nextInt(60);
        for (int i = 0; i < n; i++) {
            b.append(BLOCKS[random.nextInt(BLOCKS.length)]);
        }
        String s = b.toString();
        if (random.nextInt(5) == 0) {
            s = s.replace("\n", "\r\n");
        }
        if (random.nextInt(5) == 0 && !s.isEmpty()) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    @Test
    void aLargeDocumentIsCutIntoSectionsAndComesOutTheSame() throws IOException {
        Random random = new Random(7);
        // No reference definition: a section is parsed without the definitions of the others, so
        // "[a [ref] b](javascript:x)" is a link there while the whole file made [ref] the link (README).
        String[] blocks = java.util.Arrays.stream(BLOCKS).filter(x -> !x.contains("]:")).toArray(String[]::new);
        StringBuilder b = new StringBuilder("---\nauthor: A\n---\n# Title\n\n");
        while (b.length() < 300_000) {
            b.append(blocks[random.nextInt(blocks.length)]);
            if (random.nextInt(3) == 0) {
                b.append("\nText ").append(b.length()).append(".\n\n");
            }
        }
        b.append("```\nnever closed [x](javascript:y)\n");
        assertLikeOracle(b.toString().getBytes(StandardCharsets.UTF_8), new TextConversion.Limits(64, 2_000, 50_000,
                10_000), "large");
    }

    @Test
    void bytesAreDecodedAsTheWholeFileWasAcrossEveryBoundary() throws IOException {
        Random random = new Random(5);
        byte[][] fragments = {
            "a".getBytes(StandardCharsets.UTF_8), "\r".getBytes(StandardCharsets.UTF_8),
            "\n".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8),
            "😀".getBytes(StandardCharsets.UTF_8), "€".getBytes(StandardCharsets.UTF_8),
            {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xFF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\uFEFF".getBytes(StandardCharsets.UTF_8),
        };
        for (int i = 0; i < 300; i++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int kind = random.nextInt(4);
            if (kind == 1) {
                out.write(0xFE);
                out.write(0xFF);
            } else if (kind == 2) {
                out.write(0xFF);
                out.write(0xFE);
            }
            int n = random.nextInt(40);
            for (int k = 0; k < n; k++) {
                out.writeBytes(fragments[random.nextInt(fragments.length)]);
            }
            assertLikeOracle(out.toByteArray(), new TextConversion.Limits(1 + random.nextInt(4), 8, 1000, 1000),
                    "bytes " + i);
        }
    }

    /** The decoder reads 64 KiB of bytes at a time: a character, a CRLF or a BOM-less start cut there must come out whole. */
    @Test
    void characterAndLineEndCutByTheReadBufferComeOutWhole() throws IOException {
        for (String straddle : new String[] {"€", "😀", "\r\n", "é\r"}) {
            for (int shift = 0; shift < 4; shift++) {
                byte[] tail = straddle.getBytes(StandardCharsets.UTF_8);
                byte[] bytes = new byte[65_536 - shift + tail.length + 3];
                java.util.Arrays.fill(bytes, (byte) 'x');
                for (int i = 100; i < bytes.length; i += 100) {
                    bytes[i] = '\n';
                }
                System.arraycopy(tail, 0, bytes, 65_536 - shift, tail.length);
                assertLikeOracle(bytes, TextConversion.Limits.DEFAULT, straddle + " at " + shift);
            }
        }
    }

    @Test
    void frontMatterOnlyAndEmptyFilesHaveEmptyBodies() throws IOException {
        Converted fm = streamed(write("---\ntitle: Only\n---\n"), true, TINY);
        assertEquals("Only", fm.title());
        assertEquals("", fm.markdown());
        Converted empty = streamed(write(""), true, TINY);
        assertEquals("stem", empty.title());
        assertEquals("", empty.markdown());
    }

    @Test
    void frontMatterNotClosedWithinTheLimitIsKeptInTheBody() throws IOException {
        String text = "---\ntitle: Far\n" + "k: v\n".repeat(50) + "---\n# Heading\n";
        Converted c = streamed(write(text), true, new TextConversion.Limits(8, 40, 4_000, 100));
        assertEquals(text, c.markdown());
        assertEquals("Heading", c.title());
        assertEquals(List.of("front matter not closed within its first 0 KiB; kept in the body"), c.warnings());
        // within the limit it is split off as before
        assertSame(oracle(write(text), true), streamed(write(text), true, new TextConversion.Limits(8, 40, 4_000, 1_000)),
                "within");
    }

    @Test
    void aFenceLongerThanTheCapIsCopiedAndWhatFollowsIsStillNeutralised() throws IOException {
        String text = "intro [a](javascript:a)\n\n```\n" + "code [x](javascript:x) & <b>\n\n".repeat(400)
                + "```\n\nafter [b](javascript:b)\n";
        Converted c = streamed(write(text), true, new TextConversion.Limits(16, 100, 2_000, 1_000));
        assertSame(oracle(write(text), true), c, "fence");
        assertTrue(c.markdown().startsWith("intro a\n\n```\ncode [x](javascript:x)"), c.markdown().substring(0, 60));
        assertTrue(c.markdown().endsWith("```\n\nafter b\n"));
    }

    @Test
    void aStretchTooLongToParseThatMayHideAScriptLinkIsEscapedWithAWarning() throws IOException {
        String stretch = "log line with metadata: x and [a](javascript:alert(1)) <a href=\"data:x\">\n".repeat(100);
        String text = "# Log\n\n" + stretch + "\nafter [b](javascript:b)\n";
        Converted c = streamed(write(text), true, new TextConversion.Limits(16, 10, 1_000, 1_000));
        assertTrue(c.markdown().contains("metadata\\: x and \\[a\\](javascript\\:alert(1)) \\<a href=\"data\\:x\">"),
                c.markdown().substring(0, 200));
        assertTrue(c.markdown().endsWith("\nafter b\n"), "the next section is parsed again");
        assertEquals(List.of("lines 1-103, with no blank line to split at within 0 MiB, may hide a script link:"
                + " written with [ ] < & and \\ escaped"), c.warnings());
        assertEquals(c.markdown(), ActiveLinks.neutralise(c.markdown()), "nothing left to neutralise");
    }

    @Test
    void aStretchTooLongToParseWithoutLinkSyntaxIsCopiedAsItIs() throws IOException {
        String text = "# Log\n\n" + "2026-01-01 metadata: x [INFO] done\n".repeat(200) + "\nend\n";
        Converted c = streamed(write(text), true, new TextConversion.Limits(16, 10, 1_000, 1_000));
        assertEquals(text, c.markdown());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void afterAnUnparsedStretchThatMayOpenAFenceTheRestIsEscapedIfItMayHideALink() throws IOException {
        // an HTML block that runs past the cap: where it ends is not parsed, so neither is what follows
        String text = "a\n<div>\n" + "text line\n".repeat(300) + "\nlater [x](javascript:x)\n";
        Converted c = streamed(write(text), true, new TextConversion.Limits(16, 10, 1_000, 1_000));
        assertTrue(c.markdown().endsWith("later \\[x\\](javascript\\:x)\n"), c.markdown());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).startsWith("from line 1 to the end"), c.warnings().get(0));
    }

    @Test
    void theEscaperLeavesNothingAScriptLinkCouldStartFrom() {
        String[] texts = {"[x](javascript:y)", "<a href=\"java\nscript:x\">", "<javascript:alert(1)>",
            "[r]: data:text/html,x", "&#106;avascript&#58;x", "\\[x](javascript:y)", "java\tscript:x", "DATA:x"};
        for (String t : texts) {
            StringBuilder out = new StringBuilder();
            new ActiveLinks.Escaper().escape(t, out);
            String e = out.toString();
            assertEquals(e, ActiveLinks.neutralise(e), t);
            assertFalse(e.toLowerCase(java.util.Locale.ROOT).replaceAll("[\t\n]", "").matches("(?s).*(script|data):.*"), e);
            assertFalse(e.contains("&#"), e);
        }
    }

    @Test
    void theWatchSeesWhatTheRegexSeesAcrossPieces() {
        Random random = new Random(3);
        String alphabet = "sCRiptdaA:&#\\\t\nxcolnewtb;";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(30);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = b.toString();
            ActiveLinks.Watch w = new ActiveLinks.Watch();
            for (int k = 0; k < s.length(); k += 3) {
                w.feed(s.substring(k, Math.min(s.length(), k + 3)));
            }
            assertEquals(ActiveLinksTest.watchDefinition(s), w.hit(), s);
        }
        for (String s : new String[] {"javascript:", "data\\:", "&colon;", "&NewLine;", "scr\nipt:", "DATA&"}) {
            ActiveLinks.Watch w = new ActiveLinks.Watch();
            w.feed(s);
            assertTrue(w.hit(), s);
        }
    }

    /** The page written as a stream has the bytes {@code FrontMatter.document} gave the whole string. */
    @Test
    void aStreamedPageIsTheDocumentOfTheStrippedBody() throws IOException {
        Random random = new Random(11);
        String alphabet = " \t\n\u3000\u2028xé😀";
        for (int i = 0; i < 520; i++) {
            StringBuilder b = new StringBuilder();
            // the last ones are larger than the buffer grows to (64 KB), so they are flushed and
            // their trailing whitespace is truncated off the file; the others are cut in the buffer
            int n = i < 500 ? random.nextInt(20) : 4_000 + random.nextInt(40_000);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String body = b.toString();
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < body.length(); ) {
                int len = 1 + random.nextInt(i < 500 ? 4 : 3000);
                parts.add(body.substring(k, Math.min(body.length(), k + len)));
                k += len;
            }
            Path page = dir.resolve("page" + i);
            try (FileChannel ch = FileChannel.open(page, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                dev.kb.core.wiki.FrontMatter.writeDocument(ch, "---\nt: x\n---\n", out -> {
                    for (String p : parts) {
                        out.append(p);
                    }
                });
            }
            // bytes: a lone surrogate is "?" in both, and a pair cut between two appends is whole
            assertEquals(java.util.Arrays.toString(dev.kb.core.wiki.FrontMatter.document("---\nt: x\n---\n", body)
                    .getBytes(StandardCharsets.UTF_8)), java.util.Arrays.toString(Files.readAllBytes(page)), body);
        }
    }
}
