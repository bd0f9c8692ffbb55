package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** No page holds an active script link, whatever the source (issue 10, item 6). */
class ActiveLinksTest {
    /** What {@link ActiveLinks#mayHide} means: its pattern, found in the text without tabs and line breaks. */
    static boolean definition(String s) {
        return ActiveLinks.MAY_HIDE.matcher(s.replaceAll("[\t\n\r]", "")).find();
    }

    /** What {@link ActiveLinks.Watch} sees in text read in pieces: the same, for its wider pattern. */
    static boolean watchDefinition(String s) {
        return ActiveLinks.WATCHED.matcher(s.replaceAll("[\t\n\r]", "")).find();
    }

    /** A random text of {@code tokens}, up to {@code max} of them. */
    private static String textOf(java.util.Random random, String[] tokens, int max) {
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(max + 1);
        for (int k = 0; k < n; k++) {
            b.append(tokens[random.nextInt(tokens.length)]);
        }
        return b.toString();
    }

    @Test
    void mayHideIsItsDefinitionWithoutTheRegex() {
        java.util.Random random = new java.util.Random(29);
        // the pieces of every scheme and entity in both cases, what may stand before a URL, the
        // separators the definition drops, and what surrounds a match
        String[] tokens = {"java", "JAVA", "vb", "live", "script", "SCRIPT", "scr", "ipt", "data", "DaTa", "da", "ta",
            "javascript", "LiveScript", ":", "\\", "&", "#", ";", "colon", "tab", "NewLine", "(", "<", "\"", "'", "=",
            "]", "[", " ", "\t", "\n", "\r", "\u0001", "x", "-", "meta"};
        for (int i = 0; i < 100_000; i++) {
            String s = textOf(random, tokens, 10);
            boolean may = ActiveLinks.mayHide(s);
            assertEquals(definition(s), may, s);
            if (may) {
                assertTrue(watchDefinition(s), s); // a long file's watch sees at least as much
            }
        }
        for (String s : new String[] {"javascript:", "data\\:", "&colon;", "&NewLine;", "java\nscript:", "(DATA&",
                "x &#106;", "=java\tscript\t\\\n:", "&\ttab;", "' dAtA\r:", "[t](\u0001 javascript:x)", "<vbscript:",
                "[r]:\n  livescript:", "> [t](\n> javascript:x)", ">\tdata:"}) {
            assertTrue(ActiveLinks.mayHide(s), s);
            assertTrue(definition(s), s);
        }
        for (String s : new String[] {"", "script", "data\\\\:", "scripts:", "&colo;", "& #", "- run it: `x`",
                "https://example.com/a&b", "scr\nipt:", "- Execute a script:", "the data: field", "(metadata:",
                "<xjavascript:", "(java script:", "> the data: field"}) {
            assertFalse(ActiveLinks.mayHide(s), s);
            assertFalse(definition(s), s);
        }
    }

    /** A URL that is, or nearly is, a script scheme: spaces or controls before it, split, encoded, escaped. */
    private static String nearScript(java.util.Random random) {
        String[] lead = {"", "", " ", "  ", "\u0001", "\n", "\t", "<", " <", "x", "/", "&#32;", "&nbsp;", "\\(", "&Tab;"};
        String[] schemes = {"javascript", "JavaScript", "vbscript", "LIVESCRIPT", "data", "DaTa", "xjavascript",
            "metadata", "java script", "scripts", "http", "script", "jav&#97;script"};
        String[] colons = {":", ":", "\\:", "&colon;", "&#58;", "&#x3a;", "::", "\\\\:", " :"};
        String[] rests = {"alert(1)", "x", "text/html,x", "", "//host/p"};
        StringBuilder scheme = new StringBuilder(schemes[random.nextInt(schemes.length)]);
        if (random.nextInt(4) == 0) {
            scheme.insert(random.nextInt(scheme.length() + 1), random.nextBoolean() ? "\t" : "\n");
        }
        if (random.nextInt(6) == 0 && scheme.charAt(0) == 'j') {
            scheme.replace(0, 1, random.nextBoolean() ? "&#106;" : "&#x6A;");
        }
        return lead[random.nextInt(lead.length)] + scheme + colons[random.nextInt(colons.length)]
                + rests[random.nextInt(rests.length)];
    }

