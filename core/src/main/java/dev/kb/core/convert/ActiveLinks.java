package dev.kb.core.convert;

import com.vladsch.flexmark.ast.AutoLink;
import com.vladsch.flexmark.ast.HtmlBlockBase;
import com.vladsch.flexmark.ast.HtmlInlineBase;
import com.vladsch.flexmark.ast.Image;
import com.vladsch.flexmark.ast.Link;
import com.vladsch.flexmark.ast.Reference;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.ast.Node;
import com.vladsch.flexmark.util.sequence.Escaping;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.TextNode;

/**
 * No wiki page kb writes holds an active link or image whose URL runs script or smuggles content
 * ({@code javascript:}, {@code vbscript:}, {@code data:}, {@code livescript:}): a click in
 * Obsidian or a browser preview of the vault would run it. The scheme is recognised as browsers
 * recognise it: in any case, after leading spaces and control characters, with tabs and line
 * breaks inside ignored, and after entities are decoded ({@code &#106;avascript:}).
 *
 * <p>Two places: the HTML of a page before it becomes Markdown ({@link #sanitize}: a link is
 * dropped and its text kept, an image is replaced by its alt text), and the Markdown of every
 * page just before it is written ({@link #neutralise}), whatever the source, a Markdown file of
 * the user's included.
 */
final class ActiveLinks {

    private static final Set<String> SCRIPT_SCHEMES = Set.of("javascript", "vbscript", "data", "livescript");
    private static final Pattern SCHEME = Pattern.compile("\\A([A-Za-z][A-Za-z0-9+.-]*):");
    /** URL attributes of raw HTML that a Markdown renderer may pass through. */
    private static final Pattern HTML_URL_ATTRIBUTE = Pattern.compile(
            "(?i)(\\s(?:href|src|srcset|action|formaction|xlink:href|poster|background|data|cite)\\s*=\\s*)"
                    + "(\"[^\"]*\"|'[^']*'|[^\\s\"'>]+)");
    private static final Set<String> URL_ATTRIBUTES = Set.of("href", "src", "srcset", "action", "formaction",
            "xlink:href", "poster", "background", "data", "cite");
    /**
     * Text in which a script scheme could start a URL, once tabs and line breaks are taken out (a
     * URL parser ignores them): one of the four schemes and its colon, or an entity that might
     * spell a scheme or what precedes one. The colon may be backslash-escaped: a Markdown
     * destination {@code javascript\\:alert(1)} is unescaped to {@code javascript:} (without the
     * optional backslash such a link was left live).
     *
     * <p>The scheme must also stand where a URL starts: after the {@code (} or {@code <} of a
     * link or image destination, the {@code :} of a reference definition ({@code [r]: url}), the
     * {@code <} of an autolink, the {@code =} or quote of an HTML attribute, the {@code >} of a
     * block quote (a destination or attribute may go on in the quote's next line, {@code > [t](}
     * then {@code > javascript:x)}: the parser reads past the marker, a look at the raw text sees
     * it), or the start of the text (link text is neutralised on its own), with only spaces and
     * control characters between (the ones {@link #isScript} strips). A scheme anywhere else is never at the start
     * of a URL that {@link #neutralise} edits: without that condition a page saying "run a
     * script:" or "the data: field" was parsed by flexmark, and the parse, with compiling it, took
     * 6-9 % of a bulk add's CPU for the 2 % of pages that say so.
     *
     * <p>{@link #mayHide} is this test without a regex (ActiveLinksTest holds it to this
     * definition, and holds {@link #neutralise} to changing nothing where it fails).
     */
    static final Pattern MAY_HIDE = Pattern.compile(
            "(?i)(?:\\A|[(<:\"'=>])[\\x00-\\x20]*(?:javascript|vbscript|livescript|data)\\\\?(?::|&)"
                    + "|&#|&colon;|&tab;|&newline;");
    /**
     * {@link Watch}'s test, wider than {@link #MAY_HIDE}: any word ending in {@code script} or
     * {@code data} before the colon, wherever it stands (the watch sees a long file in pieces and
     * keeps only the last few characters).
     */
    static final Pattern WATCHED = Pattern.compile("(?i)(?:script|data)\\\\?(?::|&)|&#|&colon;|&tab;|&newline;");

