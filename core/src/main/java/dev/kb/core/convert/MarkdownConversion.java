package dev.kb.core.convert;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Markdown file's own parts: its YAML front matter, kept as written, and its title. The file
 * itself is read and written as a stream by {@link TextConversion}; only the head the front
 * matter can be in is held here.
 */
final class MarkdownConversion {

    /** The opening "---" line, then everything up to a closing "---" or "..." line. */
    private static final Pattern FRONT_MATTER = Pattern.compile("\\A---[ \\t]*\\n(.*?\\n)?(?:---|\\.\\.\\.)[ \\t]*(?:\\n|\\z)", Pattern.DOTALL);

    private static final Pattern OPENING = Pattern.compile("\\A---[ \\t]*\\n");

    /** An ATX heading of level one: "# Title", optionally closed by #s. */
    static final Pattern H1 = Pattern.compile("^ {0,3}#[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*$");

    static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    private MarkdownConversion() {
    }

    /**
     * What a file's front matter gives its page.
     *
     * @param title the file's {@code title} as text, or null
     * @param own   the entries the page keeps
     * @param end   where the body starts in the head: 0 when the file has no front matter kb splits off
     */
    record FrontMatterPart(String title, OwnFrontMatter own, int end) {
        static final FrontMatterPart NONE = new FrontMatterPart(null, OwnFrontMatter.NONE, 0);
    }

    /**
     * The front matter at the start of {@code head}: its own front matter is kept as written, not
     * re-read as values (README, "What an input becomes"). The file's {@code title}, as text, is
     * the document's title; which entries the page keeps is {@link OwnFrontMatter#keptFrom}'s
     * rule. A block kb cannot keep that way stays at the top of the body unchanged, with a
     * warning: nothing the person wrote is dropped from the page, and the page's front matter
     * stays one PyYAML and Obsidian read.
     *
     * @param head     the file's first lines (whole lines), or all of it
     * @param complete whether {@code head} is the whole file
     * @param limit    how long {@code head} may be, for the warning about a block not closed in it
     */
    static FrontMatterPart frontMatter(String head, boolean complete, int limit, List<String> warnings) {
        Matcher fm = FRONT_MATTER.matcher(head);
        if (!fm.find()) {
            if (!complete && OPENING.matcher(head).lookingAt()) {
                // Looking further would hold the whole file: the limit keeps memory bounded.
                warnings.add("front matter not closed within its first " + limit / 1024 + " KiB; kept in the body");
            }
            return FrontMatterPart.NONE;
        }
        String block = fm.group(1) == null ? "" : fm.group(1);
        String title = null;
        try {
            YamlEntries entries = YamlEntries.parse(block);
            title = title(entries, warnings);
            OwnFrontMatter own = OwnFrontMatter.keptFrom(entries, warnings);
            return new FrontMatterPart(title, own, fm.end());
        } catch (YamlEntries.Unsplittable e) {
            warnings.add("front matter " + e.getMessage() + "; kept in the body");
            return new FrontMatterPart(title, OwnFrontMatter.NONE, 0);
        }
    }

    /**
     * The file's {@code title} as the text it wrote ({@code title: on} is "on", {@code 1.10} is
     * "1.10"), or null when it has none, a null one, or a list or mapping.
     */
    private static String title(YamlEntries entries, List<String> warnings) {
        String title = entries.text("title").map(ConverterText::normalizeSpace).filter(t -> !t.isEmpty()).orElse(null);
        if (title == null && entries.holdsCollection("title")) {
            warnings.add("front matter title is a list or mapping, not text; not used as the title");
        }
        return title;
    }

    /**
     * The first level-one ATX heading outside fenced code, fed one line at a time (without its
     * line end). A line too long to hold (over {@code maxLine} characters) still opens or closes
     * a fence but is no title: a title is a line, not a megabyte of one.
     */
    static final class FirstHeading {
        private final int maxLine;
        private final StringBuilder line = new StringBuilder();
        private boolean tooLong;
        private boolean inFence;
        private String title;

        FirstHeading(int maxLine) {
            this.maxLine = maxLine;
        }

        /** Feeds a piece of a line; a piece ending in '\n' ends its line. */
        void feed(String piece) {
            if (title != null) {
                return;
            }
            boolean ends = piece.endsWith("\n");
            int n = ends ? piece.length() - 1 : piece.length();
            if (!tooLong && line.length() + n > maxLine) {
                tooLong = true;
                line.setLength(Math.min(line.length(), 256)); // enough for the fence test
            }
            if (!tooLong) {
                line.append(piece, 0, n);
            } else if (line.length() < 256) {
                line.append(piece, 0, Math.min(n, 256 - line.length()));
            }
            if (ends) {
                endLine();
            }
        }

        /** Ends the last line of a file without a final newline. */
        void end() {
            if (title == null && line.length() > 0) {
                endLine();
            }
        }

        private void endLine() {
            String l = line.toString();
            boolean whole = !tooLong;
            line.setLength(0);
            tooLong = false;
            if (FENCE.matcher(l).find()) {
                inFence = !inFence;
                return;
            }
            if (!inFence && whole) {
                Matcher m = H1.matcher(l);
                if (m.matches() && !m.group(1).isBlank()) {
                    title = m.group(1).strip();
                }
            }
        }

        String title() {
            return title;
        }
    }
}
