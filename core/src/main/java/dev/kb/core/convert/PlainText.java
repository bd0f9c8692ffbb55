package dev.kb.core.convert;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain text (a PDF's text layer) made safe to embed in Markdown: it renders as the words it is,
 * not as headings, lists, HTML, emphasis, links, images or Obsidian links that the text only
 * looks like. Every square bracket is escaped, so "[click](javascript:…)" or "![x](http://…)" in
 * a PDF is text, never a live link or an image fetched when the page is opened. Line breaks are
 * kept; nothing is escaped that a reader would not otherwise lose.
 */
final class PlainText {

    /** Block syntax at the start of a line: ATX heading, quote, bullet, setext underline or rule. */
    private static final Pattern BLOCK_START = Pattern.compile("^([#>+*=_-])(?=\\s|$|\\1)");
    /** An ordered-list marker: "12. " or "3) ". */
    private static final Pattern ORDERED = Pattern.compile("^(\\d{1,9})([.)])(?=\\s|$)");
    /** What starts raw HTML: "<" then a letter, "/", "!" or "?". */
    private static final Pattern HTML_START = Pattern.compile("<(?=[A-Za-z/!?])");

    private PlainText() {
    }

    static String toMarkdown(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (String line : text.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line(line));
        }
        return out.toString();
    }

    private static String line(String raw) {
        // four leading spaces would make an indented code block
        String s = raw.stripLeading();
        s = s.replace("\\", "\\\\").replace("`", "\\`").replace("*", "\\*").replace("[", "\\[").replace("]", "\\]");
        s = HTML_START.matcher(s).replaceAll("\\\\<");
        Matcher m = ORDERED.matcher(s);
        if (m.find()) {
            return m.group(1) + "\\" + m.group(2) + s.substring(m.end());
        }
        if (BLOCK_START.matcher(s).find()) {
            return "\\" + s;
        }
        return s;
    }
}
