package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainTextTest {

    @Test
    void textThatLooksLikeMarkdownSyntaxIsEscaped() {
        assertEquals("\\# of heads", PlainText.toMarkdown("# of heads"));
        assertEquals("\\> 5 layers", PlainText.toMarkdown("> 5 layers"));
        assertEquals("\\- item\n\\+ item\n\\* item", PlainText.toMarkdown("- item\n+ item\n* item"));
        assertEquals("\\-----\n\\===", PlainText.toMarkdown("-----\n==="));
        assertEquals("3\\. Model Architecture\n1\\) first", PlainText.toMarkdown("3. Model Architecture\n1) first"));
        assertEquals("the \\<EOS> token and \\</s>", PlainText.toMarkdown("the <EOS> token and </s>"), "no raw HTML");
        assertEquals("a \\* b \\*c\\* \\`y\\`", PlainText.toMarkdown("a * b *c* `y`"), "no emphasis or code");
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        String text = "3.2.1 Scaled Dot-Product Attention\nWe call our particular attention d_k and x < y, 2 - 1 = 1.\n"
                + "Section 1 Introduction";
        assertEquals(text, PlainText.toMarkdown(text));
        assertEquals("indented", PlainText.toMarkdown("        indented"), "no indented code block");
        assertEquals("see \\[\\[1\\]\\] and \\[2\\]", PlainText.toMarkdown("see [[1]] and [2]"), "no Obsidian link, no link");
        assertEquals("C:\\\\path", PlainText.toMarkdown("C:\\path"));
    }

    /** PDF text is text: no form of Markdown link or image in it may come out live (issue 10, item 6). */
    @ParameterizedTest
    @ValueSource(strings = {
        "[click](javascript:alert(1))", "see [click](http://example.com/) here", "![x](http://tracker.example/p.png)",
        "![](data:image/png;base64,AAAA)", "[ref]: javascript:alert(1)\nuse [ref] now", "[text][ref]\n[ref]: http://x",
        "<javascript:alert(1)>", "<http://example.com>", "[[Wiki link]]", "[a](<javascript:x>)",
        "[x](&#106;avascript:alert(1))", "\\[x](javascript:y)", "text ]( [ ) ! [", "[![img](x)](javascript:y)",
    })
    void noLinkOrImageSurvivesInPdfText(String text) {
        String md = PlainText.toMarkdown(text);
        assertEquals(java.util.List.of(), HtmlConversionTest.linkUrls(md), text + " -> " + md);
        assertTrue(md.replace("\\", "").contains(text.replace("\\", "").lines().findFirst().orElse("").substring(0, 1)), md);
    }
}
