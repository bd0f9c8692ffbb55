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
        return ActiveLinks.MAY_HIDE_ONE.matcher(s.replaceAll("[\t\n\r]", "")).find();
    }

    @Test
    void mayHideIsItsDefinitionWithoutTheRegex() {
        java.util.Random random = new java.util.Random(29);
        // every letter of every alternative in both cases, the separators the definition drops,
        // and what surrounds a match
        String alphabet = "scriptdaSCRIPTDAcolnewbCOLNEWB:&#;\\\t\n\r x";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(24);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = b.toString();
            assertEquals(definition(s), ActiveLinks.mayHide(s), s);
        }
        for (String s : new String[] {"javascript:", "data\\:", "&colon;", "&NewLine;", "scr\nipt:", "DATA&",
                "x &#106;", "script\t\\\n:", "&\ttab;", "dAtA\r:"}) {
            assertTrue(ActiveLinks.mayHide(s), s);
            assertTrue(definition(s), s);
        }
        for (String s : new String[] {"", "script", "data\\\\:", "scripts:", "&colo;", "& #", "- run it: `x`",
                "https://example.com/a&b"}) {
            assertEquals(definition(s), ActiveLinks.mayHide(s), s);
        }
        assertFalse(ActiveLinks.mayHide("- run it: `x`"));
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
