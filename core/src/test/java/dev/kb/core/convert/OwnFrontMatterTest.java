package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A Markdown file's own front matter on its page: each entry kb does not own keeps its exact text,
 * kb's keys are kb's, and the page's front matter still loads, to the same values, in a YAML 1.1
 * reader (SnakeYAML's safe loader: PyYAML's resolver) that refuses duplicate keys.
 */
class OwnFrontMatterTest {

    private static final String SOURCE = "/in/notes.md";
    private static final String SHA = "ab".repeat(32);
    private static final String ADDED = "2026-01-01T00:00:00Z";

    @TempDir
    Path dir;

    /** Lines joined by LF, each ending in one. */
    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    /** A file made of this front matter block and a body with no heading. */
    private static String file(String block) {
        return "---\n" + block + "---\nBody.\n";
    }

    private static Arguments row(String name, String file, String kept, String title) {
        return Arguments.of(Named.of(name, file), kept, title);
    }

    /** A file whose entries are all the person's: every line is kept as written. */
    private static Arguments same(String name, String block) {
        return row(name, file(block), block, "stem");
    }

    static Stream<Arguments> tricky() {
        return Stream.of(
                same("octal, hex, underscores, sexagesimal", lines(
                        "zip: 01234", "perm: 0o17", "hex: 0x1F", "big: 1_000", "time: 190:20:30")),
                same("floats", lines(
                        "version: 1.10", "sci: 1e3", "inf: .inf", "neg: -.INF", "nan: .NaN", "dot: 1.")),
                same("booleans of YAML 1.1 and 1.2, as values and keys", lines(
                        "answer: yes", "light: on", "dark: off", "short: y", "never: N", "json: true", "cap: False",
                        "on: push", "off: pull")),
                same("nulls and empty values", lines(
                        "tilde: ~", "word: null", "upper: NULL", "empty:", "spaces:   ", "after: x")),
                same("anchors, aliases and merge keys", lines(
                        "base: &base", "  lang: en", "  draft: false", "copy: *base", "merged:", "  <<: *base",
                        "  draft: true", "name: &who Ann", "author: *who")),
                same("block scalars, the last keeping its trailing blank line", lines(
                        "literal: |", "  line one", "    indented two", "", "  after a blank", "folded: >-",
                        "  folded", "  text", "strip: |-", "  # not a comment", "keep: |+", "  kept", "")),
                same("flow sequences and mappings", lines(
                        "tags: [a, b, \"c d\"]", "map: {k: v, n: 1}", "multi: [x,", "  y]", "none: []",
                        "nothing: {}")),
                same("comments on their own lines and trailing", lines(
                        "# a header comment", "", "# about the author", "author: Ann # trailing",
                        "tags: # the tags", "  - a # first", "  # between items", "  - b", "",
                        "# standing apart", "", "draft: true", "# at the end")),
                same("non-ASCII keys and values, beyond the BMP too", lines(
                        "作者: 山田太郎", "café: naïve ☕", "emoji: \"🎉 party\"", "naïve: 🎉 plain")),
                same("quoted strings", lines(
                        "single: 'it''s'", "double: \"tab\\tand \\u00e9\"", "digits: \"01234\"", "yes_text: 'yes'",
                        "empty: ''", "multi: \"two", "  lines\"")),
                same("explicit standard tags and dates", lines(
                        "forced: !!str 01234", "number: !!int \"42\"", "date: 2024-01-02",
                        "stamp: 2001-12-14t21:59:43.10-05:00")),
                same("a block of comments only", lines("# nothing but a comment")),

                row("kb's keys are left out; only the person's remain",
                        file(lines("title: My Title", "source: https://example.com/original", "sha256: not-kb-s",
                                "type: article", "added: 2020-01-01", "author: Ann")),
                        lines("author: Ann"), "My Title"),
                row("a comment directly above a kb key goes with it; others stay",
                        file(lines("# header", "", "# the title, directly above", "title: Commented",
                                "# about source", "source: somewhere # trailing", "author: Ann",
                                "  # indented, after author", "# the type", "", "type: article", "zip: 01234")),
                        lines("# header", "", "author: Ann", "  # indented, after author", "# the type", "",
                                "zip: 01234"),
                        "Commented"),
                row("offsets after characters beyond the BMP",
                        file(lines("emoji: 🎉🎉🎉", "title: Über 🎉", "after: ok")),
                        lines("emoji: 🎉🎉🎉", "after: ok"), "Über 🎉"),
                row("a key written twice keeps its last entry",
                        file(lines("tag: first", "other: 1", "tag: second", "title: A", "title: B")),
                        lines("other: 1", "tag: second"), "B"),
                row("CRLF line ends become LF",
                        "---\r\nzip: 01234\r\n# about the title\r\ntitle: T\r\nend: 1.10\r\n---\r\nBody.\r\n",
                        lines("zip: 01234", "end: 1.10"), "T"),
                row("a byte-order mark", "\uFEFF" + file(lines("zip: 01234")), lines("zip: 01234"), "stem"),
                row("a closing ... fence", "---\nzip: 01234\n...\nBody.\n", lines("zip: 01234"), "stem"),
                row("an empty block", "---\n---\nBody.\n", "", "stem"),
                row("blank lines around kb's keys only", file(lines("", "title: T", "", "")), "", "T"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tricky")
    void theFilesEntriesKeepTheirTextAndKbsKeysAreKbs(String input, String kept, String title) throws IOException {
        Converted c = convert(input);
        assertEquals(kept, c.ownFrontMatter().text());
        assertEquals(title, c.title());
        assertEquals("Body.\n", c.markdown());
        assertEquals(Map.of(), c.metadata());

        String fm = FrontMatter.render(c.title(), SOURCE, SHA, "markdown", ADDED, c.metadata(), c.ownFrontMatter());
        String kbKeys = FrontMatter.render(c.title(), SOURCE, SHA, "markdown", ADDED, Map.of());
        assertEquals(kbKeys.substring(0, kbKeys.length() - "---\n".length()) + kept + "---\n", fm);

        Map<Object, Object> page = load(fm, false);
        assertEquals(title, page.get("title"), fm);
        assertEquals(SOURCE, page.get("source"), fm);
        assertEquals(SHA, page.get("sha256"), fm);
        assertEquals("markdown", page.get("type"), fm);
        assertEquals(ADDED, page.get("added"), fm);
        // Every key the file had, other than kb's, reads back as the file meant it (a reader that
        // allows duplicates keeps the last, as the page does)
        Map<Object, Object> original = new LinkedHashMap<>(load(frontMatterOf(input), true));
        OwnFrontMatter.KB_KEYS.forEach(original::remove);
        Map<Object, Object> own = new LinkedHashMap<>(page);
        OwnFrontMatter.KB_KEYS.forEach(own::remove);
        assertEquals(original, own, fm);
        assertEquals(new ArrayList<>(original.keySet()), new ArrayList<>(own.keySet()), "order, in\n" + fm);
    }

    @Test
    void theFilesTitleIsItsTextAsWritten() throws IOException {
        Map<String, String> titles = new LinkedHashMap<>();
        titles.put("title: on", "on");
        titles.put("title: 1.10", "1.10");
        titles.put("title: 01234", "01234");
        titles.put("title: 2024-01-02", "2024-01-02");
        titles.put("title: \"  Spaced   out \"", "Spaced out");
        titles.put("title: |\n  Two\n  lines", "Two lines");
        titles.put("\"title\": Quoted key", "Quoted key");
        titles.put("name: &t Anchored\ntitle: *t", "Anchored");
        titles.put("title: '~'", "~");
        titles.put("title: ~", "Heading");
        titles.put("title: null", "Heading");
        titles.put("title:", "Heading");
        titles.put("title: ''", "Heading");
        titles.forEach((block, title) -> {
            try {
                Converted c = convert("---\n" + block + "\n---\n# Heading\n");
                assertEquals(title, c.title(), block);
                assertEquals(List.of(), c.warnings(), block);
                assertEquals(block.startsWith("name:") ? "name: &t Anchored\n" : "", c.ownFrontMatter().text(), block);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        Converted list = convert("---\ntitle: [a, b]\n---\n# Heading\n");
        assertEquals("Heading", list.title());
        assertEquals(List.of("front matter title is a list or mapping, not text; not used as the title"),
                list.warnings());
    }

    @Test
    void aDuplicatedKeyIsWarnedAboutOnce() throws IOException {
        Converted c = convert(file(lines("tag: a", "tag: b", "tag: c", "title: A", "title: B")));
        assertEquals(List.of("front matter has \"tag\" 3 times; only the last is kept",
                "front matter has \"title\" 2 times; only the last is kept"), c.warnings());

        // quoted or plain, a key is its text: Obsidian's reader refuses "k" beside k
        Converted quoted = convert(file(lines("k: 1", "\"k\": 2")));
        assertEquals(lines("\"k\": 2"), quoted.ownFrontMatter().text());
        assertEquals(1, quoted.warnings().size());

        // a block that ends up in the body says only that, not which duplicate it kept
        Converted body = convert(file(lines("tag: a", "tag: b", "mine: !custom x")));
        assertEquals(1, body.warnings().size(), body.warnings().toString());
        assertTrue(body.warnings().get(0).endsWith("; kept in the body"), body.warnings().toString());
    }

    /** Front matter kb cannot split into entries stays, unchanged, at the top of the body. */
    static Stream<Arguments> unsplittable() {
        return Stream.of(
                Arguments.of("---\ntitle: [unclosed\n: : :\n---\n# Heading\n",
                        "is not valid YAML (expected ',' or ']', but got :)", "Heading"),
                Arguments.of("---\nrefers: *nowhere\n---\n# Heading\n", "is not valid YAML (*nowhere names no anchor)",
                        "Heading"),
                Arguments.of("---\n- just\n- a list\n---\n# Heading\n", "is not a YAML mapping", "Heading"),
                Arguments.of("---\nplain words\n---\n# Heading\n", "is not a YAML mapping", "Heading"),
                Arguments.of("---\n{title: Flow, zip: 01234}\n---\n# Heading\n",
                        "is a {...} flow mapping, not one key per line", "Heading"),
                Arguments.of("---\n  zip: 01234\n  title: Indented\n---\n# Heading\n",
                        "is not one top-level key per line at column 0", "Heading"),
                Arguments.of("---\ntitle: &t Shared\naliases: [*t]\n---\n# Heading\n",
                        "has an alias under \"aliases\" to an anchor under \"title\", which is left out", "Shared"),
                Arguments.of("---\na: 1\n--- b\n---\n# Heading\n", "holds more than one YAML document", "Heading"),
                Arguments.of("---\n? [a, b]\n: complex\n---\n# Heading\n",
                        "has a key that is a list or mapping, which PyYAML and Obsidian cannot read", "Heading"),
                Arguments.of("---\ntitle: Tagged\nmine: !custom value\n---\n# Heading\n",
                        "is YAML a safe loader refuses (could not determine a constructor for the tag !custom)",
                        "Tagged"),
                Arguments.of("---\nobj: !!python/tuple [1, 2]\n---\n# Heading\n",
                        "is YAML a safe loader refuses (Global tag is not allowed: tag:yaml.org,2002:python/tuple)",
                        "Heading"),
                Arguments.of("---\n<<: 1\n---\n# Heading\n",
                        "is YAML a safe loader refuses (expected a mapping or list of mappings for merging, but found"
                                + " scalar)", "Heading"),
                Arguments.of("---\nsign: =\n---\n# Heading\n",
                        "is YAML a safe loader refuses (could not determine a constructor for the tag"
                                + " tag:yaml.org,2002:value)", "Heading"));
    }

    @ParameterizedTest
    @MethodSource("unsplittable")
    void aBlockThatCannotBeSplitStaysInTheBodyWithAWarning(String input, String why, String title) throws IOException {
        Converted c = convert(input);
        assertEquals(input, c.markdown());
        assertEquals(OwnFrontMatter.NONE, c.ownFrontMatter());
        assertEquals(title, c.title());
        assertEquals(List.of("front matter " + why + "; kept in the body"), c.warnings());
    }

    @Test
    void aLeadingRuleWithNoClosingFenceIsBodyNotFrontMatter() throws IOException {
        String input = "---\nzip: 01234\n\n# Title\n";
        Converted c = convert(input);
        assertEquals(input, c.markdown());
        assertEquals(OwnFrontMatter.NONE, c.ownFrontMatter());
        assertEquals("Title", c.title());
        assertEquals(List.of(), c.warnings());
    }

    private Converted convert(String content) throws IOException {
        Path file = dir.resolve("input.md");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return Converter.convert(ContentKind.MARKDOWN, file, "stem", null, dir);
    }

    /** The block between the fences of a file (or of a page), line ends and BOM as the converter sees them. */
    private static String frontMatterOf(String text) {
        String t = text.replace("\uFEFF", "").replace("\r\n", "\n");
        int end = t.indexOf("\n---\n", 3);
        if (end < 0) {
            end = t.indexOf("\n...\n", 3);
        }
        return t.substring(4, end + 1);
    }

    private static Map<Object, Object> load(String yaml, boolean allowDuplicates) {
        String block = yaml.startsWith("---\n") ? frontMatterOf(yaml) : yaml;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(allowDuplicates);
        Map<Object, Object> map = new Yaml(new SafeConstructor(options)).load(block);
        return map == null ? Map.of() : map;
    }

    @Test
    void theTableCoversEveryKindTheIssueNames() {
        String all = tricky().map(a -> ((Named<?>) a.get()[0]).getPayload().toString()).reduce("", String::concat);
        for (String form : List.of("01234", "0o17", "1.10", "1e3", ".inf", "yes", "on", "off", ": y", "true", "~",
                "null", "empty:", "&base", "*base", "|", ">-", "[a, b", "{k: v", "# trailing", "作者", "'it''s'",
                "tag: second", "\r\n", "\uFEFF")) {
            assertTrue(all.contains(form), form);
        }
    }
}