    /** Review of the gate: a destination or attribute continued in a quote's next line starts after its '>'. */
    @Test
    void aScriptLinkContinuedInABlockQuoteIsStillMadeInert() {
        assertEquals("> t", ActiveLinks.neutralise("> [t](\n> javascript:alert(1))"));
        assertEquals("> i", ActiveLinks.neutralise("> ![i](\n>vbscript:x)"));
        assertEquals("> [i](https://ok)", ActiveLinks.neutralise("> [![i](\n> data:x)](https://ok)"));
    }

    /**
     * The gate is sound: wherever {@link ActiveLinks#mayHide} lets a text through unparsed, the
     * parse would have changed nothing. Every construct with a URL, and text around it, holding
     * script schemes and near misses; then texts of loose Markdown and HTML syntax.
     */
    @Test
    void theGateSkipsOnlyTextsTheParseWouldLeaveAlone() {
        java.util.Random random = new java.util.Random(41);
        String[] templates = {"[t](%s)", "![alt](%s)", "[t][r]\n\n[r]: %s", "[r]:\n%s\n\n[r]", "<%s>",
            "<a href=\"%s\">t</a>", "<a href='%s'>t</a>", "<img src=%s>", "<div data=%s></div>", "[t](/ok \"%s\")",
            "`[t](%s)`", "Run a %s", "[t] (%s)", "[![in](%s)](https://ok/)", "[t](<%s>)", "%s", "- the %s field",
            // a block quote goes on past its marker: the URL may start after the next line's '>'
            "> [t](\n> %s)", "> ![i](\n>%s)", ">> <a href=\n> > %s>t</a>", "- > [t](\n  >\t%s)",
            "> - [t](\n>   %s)", "   > [t](\n >%s)", "> <img\n> src=\n> %s>"};
        String[] tokens = {"[", "]", "(", ")", "<", ">", "![", "](", "]:", "[r]", "[r]: ", " ", "  ", "\n", "\n\n",
            "\t", "javascript", "JaVaScript", "java", "script", "vbscript", "livescript", "data", ":", "\\:", "\\",
            "&", "&#106;", "&#x6A;", "&colon;", "&Tab;", "&NewLine;", "&amp;", "&lt;", "a", "x", "\"", "'", "=",
            "<a href=", "<img src=", " href=", "<div>", "</a>", "\u0001", "`", "*", "> ", "    ", "http://x", "/",
            "alert(1)", "#", "meta", "run a "};
        int changed = 0;
        int skipped = 0;
        for (int i = 0; i < 80_000; i++) {
            String s = i % 2 == 0
                    ? textOf(random, tokens, 3) + String.format(templates[random.nextInt(templates.length)],
                            nearScript(random)) + textOf(random, tokens, 3)
                    : textOf(random, tokens, 14);
            String parsed = ActiveLinks.neutraliseParsingAll(s);
            if (ActiveLinks.mayHide(s)) {
                changed += parsed.equals(s) ? 0 : 1;
            } else {
                skipped++;
                assertEquals(s, parsed, s);
                assertEquals(s, ActiveLinks.neutralise(s), s);
            }
        }
        // both sides of the gate are exercised
        assertTrue(changed > 2_000, "changed by the parse: " + changed);
        assertTrue(skipped > 20_000, "skipped: " + skipped);
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "JAVASCRIPT:x", " \t javascript:x", "\u0000javascript:x",
            "\u001fjavascript:x", "java\tscript:x", "java\nscript:x", "jav\rascript:x", "vbscript:x", "data:text/html,x",
            "Data:image/png;base64,AA", "livescript:x"})
    void scriptSchemesAreRecognisedAsBrowsersReadThem(String url) {
        assertTrue(ActiveLinks.isScript(url), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.com/javascript:x", "https://x", "mailto:a@b", "/rel/javascript:x",
            "javascript", "#data:x", "./data:x", "obsidian://open?vault=x", "tel:123", ""})
    void otherUrlsAreNot(String url) {
        assertFalse(ActiveLinks.isScript(url), url);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "inline link              | before [click me](javascript:alert(1)) after    | before click me after",
        "any case, spaces         | [t](  JavaScript:alert(1)  )                    | t",
        "angle brackets           | [t](<javascript:alert(1)>)                      | t",
        "entity-encoded           | [t](&#106;avascript:alert(1))                   | t",
        "entity colon             | [t](javascript&colon;alert(1))                  | t",
        "tab entity               | [t](java&Tab;script:alert(1))                   | t",
        "vbscript with title      | [t](vbscript:x \"title\")                       | t",
        "data image               | ![alt text](data:image/png;base64,AAAA)         | alt text",
        "image in script link     | [![in](data:x)](javascript:y)                   | in",
        "script image in link     | [![in](data:x)](https://ok.example/)            | [in](https://ok.example/)",
        "autolink                 | <javascript:alert(1)>                           | \\<javascript:alert(1)>",
        "reference definition     | [t][r]\\n\\n[r]: javascript:alert(1)             | [t][r]\\n\\n",
        "raw html link            | <a href=\"javascript:alert(1)\">t</a>           | <a href=\"#\">t</a>",
        "raw html entity          | <a href='&#106;avascript:x'>t</a>               | <a href=\"#\">t</a>",
        "raw html block           | <div><img src=data:x onerror=y></div>           | <div><img src=\"#\" onerror=y></div>",
        "line break in raw html   | <a href=\"javascri\\npt:x\">t</a>             | <a href=\"#\">t</a>",
        "safe links untouched     | [a](https://x/javascript) <https://y> ![i](/p.png) data: javascript: | [a](https://x/javascript) <https://y> ![i](/p.png) data: javascript:",
        "in code it is text       | `[t](javascript:x)` and\\n\\n    [t](javascript:x) | `[t](javascript:x)` and\\n\\n    [t](javascript:x)",
    })
    void markdownKeepsItsTextButLosesItsScriptLinks(String name, String markdown, String expected) {
        String in = markdown.replace("\\n", "\n");
        String out = ActiveLinks.neutralise(in);
        assertEquals(expected.replace("\\n", "\n"), out, name);
        HtmlConversionTest.assertNoScriptLinksInLinks(out);
    }

    @Test
    void aMarkdownFileOfTheUsersIsNeutralisedToo() throws IOException {
        Path md = Files.writeString(dir.resolve("n.md"), "---\ntags: [a]\n---\n# Notes\n\n[run](javascript:alert(1)) and"
                + " [ok](https://example.com)\n");
        Converted c = Converter.convert(ContentKind.MARKDOWN, md, "n", null, dir);
        assertEquals("# Notes\n\nrun and [ok](https://example.com)\n", c.markdown());
        Path txt = Files.writeString(dir.resolve("t.txt"), "see ![x](data:image/png;base64,AA) here\n");
        assertEquals("see x here\n", Converter.convert(ContentKind.TEXT, txt, "t", null, dir).markdown());
    }

    /** The fast path skipped the parse for "script\\:", which a Markdown destination unescapes to a live "script:". */
    @Test
    void aBackslashEscapedColonIsStillAScriptScheme() {
        assertEquals("x", ActiveLinks.neutralise("[x](javascript\\:alert(1))"));
        assertEquals("y", ActiveLinks.neutralise("![y](data\\:text/html,z)"));
    }

    @Test
    void markdownWithoutScriptLinksIsKeptByteForByte() throws IOException {
        String text = "# Data and scripts\n\nThe data: field, a script, &amp; [a link](https://x) ![i](y.png)\n\r\n";
        assertEquals(text, ActiveLinks.neutralise(text));
    }
}
