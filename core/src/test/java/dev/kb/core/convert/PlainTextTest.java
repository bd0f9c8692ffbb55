package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

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
        assertEquals("see \\[\\[1]] and [2]", PlainText.toMarkdown("see [[1]] and [2]"), "no Obsidian link");
        assertEquals("C:\\\\path", PlainText.toMarkdown("C:\\path"));
    }
}
