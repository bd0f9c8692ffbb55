package dev.kb.core.convert;

import com.vladsch.flexmark.html.renderer.LinkType;
import com.vladsch.flexmark.html2md.converter.FlexmarkHtmlConverter;
import com.vladsch.flexmark.html2md.converter.HtmlMarkdownWriter;
import com.vladsch.flexmark.html2md.converter.HtmlNodeConverterContext;
import com.vladsch.flexmark.html2md.converter.HtmlNodeRenderer;
import com.vladsch.flexmark.html2md.converter.HtmlNodeRendererHandler;
import com.vladsch.flexmark.util.data.MutableDataSet;
import com.vladsch.flexmark.util.sequence.LineAppendable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;

/**
 * An element as Markdown, by flexmark's HTML converter, with two of its renderers replaced and
 * wide elements converted in parts.
 *
 * <ul>
 *   <li><b>{@code <img>}</b>: flexmark turns any image whose file name is an emoji shortcode
 *       ({@code warning.png}, {@code smile.gif}, {@code 1f600.png}) into {@code :warning:} text,
 *       whatever the site, and has no option to turn that off; here an image is always an
 *       image.</li>
 *   <li><b>{@code <br>}</b>: flexmark's renderer copies everything written so far at each line
 *       break after a line end (to look for its own {@code <br />} marker), which is quadratic:
 *       a 2 MB page of short lines took minutes. Here: a hard line break, and a second one ends
 *       the paragraph; no raw {@code <br />} is ever written.</li>
 *   <li><b>Wide elements</b>: flexmark looks at all siblings for every paragraph or div it
 *       renders (jsoup 1.18 copies the child list each time), so an element with thousands of
 *       children costs the square of their number. Such an element is converted in groups of about
 *       {@link #GROUP} children, cut before a block (or in a very long inline run), each group in a
 *       copy of the element (an {@code <ol>} keeps its numbering), and the deadline is checked
 *       between groups.</li>
 * </ul>
 */
final class HtmlMarkdown {

    /** Most children converted in one call; past it flexmark's per-sibling scans add up. */
    static final int GROUP = 256;

    /**
     * Elements never converted in parts: a table's parts (flexmark lays out a table as a whole,
     * in linear time) and preformatted text. Any other wide element is, in copies of itself: a
     * copy of a {@code <b>} is bold, of a {@code <p>} a paragraph, of an {@code <ol>} a list
     * numbered on from the copy before.
     */
    private static final Set<String> WHOLE = Set.of("table", "thead", "tbody", "tfoot", "tr", "pre", "code",
            "textarea", "svg", "math", "select");

    /** A run of inline children is cut only this long, where a cut makes a paragraph break. */
    private static final int INLINE_RUN = 8 * GROUP;

    private static final FlexmarkHtmlConverter MARKDOWN = FlexmarkHtmlConverter.builder(new MutableDataSet()
            .set(FlexmarkHtmlConverter.SETEXT_HEADINGS, false)
            .set(FlexmarkHtmlConverter.OUTPUT_ATTRIBUTES_ID, false)
            .set(FlexmarkHtmlConverter.OUTPUT_UNKNOWN_TAGS, false)
            .set(FlexmarkHtmlConverter.TYPOGRAPHIC_QUOTES, false)
            .set(FlexmarkHtmlConverter.TYPOGRAPHIC_SMARTS, false)
            .set(FlexmarkHtmlConverter.RENDER_COMMENTS, false)
            .set(FlexmarkHtmlConverter.MAX_BLANK_LINES, 1)
            .toImmutable())
            .htmlNodeRendererFactory(options -> new Renderers())
            .build();

    private HtmlMarkdown() {
    }

    /**
     * {@code content} as Markdown, ending in one newline. Readability hands back a detached
     * element, and flexmark's renderers look at parents (NullPointerException on a detached div),
     * so the HTML of each part is converted, not the element itself.
     */
    static String convert(Element content, ConversionDeadline deadline) {
        Set<Element> wide = wideAndTheirAncestors(content);
        List<String> parts = new ArrayList<>();
        render(content, wide, deadline, parts);
        String joined = String.join("\n\n", parts).strip();
        return joined.isEmpty() ? "\n" : joined + "\n";
    }

