package dev.kb.core.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.convert.OwnFrontMatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class FrontMatterTest {

    /** Text that a YAML 1.1 or 1.2 reader resolves to an int, float, date, bool, null or merge key when plain. */
    private static final List<String> TRICKY = List.of(
            "0x1F", "0o17", "0b101", "0777", "09", "1_000", "190:20:30", "123", "-1", "+1",
            "1e3", "1E+3", "1.5", "1.", "-.5", ".inf", "-.INF", ".NaN",
            "2026-01-01", "2026-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00",
            "~", "null", "NULL", "", "on", "off", "On", "OFF", "y", "n", "Y", "N", "yes", "no", "true", "False",
            "<<", "=");

    /** SnakeYAML's safe loader: the YAML 1.1 resolver Jackson's YAML support is built on. */
    private static Map<String, Object> load(String frontMatter) {
        String yaml = frontMatter.substring("---\n".length(), frontMatter.length() - "---\n".length());
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    }

    @Test
    void stringsThatReadAsAnotherTypeAreQuotedAndReadBackAsStrings() {
        for (String s : TRICKY) {
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("byline", s);
            extras.put("tags", List.of(s));
            String fm = FrontMatter.render(s, "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z", extras);

            Map<String, Object> back = load(fm);
            assertEquals(s, back.get("title"), "title " + s + " in\n" + fm);
            assertEquals(s, back.get("byline"), "byline " + s + " in\n" + fm);
            assertEquals(List.of(s), back.get("tags"), "tags " + s + " in\n" + fm);
            // YAML 1.2 readers resolve some forms SnakeYAML reads as strings (0o17): the text itself must quote
            assertTrue(fm.contains("\ntitle: \"") || fm.contains("\ntitle: '"), "title " + s + " not quoted in\n" + fm);
            assertTrue(fm.contains("\nbyline: \"") || fm.contains("\nbyline: '"), "byline " + s + " not quoted in\n" + fm);
        }
    }

    /**
     * The resolver's answers are remembered; across the memo filling and being emptied, every
     * tricky string still comes out quoted and every ordinary one plain, as the first time.
     */
    @Test
    void rememberedAnswersAreTheResolversOnesWhenTheMemoFillsAndEmpties() {
        java.util.Map<String, String> first = new java.util.HashMap<>();
        for (String s : TRICKY) {
            first.put(s, FrontMatter.render(s, "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z", Map.of()));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < FrontMatter.QuoteWhatResolvesToNonString.REMEMBERED + 7; i++) {
                String plain = "page-" + round + "-" + i;
                String fm = FrontMatter.render(plain, "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z", Map.of());
                assertTrue(fm.contains("\ntitle: " + plain + "\n"), fm);
                String s = TRICKY.get(i % TRICKY.size());
                assertEquals(first.get(s), FrontMatter.render(s, "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z",
                        Map.of()), "round " + round + ", after " + i + " others: " + s);
            }
        }
        for (String s : TRICKY) {
            assertEquals(s, load(first.get(s)).get("title"), s);
        }
    }

    @Test
    void keysThatReadAsAnotherTypeAreQuoted() {
        for (String key : List.of("<<", "=", "2026-01-01", "0x1F", "on", "~")) {
            String fm = FrontMatter.render("t", "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z", Map.of(key, "v"));
            Map<String, Object> back = load(fm);
            assertEquals("v", back.get(key), "key " + key + " in\n" + fm);
        }
    }

    @Test
    void ordinaryTextStaysPlainAndTheAddedTimestampIsText() {
        String fm = FrontMatter.render("A plain title", "/in/x.md", null, "markdown", "2026-01-01T00:00:00Z",
                Map.of("byline", "Ada Lovelace"));
        assertTrue(fm.contains("\ntitle: A plain title\n"), fm);
        assertTrue(fm.contains("\nbyline: Ada Lovelace\n"), fm);
        assertEquals("2026-01-01T00:00:00Z", load(fm).get("added") instanceof String a ? a : null,
                "kb's own timestamp is text, not a YAML timestamp:\n" + fm);
    }

    @Test
    void aFilesOwnEntriesFollowKbsKeysAndTheExtrasVerbatim() {
        OwnFrontMatter own = new OwnFrontMatter("# mine\nzip: 01234\nbyline: Ann # hers\n", Set.of("zip", "byline"));
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("byline", "from the converter");
        extras.put("pages", 3);
        String fm = FrontMatter.render("T", "/in/x.md", "ab", "markdown", "2026-01-01T00:00:00Z", extras, own);
        assertEquals("---\ntitle: T\nsource: /in/x.md\nsha256: ab\ntype: markdown\nadded: \"2026-01-01T00:00:00Z\"\n"
                + "pages: 3\n# mine\nzip: 01234\nbyline: Ann # hers\n---\n", fm);
    }

    @Test
    void damageReadsKbsSha256WhateverThePersonsEntriesBelowIt() {
        String sha = "ab".repeat(32);
        String kb = FrontMatter.render("T", "/in/x.md", sha, "markdown", "2026-01-01T00:00:00Z", Map.of());
        String head = kb.substring(0, kb.length() - "---\n".length());
        // aliases Jackson would read as anchor names, a complex key and a custom tag a loader refuses:
        // a person may write them on the page, and kb's hash is still there to read
        String page = head + "base: &b {x: 1}\ncopy: *b\n? [a, b]\n: c\nmine: !custom v\n---\n\nBody.\n";
        assertEquals(Optional.empty(), FrontMatter.damage(page, sha));
        assertEquals(Optional.of("its front matter names another sha256"), FrontMatter.damage(page, "cd".repeat(32)));

        assertEquals(Optional.of("it has no front matter"), FrontMatter.damage("Body.\n", sha));
        assertEquals(Optional.of("its front matter is not closed"), FrontMatter.damage(head, sha));
        assertEquals(Optional.of("its front matter is not readable YAML"),
                FrontMatter.damage(head + "bad: [\n---\n", sha));
        assertEquals(Optional.of("its front matter names no sha256"),
                FrontMatter.damage("---\ntitle: T\nsha256:\n---\n", sha));
        assertEquals(Optional.of("its front matter names no sha256"),
                FrontMatter.damage("---\ntitle: T\nsha256: [" + sha + "]\n---\n", sha));
    }

    /**
     * Pages are written by the streaming generator; what it writes of every kind of value a
     * front matter holds is what the data-binding mapper over the same factory writes (the
     * previous writer), quoting included, and a type it does not know is left to the mapper.
     */
    @Test
    void theStreamingWriterWritesWhatTheMapperWrote() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", "v: with colon");
        nested.put("n", 7);
        nested.put("empty", List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", "0x1F");
        m.put("source", "https://example.org/a?b=c#d");
        m.put("type", "markdown");
        m.put("added", "2026-01-01T00:00:00Z");
        for (String t : List.of("true", "no", "~", "null", "1e3", ".inf", "1_000", "2026-01-01", "<<", "0o17", "=",
                "- dash", "# hash", "a: b", "'single'", "\"double\"", "multi\nline", " lead", "trail ", "ünï", "",
                "@at", "`tick`", "%pct", "!bang", "&amp", "*star", "|pipe", ">gt", "{brace}", "[bracket]")) {
            m.put("k" + m.size(), t);
        }
        m.put("tags", List.of("a", "b c", "true", 3));
        m.put("count", 42);
        m.put("big", 12_345_678_901L);
        m.put("flag", false);
        m.put("meta", nested);
        m.put("nothing", null);
        assertEquals(FrontMatter.Mapper.YAML.writeValueAsString(m), FrontMatter.yaml(m));

        Map<String, Object> odd = new LinkedHashMap<>(m);
        odd.put("ratio", 0.25);
        odd.put("exact", new java.math.BigDecimal("1.50"));
        assertEquals(FrontMatter.Mapper.YAML.writeValueAsString(odd), FrontMatter.yaml(odd));
    }

    /**
     * Flat text front matter is written without the emitter when every key and value is text it
     * writes as it is (FrontMatter.flat); whatever path a map takes, the text is the generator's.
     * Random keys and values over the characters that matter to YAML (indicators, quotes,
     * colons and spaces in every position, digits, signs, dots, non-ASCII, tabs), half of them
     * over the characters that path takes (where numbers, booleans and dates hide), and the
     * tricky strings above, each against the data-binding mapper.
     */
    @Test
    void flatTextFrontMatterIsTheGeneratorsByteForByte() throws Exception {
        String alphabet = "aZy09 _./+-:#,?[]{}&*!|>'\"%@`~=<\\\u00fc\teE";
        String near = "aYnN0159 _./+-:eExob"; // mostly what the path without the emitter takes
        java.util.Random random = new java.util.Random(20261202);
        int fast = 0;
        List<String> values = new java.util.ArrayList<>(TRICKY);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(13);
            for (int j = 0; j < n; j++) {
                String from = i % 2 == 0 ? alphabet : near;
                b.append(from.charAt(random.nextInt(from.length())));
            }
            values.add(b.toString());
        }
        values.addAll(List.of("tar", "git commit", "/work/shared/corpus/tldr-pages/common/tar.md", "markdown",
                "2026-12-02T06:03:27Z", "bd8516793592c38c5c156cab8040f5cd8bd5c0172d81e54adff4e591855eb5f5",
                "1234567890123456789012345678901234567890123456789012345678901234", "x".repeat(200)));
        for (String v : values) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("title", v);
            m.put("source", "/notes/" + v);
            m.put(v.isEmpty() ? "k" : v, "v"); // the same text as a key
            assertEquals(FrontMatter.Mapper.YAML.writeValueAsString(m), FrontMatter.yaml(m), v);
            Map<String, Object> mixed = new LinkedHashMap<>();
            mixed.put("type", "markdown");
            mixed.put("title", v); // one entry that may not take the path, after one that does
            assertEquals(FrontMatter.Mapper.YAML.writeValueAsString(mixed), FrontMatter.yaml(mixed), v);
            if (FrontMatter.simple(v)) {
                fast++;
            }
        }
        assertTrue(fast > 20_000, "the random text took the path without the emitter " + fast + " times");
        assertTrue(FrontMatter.simple("/work/shared/corpus/tldr-pages/common/tar.md"));
        assertTrue(FrontMatter.simple("2026-12-02T06:03:27Z")); // quoted, but by this path
        assertEquals(FrontMatter.Mapper.YAML.writeValueAsString(Map.of()), FrontMatter.yaml(new LinkedHashMap<>()));
    }

    /**
     * The shortcut for long hex strings (every page's sha256) says "a string" only where the
     * YAML 1.1 resolver itself says so: random strings over hex digits (some with the letters
     * the shortcut looks for, some without), over the digits, signs, dots and letters that INT and
     * FLOAT read ({@code 0b}, {@code 0x}, exponents, sexagesimal colons), around the 50-character
     * limit, each checked against SnakeYAML's resolver and the quoting rule's own extra pattern.
     */
    @Test
    void theLongHexShortcutAgreesWithTheResolver() {
        org.yaml.snakeyaml.resolver.Resolver resolver = new org.yaml.snakeyaml.resolver.Resolver();
        java.util.regex.Pattern extra = java.util.regex.Pattern.compile("0o[0-7]+|=");
        String[] alphabets = {"0123456789abcdef", "0123456789be", "0123456789be_.:+-xXoEaf", "01b", "0123456789"};
        String[] prefixes = {"", "0b", "0x", "+", "-", "0", "1e", "0o", ".", "12:"};
        java.util.Random random = new java.util.Random(20261203);
        List<String> values = new java.util.ArrayList<>(List.of(
                "bd8516793592c38c5c156cab8040f5cd8bd5c0172d81e54adff4e591855eb5f5",
                "871433b69f611a7014db2393655ec2db3391f6d9ed4d5c56541fc07f5fed6d1a",
                "0b" + "01".repeat(31), "1" + "0".repeat(63), "123e" + "4".repeat(60), "0x" + "f".repeat(62)));
        int taken = 0;
        for (int i = 0; i < 50_000; i++) {
            String from = alphabets[i % alphabets.length];
            StringBuilder b = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
            int n = 40 + random.nextInt(30);
            while (b.length() < n) {
                b.append(from.charAt(random.nextInt(from.length())));
            }
            values.add(b.toString());
        }
        for (String v : values) {
            boolean string = resolver.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, v, true)
                    .equals(org.yaml.snakeyaml.nodes.Tag.STR) && !extra.matcher(v).matches();
            if (FrontMatter.longHex(v)) {
                taken++;
                assertTrue(string, v + " is not read as a string, but the shortcut says it is");
            }
        }
        assertTrue(taken > 2_000, "the shortcut was taken " + taken + " times");
        assertTrue(FrontMatter.longHex(values.get(0)));
        assertTrue(!FrontMatter.longHex("0b" + "01".repeat(31)) && !FrontMatter.longHex("1" + "0".repeat(63)));
    }
}