    /** Built on first use: most pages never need it, and building it loads much of flexmark. */
    private static final class MarkdownParser {
        static final Parser INSTANCE = Parser.builder().build();
    }

    private ActiveLinks() {
    }

    /** Whether following {@code url} would run script or load inline content. */
    static boolean isScript(String url) {
        if (url == null) {
            return false;
        }
        StringBuilder b = new StringBuilder(Math.min(url.length(), 64));
        for (int i = 0; i < url.length() && b.length() < 64; i++) {
            char c = url.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r' || (b.length() == 0 && c <= ' ')) {
                continue; // what URL parsers strip: leading C0 controls and spaces, tabs and newlines anywhere
            }
            b.append(c);
        }
        Matcher m = SCHEME.matcher(b);
        return m.find() && SCRIPT_SCHEMES.contains(m.group(1).toLowerCase(Locale.ROOT));
    }

    /**
     * Removes script links and images from {@code content}: an {@code <a>} is replaced by its
     * children, an {@code <img>} by its alt text, and any other URL attribute with a script
     * scheme is removed.
     */
    static void sanitize(Element content) {
        List<Element> links = new ArrayList<>();
        List<Element> images = new ArrayList<>();
        for (Element e : content.getAllElements()) {
            boolean script = false;
            for (org.jsoup.nodes.Attribute a : e.attributes()) {
                if (URL_ATTRIBUTES.contains(a.getKey().toLowerCase(Locale.ROOT)) && isScript(a.getValue())) {
                    script = true;
                }
            }
            if (!script) {
                continue;
            }
            if (e.normalName().equals("a") && isScript(e.attr("href"))) {
                links.add(e);
            } else if (e.normalName().equals("img") && (isScript(e.attr("src")) || isScript(e.attr("srcset")))) {
                images.add(e);
            } else {
                List<String> keys = new ArrayList<>();
                e.attributes().forEach(a -> keys.add(a.getKey()));
                for (String k : keys) {
                    if (URL_ATTRIBUTES.contains(k.toLowerCase(Locale.ROOT)) && isScript(e.attr(k))) {
                        e.removeAttr(k);
                    }
                }
            }
        }
        for (Element img : images) {
            String alt = img.attr("alt").strip();
            if (alt.isEmpty()) {
                img.remove();
            } else {
                img.replaceWith(new TextNode(alt));
            }
        }
        for (Element a : links) {
            if (a.parent() != null) {
                a.unwrap();
            }
        }
    }

    /**
     * {@code markdown} with every script link made inert: an inline link becomes its text, an
     * image its alt text, a reference definition with a script URL is dropped (links using it
     * stay as plain text), an autolink is escaped, and a script URL in raw HTML becomes "#".
     * Everything else is kept byte for byte.
     */
    static String neutralise(String markdown) {
        return neutralise(markdown, 0, true);
    }

    /** {@link #neutralise} with every text parsed, {@link #mayHide} or not: what the test of its gate compares with. */
    static String neutraliseParsingAll(String markdown) {
        return neutralise(markdown, 0, false);
    }

    /** Link text may itself hold an image; past a few levels of that, brackets are escaped instead. */
    private static final int MAX_NESTING = 8;

    /** The schemes of {@link #SCRIPT_SCHEMES}, lower case, as {@link #mayHide} looks for them. */
    private static final String[] SCHEME_WORDS = {"javascript", "vbscript", "livescript", "data"};

    /** Whether {@code markdown} matches {@link #MAY_HIDE}; without it, {@link #neutralise} changes nothing. */
    static boolean mayHide(String markdown) {
        // MAY_HIDE on the text without tabs and breaks, in one pass that copies nothing: every
        // match has a ':' or a '&', so only those are looked around (the regex, and the copy its
        // input needed, were a tenth of a bulk add's Java time)
        for (int i = 0; i < markdown.length(); i++) {
            char c = markdown.charAt(i);
            if (c != ':' && c != '&') {
                continue;
            }
            int k = before(markdown, i);
            if (k >= 0 && markdown.charAt(k) == '\\') {
                k = before(markdown, k);
            }
            for (String word : SCHEME_WORDS) {
                int start = wordStart(markdown, k, word);
                if (start >= 0 && startsURL(markdown, start)) {
                    return true;
                }
            }
            if (c == '&' && (startsWithWord(markdown, i, "&#") || startsWithWord(markdown, i, "&colon;")
                    || startsWithWord(markdown, i, "&tab;") || startsWithWord(markdown, i, "&newline;"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a scheme at {@code start} may begin a URL: what comes before it, spaces and control
     * characters left out, is nothing or one of {@code ( < : " ' = >} (see {@link #MAY_HIDE}).
     */
    private static boolean startsURL(String s, int start) {
        int k = start - 1;
        while (k >= 0 && s.charAt(k) <= ' ') {
            k--;
        }
        if (k < 0) {
            return true;
        }
        char c = s.charAt(k);
        return c == '(' || c == '<' || c == ':' || c == '"' || c == '\'' || c == '=' || c == '>';
    }

    /** Tabs and line breaks: a URL parser drops them, so every test here looks past them. */
    private static boolean skipped(char c) {
        return c == '\t' || c == '\n' || c == '\r';
    }

    /** (?i) without UNICODE_CASE: ASCII letters only. */
    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    /** The index of the last character before {@code i} that is not a tab or break; -1 if none. */
    private static int before(String s, int i) {
        int k = i - 1;
        while (k >= 0 && skipped(s.charAt(k))) {
            k--;
        }
        return k;
    }

    /**
     * Where {@code word} starts when the text up to and including {@code end}, tabs and breaks
     * left out, ends with it; -1 when it does not.
     */
    private static int wordStart(String s, int end, String word) {
        int k = end;
        int start = -1;
        for (int w = word.length() - 1; w >= 0; w--) {
            if (k < 0 || lower(s.charAt(k)) != word.charAt(w)) {
                return -1;
            }
            start = k;
            k = before(s, k);
        }
        return start;
    }

    /** Whether the text from {@code start}, tabs and breaks left out, starts with {@code word}. */
    private static boolean startsWithWord(String s, int start, String word) {
        int k = start;
        for (int w = 0; w < word.length(); w++) {
            while (k < s.length() && skipped(s.charAt(k))) {
                k++;
            }
            if (k >= s.length() || lower(s.charAt(k)) != word.charAt(w)) {
                return false;
            }
            k++;
        }
        return true;
    }

    /** {@code markdown} parsed as the neutralising pass parses it. */
    static Node parse(String markdown) {
        return MarkdownParser.INSTANCE.parse(markdown);
    }

    private static String neutralise(String markdown, int depth, boolean gated) {
        if (markdown == null || (gated && !mayHide(markdown))) {
            return markdown; // the common case costs one scan, not a Markdown parse
        }
        if (depth > MAX_NESTING) {
            return markdown.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("<", "\\<");
        }
        Node document = MarkdownParser.INSTANCE.parse(markdown);
        List<Edit> edits = new ArrayList<>();
        Deque<Node> todo = new ArrayDeque<>();
        todo.push(document);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            Edit e = edit(n, depth, gated);
            if (e != null) {
                edits.add(e);
                continue; // what it replaces includes its children
            }
            for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
                todo.push(c);
            }
        }
        if (edits.isEmpty()) {
            return markdown;
        }
        edits.sort(Comparator.comparingInt(Edit::start).reversed());
        StringBuilder b = new StringBuilder(markdown);
        int limit = Integer.MAX_VALUE;
        for (Edit e : edits) {
            if (e.end() <= limit) {
                b.replace(e.start(), e.end(), e.replacement());
                limit = e.start();
            }
        }
        return b.toString();
    }

    private record Edit(int start, int end, String replacement) {
    }

    private static Edit edit(Node n, int depth, boolean gated) {
        if (n instanceof Image img && isScript(Escaping.unescapeString(img.getUrl()))) {
            String text = neutralise(img.getText().toString(), depth + 1, gated);
            return new Edit(n.getStartOffset(), n.getEndOffset(), text);
        }
        if (n instanceof Link link && isScript(Escaping.unescapeString(link.getUrl()))) {
            String text = neutralise(link.getText().toString(), depth + 1, gated);
            return new Edit(n.getStartOffset(), n.getEndOffset(), text);
        }
        if (n instanceof Reference ref && isScript(Escaping.unescapeString(ref.getUrl()))) {
            return new Edit(n.getStartOffset(), n.getEndOffset(), "");
        }
        if (n instanceof AutoLink auto && isScript(Escaping.unescapeString(auto.getText()))) {
            return new Edit(n.getStartOffset(), n.getStartOffset(), "\\");
        }
        if (n instanceof HtmlInlineBase || n instanceof HtmlBlockBase) {
            String html = n.getChars().toString();
            String safe = inertHtml(html);
            return safe.equals(html) ? null : new Edit(n.getStartOffset(), n.getEndOffset(), safe);
        }
        return null;
    }

    private static String inertHtml(String html) {
        Matcher m = HTML_URL_ATTRIBUTE.matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(2);
            String unquoted = value.startsWith("\"") || value.startsWith("'") ? value.substring(1, value.length() - 1) : value;
            boolean script = isScript(Escaping.unescapeHtml(unquoted));
            m.appendReplacement(out, Matcher.quoteReplacement(script ? m.group(1) + "\"#\"" : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * {@link #WATCHED} for text seen in pieces (a stretch of a file too long to hold): its matches,
     * found across piece and line boundaries, since tabs and line breaks are skipped as the
     * definition removes them. It sees every match of {@link #MAY_HIDE}, and more.
     */
    static final class Watch {
        private static final String[] NEEDLES = {"script:", "script&", "script\\:", "script\\&", "data:", "data&",
                "data\\:", "data\\&", "&#", "&colon;", "&tab;", "&newline;"};
        private final StringBuilder tail = new StringBuilder(16);
        private boolean hit;

        void feed(CharSequence text) {
            for (int i = 0; i < text.length() && !hit; i++) {
                char c = text.charAt(i);
                if (skipped(c)) {
                    continue;
                }
                if (tail.length() == 9) {
                    tail.deleteCharAt(0);
                }
                tail.append(lower(c));
                for (String n : NEEDLES) {
                    if (endsWith(tail, n)) {
                        hit = true;
                        break;
                    }
                }
            }
        }

        boolean hit() {
            return hit;
        }
    }

    /**
     * Whether text seen in pieces holds what every edit of {@link #neutralise} starts from: a
     * link's or image's {@code ](}, a reference definition's {@code ]:}, or a {@code <} that opens
     * an autolink or raw HTML. Without one, no parse of the text finds anything to edit.
     */
    static final class EditSyntax {
        private char previous;
        private boolean hit;

        void feed(CharSequence text) {
            for (int i = 0; i < text.length() && !hit; i++) {
                char c = text.charAt(i);
                hit = (previous == ']' && (c == '(' || c == ':'))
                        || (previous == '<' && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '/'
                        || c == '!' || c == '?'));
                previous = c;
            }
        }

        boolean hit() {
            return hit;
        }
    }

    /**
     * Makes text inert whatever Markdown or HTML context it turns out to be in, for a stretch too
     * long to parse: backslashes doubled and {@code [ ] <} escaped (no link, image, reference,
     * autolink or tag can start there), {@code &} written as {@code &amp;} (no entity can spell a
     * scheme), and a backslash put before the colon of a {@code script:} or {@code data:} (inside
     * a raw HTML block, where Markdown escapes are not read, the URL then has no script scheme).
     * Outside code, the text reads the same rendered; inside code the escapes show.
     */
    static final class Escaper {
        private final StringBuilder tail = new StringBuilder(8);

        void escape(CharSequence text, StringBuilder out) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '[' -> out.append("\\[");
                    case ']' -> out.append("\\]");
                    case '<' -> out.append("\\<");
                    case '&' -> out.append("&amp;");
                    case ':' -> out.append(endsWith(tail, "script") || endsWith(tail, "data") ? "\\:" : ":");
                    default -> out.append(c);
                }
                if (skipped(c)) {
                    continue; // a URL parser drops them: "java\tscript:" is a scheme
                }
                if (tail.length() == 6) {
                    tail.deleteCharAt(0);
                }
                tail.append(lower(c));
            }
        }
    }

    private static boolean endsWith(StringBuilder b, String suffix) {
        int off = b.length() - suffix.length();
        if (off < 0) {
            return false;
        }
        for (int i = 0; i < suffix.length(); i++) {
            if (b.charAt(off + i) != suffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