    private static void render(Element e, Set<Element> wide, ConversionDeadline deadline, List<String> parts) {
        deadline.check();
        if (!wide.contains(e) || WHOLE.contains(e.normalName())) {
            add(parts, MARKDOWN.convert(e.outerHtml()));
            return;
        }
        boolean ol = e.normalName().equals("ol");
        int next = ol ? parseStart(e.attr("start")) : 1;
        List<Node> group = new ArrayList<>();
        for (Node child : e.childNodes()) {
            if (child instanceof Element el && wide.contains(el) && !WHOLE.contains(el.normalName())) {
                next += flush(e, next, group, deadline, parts);
                render(el, wide, deadline, parts); // a container of the wide part: go inside
                continue;
            }
            boolean block = child instanceof Element el && el.isBlock();
            if ((block && group.size() >= GROUP) || group.size() >= INLINE_RUN) {
                next += flush(e, next, group, deadline, parts);
            }
            group.add(child);
        }
        flush(e, next, group, deadline, parts);
    }

    /** Converts one group of children inside a copy of their parent; returns how many list items it held. */
    private static int flush(Element parent, int firstNumber, List<Node> group, ConversionDeadline deadline,
                             List<String> parts) {
        if (group.isEmpty()) {
            return 0;
        }
        deadline.check();
        Element copy = parent.shallowClone();
        if (parent.normalName().equals("ol")) {
            copy.attr("start", Integer.toString(firstNumber)); // the copy goes on numbering where the last stopped
        }
        String shell = copy.outerHtml();
        int close = shell.lastIndexOf("</");
        StringBuilder html = new StringBuilder(shell.substring(0, close));
        int items = 0;
        for (Node n : group) {
            html.append(n.outerHtml());
            if (n instanceof Element el && el.normalName().equals("li")) {
                items++;
            }
        }
        html.append(shell, close, shell.length());
        add(parts, MARKDOWN.convert(html.toString()));
        group.clear();
        return items;
    }

    private static void add(List<String> parts, String markdown) {
        String s = markdown.strip();
        if (!s.isEmpty()) {
            parts.add(s);
        }
    }

    private static int parseStart(String start) {
        try {
            return start.isBlank() ? 1 : Integer.parseInt(start.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Elements with more than {@link #GROUP} children, and every element above one. */
    private static Set<Element> wideAndTheirAncestors(Element root) {
        Set<Element> marked = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Element e : root.getAllElements()) {
            if (e.childNodeSize() > GROUP) {
                for (Element up = e; up != null && marked.add(up) && up != root; up = up.parent()) {
                    // marks the way up until it meets a marked one
                }
            }
        }
        return marked;
    }

    /** The replaced renderers, ahead of flexmark's own (the first renderer for a tag wins). */
    private static final class Renderers implements HtmlNodeRenderer {
        @Override
        public Set<HtmlNodeRendererHandler<?>> getHtmlNodeRendererHandlers() {
            return Set.of(new HtmlNodeRendererHandler<>(FlexmarkHtmlConverter.IMG_NODE, Element.class, Renderers::image),
                    new HtmlNodeRendererHandler<>(FlexmarkHtmlConverter.BR_NODE, Element.class, Renderers::lineBreak));
        }

        private static void image(Element img, HtmlNodeConverterContext context, HtmlMarkdownWriter out) {
            if (!img.hasAttr("src")) {
                return;
            }
            String alt = img.attr("alt").strip().replace("[", "\\[").replace("]", "\\]");
            String title = img.attr("title").replace('\n', ' ').replace("\"", "\\\"");
            String src = context.resolveLink(LinkType.IMAGE, img.attr("src"), false).getUrl();
            out.append("![").append(alt).append("](").append(src);
            if (!title.isEmpty()) {
                out.append(" \"").append(title).append('"');
            }
            out.append(')');
        }

        private static void lineBreak(Element br, HtmlNodeConverterContext context, HtmlMarkdownWriter out) {
            if (out.isPreFormatted()) {
                out.append('\n');
                return;
            }
            int options = out.getOptions();
            out.setOptions(options & ~(LineAppendable.F_TRIM_TRAILING_WHITESPACE | LineAppendable.F_COLLAPSE_WHITESPACE));
            if (out.getPendingEOL() == 0) {
                out.append(' ', 2).line(); // a hard line break
            } else if (out.getPendingEOL() == 1) {
                out.blankLine(); // a second break in a row ends the paragraph
            }
            out.setOptions(options);
        }
    }
}
