package dev.kb.core.convert;

import com.vladsch.flexmark.ast.FencedCodeBlock;
import com.vladsch.flexmark.ast.HtmlBlockBase;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.parser.internal.InlineParserImpl;
import com.vladsch.flexmark.util.ast.Document;
import com.vladsch.flexmark.util.ast.Node;
import com.vladsch.flexmark.util.sequence.BasedSequence;
import dev.kb.core.KbException;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Markdown and plain text in bounded memory, whatever the file's size: the body is kept as
 * written (a Markdown file's front matter is split off, see {@link MarkdownConversion}), with
 * script links made inert ({@link ActiveLinks#neutralise}). Reading the file whole held ~6.5
 * times its size (a 200 MB file peaked at 1.3 GB RSS); here at most a few MiB are held.
 *
 * <p>Two passes over the file. The first finds the front matter (in the head), the title (the
 * first heading, anywhere) and a plan: the body cut into sections at blank lines. The second
 * writes the body section by section, parsing only a section that holds text in which a script
 * scheme could hide, as the whole body used to be parsed.
 *
 * <p>A cut is made only where parsing the two sides apart gives what parsing them together
 * gives: after a blank line, before a line that starts in column 0 (no paragraph, list item,
 * quote or indented code goes on across it), and not inside a fenced code block or an HTML
 * block that a blank line does not end. The first pass checks the last one by parsing a section
 * that has a line that could open such a block; a section ending inside a top-level fence is
 * cut before the fence, and the fence, copied as it is, ends at its closing line. A body
 * shorter than {@link Limits#soft} is one section: its page is what parsing it whole gives.
 *
 * <p>A stretch of more than {@link Limits#cap} with no such place (one huge paragraph, a log
 * with no blank line) is not parsed. If it holds both text that could hide a script scheme and
 * the syntax of a link or tag, it is written with that syntax escaped ({@link
 * ActiveLinks.Escaper}), with a warning; else as it is. The same holds from such a stretch to
 * the end of the body when the stretch had a line that could open a fence, since where the
 * fence ends is then unknown.
 */
final class TextConversion {

    /** Sizes in characters; tests make them small so that every boundary falls inside a short text. */
    record Limits(int piece, int soft, int cap, int frontMatter) {
        static final Limits DEFAULT = new Limits(TextStream.PIECE, 64 * 1024, 4 << 20, FRONT_MATTER_LIMIT);
    }

    /**
     * How far into a Markdown file its front matter must close (README, "Large files"): the head
     * is held in memory to split it off. A block not closed by then is kept in the body.
     */
    static final int FRONT_MATTER_LIMIT = 1 << 20;

    /** The longest line that can be the title (a first heading): a title is a line, not a megabyte of one. */
    static final int TITLE_LINE = 64 * 1024;

    /** How one segment of the body is written. */
    enum Action { VERBATIM, NEUTRALISE, ESCAPE }

    /** From {@code firstLine} (0-based, counted in the whole file) up to the next segment's. */
    record Segment(long firstLine, Action action) {
    }

    /** What the first pass found. */
    record Plan(long bodyLine, List<Segment> segments, String title, OwnFrontMatter own, List<String> warnings) {
    }

    private TextConversion() {
    }

    /** The text both passes read: a file, or its whole content when that is already in memory. */
    @FunctionalInterface
    interface Text {
        TextStream open(int pieceLimit) throws IOException;

        static Text of(Path file, byte[] whole) {
            return whole != null ? limit -> TextStream.of(whole, limit) : limit -> TextStream.open(file, limit);
        }
    }

    static Conversion markdown(Path file, byte[] whole, String stem) {
        return open(Text.of(file, whole), stem, true, Limits.DEFAULT);
    }

    static Conversion text(Path file, byte[] whole, String stem) {
        return open(Text.of(file, whole), stem, false, Limits.DEFAULT);
    }

    static Conversion open(Path file, String stem, boolean markdown, Limits limits) {
        return open(Text.of(file, null), stem, markdown, limits);
    }

    static Conversion open(Text text, String stem, boolean markdown, Limits limits) {
        Plan plan;
        try {
            plan = new Planner(limits, markdown).run(text);
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read file: " + Causes.oneLine(e), e);
        }
        String title = plan.title() != null ? plan.title() : stem;
        return new Conversion(title, Map.of(), plan.own(), plan.warnings(), out -> write(text, plan, limits, out));
    }

    /** The second pass: the body, segment by segment, as the plan says. */
    static void write(Text text, Plan plan, Limits limits, Appendable out) throws IOException {
        List<Segment> segments = plan.segments();
        try (TextStream in = text.open(limits.piece())) {
            long line = 0;
            boolean lineStart = true;
            int next = 0;
            Action action = Action.VERBATIM;
            StringBuilder section = new StringBuilder();
            ActiveLinks.Escaper escaper = null;
            StringBuilder escaped = new StringBuilder();
            for (String piece; (piece = in.next()) != null; ) {
                if (line >= plan.bodyLine()) {
                    if (lineStart && next < segments.size() && segments.get(next).firstLine() <= line) {
                        finish(action, section, out);
                        action = segments.get(next++).action();
                        escaper = action == Action.ESCAPE ? new ActiveLinks.Escaper() : null;
                    }
                    switch (action) {
                        case VERBATIM -> out.append(piece);
                        case NEUTRALISE -> section.append(piece);
                        case ESCAPE -> {
                            escaped.setLength(0);
                            escaper.escape(piece, escaped);
                            out.append(escaped);
                        }
                    }
                }
                lineStart = piece.endsWith("\n");
                if (lineStart) {
                    line++;
                }
            }
            finish(action, section, out);
        }
    }

    private static void finish(Action action, StringBuilder section, Appendable out) throws IOException {
        if (action == Action.NEUTRALISE) {
            out.append(ActiveLinks.neutralise(section.toString()));
            section.setLength(0);
            section.trimToSize();
        }
    }

    /**
     * The neutralising pass's parser without its inline parsing: the blocks alone, which is all a
     * cut needs, about five times faster (inlines neither open nor close a fence or HTML block).
     */
    private static final class BlockParser {
        static final Parser INSTANCE = Parser.builder()
                .customInlineParserFactory((options, special, delimiters, processors, linkRefs, extensions) ->
                        new InlineParserImpl(options, special, delimiters, processors, linkRefs, extensions) {
                            @Override
                            public void parse(BasedSequence input, Node node) {
                                // blocks only
                            }
                        })
                .build();
    }

    /** A piece of a line, and whether the first pass has already looked at it (it is read again). */
    private record Piece(String text, boolean seen) {
    }

    /** The first pass. */
    private static final class Planner {
        private final Limits limits;
        private final boolean markdown;
        private final List<String> warnings = new ArrayList<>();
        private final List<Segment> segments = new ArrayList<>();
        private final Deque<Piece> pending = new ArrayDeque<>();
        private MarkdownConversion.FirstHeading heading;
        private TextStream in;

        /** The line the next piece belongs to, and whether it starts that line. */
        private long line;
        private boolean lineStart = true;

        private enum Mode { SECTION, FENCE, OVERSIZED, UNCERTAIN }

        private Mode mode = Mode.SECTION;
        private long start;
        private final List<String> section = new ArrayList<>();
        private long sectionChars;
        private boolean sectionMayOpen;
        /** Past a verification that found a block still open, the next is tried this much later. */
        private long verifyAt;

        private final LineShape shape = new LineShape();
        private boolean previousBlank;
        private FenceEnd fenceEnd;
        private boolean stretchMayOpen;
        private ActiveLinks.Watch watch;
        private ActiveLinks.EditSyntax syntax;

        Planner(Limits limits, boolean markdown) {
            this.limits = limits;
            this.markdown = markdown;
        }

        Plan run(Text text) throws IOException {
            try (TextStream stream = text.open(limits.piece())) {
                in = stream;
                List<String> early = new ArrayList<>();
                long bodyLine = 0;
                String title = null;
                OwnFrontMatter own = OwnFrontMatter.NONE;
                if (markdown) {
                    heading = new MarkdownConversion.FirstHeading(TITLE_LINE);
                    Head head = head();
                    MarkdownConversion.FrontMatterPart fm =
                            MarkdownConversion.frontMatter(head.text, head.complete, limits.frontMatter(), early);
                    title = fm.title();
                    own = fm.own();
                    bodyLine = lines(head.text, fm.end());
                    long l = 0;
                    for (String p : head.pieces) {
                        if (l >= bodyLine) {
                            pending.add(new Piece(p, false));
                        }
                        if (p.endsWith("\n")) {
                            l++;
                        }
                    }
                    line = bodyLine;
                }
                start = bodyLine;
                body();
                if (title == null && heading != null) {
                    heading.end();
                    title = heading.title();
                }
                List<String> all = new ArrayList<>();
                if (stream.malformed()) {
                    all.add("invalid " + stream.charset().name() + " replaced with U+FFFD");
                }
                all.addAll(early);
                all.addAll(warnings);
                return new Plan(bodyLine, List.copyOf(segments), title, own, all);
            }
        }

        private record Head(String text, boolean complete, List<String> pieces) {
        }

        /** The file's first whole lines up to the front-matter limit, or all of it; the pieces read past them come after. */
        private Head head() throws IOException {
            List<String> pieces = new ArrayList<>();
            int chars = 0;
            boolean complete = false;
            while (chars < limits.frontMatter()) {
                String p = in.next();
                if (p == null) {
                    complete = true;
                    break;
                }
                pieces.add(p);
                chars += p.length();
            }
            if (!complete) {
                String p = in.next();
                if (p == null) {
                    complete = true;
                } else {
                    pieces.add(p);
                }
            }
            int whole = pieces.size();
            if (!complete) {
                while (whole > 0 && !pieces.get(whole - 1).endsWith("\n")) {
                    whole--;
                }
            }
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < whole; i++) {
                text.append(pieces.get(i));
            }
            return new Head(text.toString(), complete, pieces);
        }

        /** The index of the line that starts at {@code end} (the line after, when {@code end} ends a last line without newline). */
        private static long lines(String text, int end) {
            long n = 0;
            for (int i = 0; i < end; i++) {
                if (text.charAt(i) == '\n') {
                    n++;
                }
            }
            return end > 0 && text.charAt(end - 1) != '\n' ? n + 1 : n;
        }

        private Piece take() throws IOException {
            Piece p = pending.poll();
            if (p == null) {
                String s = in.next();
                if (s == null) {
                    return null;
                }
                p = new Piece(s, false);
            }
            if (!p.seen() && heading != null) {
                heading.feed(p.text());
            }
            return p;
        }

        private void body() throws IOException {
            for (Piece p; (p = take()) != null; ) {
                String text = p.text();
                boolean startsLine = lineStart;
                long at = line;
                if (startsLine) {
                    if (candidate(text) && cut(at, p)) {
                        continue; // pieces were handed back to be read again
                    }
                    shape.reset();
                }
                shape.feed(text);
                boolean ends = text.endsWith("\n");
                switch (mode) {
                    case SECTION -> {
                        section.add(text);
                        sectionChars += text.length();
                        if (ends && shape.mayOpen()) {
                            sectionMayOpen = true;
                        }
                        if (sectionChars > limits.cap() && overflow()) {
                            continue; // pieces were handed back to be read again
                        }
                    }
                    case FENCE -> {
                        fenceEnd.feed(text);
                        if (ends && fenceEnd.closes()) {
                            newSection(at + 1);
                        }
                    }
                    case OVERSIZED, UNCERTAIN -> {
                        watch.feed(text);
                        syntax.feed(text);
                        if (ends && shape.mayOpen()) {
                            stretchMayOpen = true;
                        }
                    }
                }
                if (ends) {
                    previousBlank = shape.blank();
                    line = at + 1;
                    lineStart = true;
                } else {
                    lineStart = false;
                }
            }
            long last = lineStart ? line : line + 1; // 1-based: the last line read
            switch (mode) {
                case SECTION -> emitSection(line + 1);
                case OVERSIZED -> emitStretch(false, last);
                case UNCERTAIN -> emitStretch(true, last);
                case FENCE -> { }
            }
        }

        /** After a blank line, a line starting in column 0 with a character no parser reads as indentation. */
        private boolean candidate(String text) {
            if (!previousBlank) {
                return false;
            }
            char c = text.charAt(0);
            return c > ' ' && !Character.isWhitespace(c) && !Character.isSpaceChar(c);
        }

        /** At a candidate line {@code at}: cuts if the mode allows; true when pieces were handed back. */
        private boolean cut(long at, Piece current) {
            switch (mode) {
                case SECTION -> {
                    if (sectionChars < limits.soft() || sectionChars < verifyAt) {
                        return false;
                    }
                    if (!sectionMayOpen) {
                        emitSection(at);
                        newSection(at);
                        return false;
                    }
                    String text = String.join("", section);
                    Open open = open(BlockParser.INSTANCE.parse(text), lastLineStart(text));
                    if (open == null) {
                        emitSection(text, at);
                        newSection(at);
                        return false;
                    }
                    if (open.topFence() != null) {
                        cutBeforeFence(text, open.topFence(), current);
                        return true;
                    }
                    verifyAt = sectionChars + limits.soft();
                    return false;
                }
                case OVERSIZED -> {
                    if (stretchMayOpen) {
                        mode = Mode.UNCERTAIN; // where a fence opened in it ends is unknown
                    } else {
                        emitStretch(false, at); // lines start..at-1, 1-based up to at
                        newSection(at);
                    }
                    return false;
                }
                default -> {
                    return false;
                }
            }
        }

        /** The section outgrew the cap: cut before a top-level fence it ends in, or carry on as an oversized stretch. */
        private boolean overflow() {
            if (sectionMayOpen) {
                String text = String.join("", section);
                int whole = text.lastIndexOf('\n') + 1;
                if (whole > 0) {
                    String lines = text.substring(0, whole);
                    Open open = open(BlockParser.INSTANCE.parse(lines), -1);
                    if (open != null && open.topFence() != null) {
                        cutBeforeFence(lines, open.topFence(), null);
                        return true;
                    }
                }
            }
            mode = Mode.OVERSIZED;
            stretchMayOpen = sectionMayOpen;
            watch = new ActiveLinks.Watch();
            syntax = new ActiveLinks.EditSyntax();
            for (String s : section) {
                watch.feed(s);
                syntax.feed(s);
            }
            section.clear();
            sectionChars = 0;
            return false;
        }

        /**
         * Ends the section before the line where {@code fence} opens, starts a verbatim segment
         * there, and hands back the section's lines after the fence's first one (then {@code
         * current}, if any) to be read again in search of the closing fence.
         */
        private void cutBeforeFence(String text, FencedCodeBlock fence, Piece current) {
            int offset = fence.getStartOffset();
            int lineStartOffset = text.lastIndexOf('\n', offset - 1) + 1;
            long fenceLine = start + lines(text, lineStartOffset);
            if (fenceLine > start) {
                emitSection(text.substring(0, lineStartOffset), fenceLine);
            }
            segments.add(new Segment(fenceLine, Action.VERBATIM));
            List<Piece> again = new ArrayList<>();
            long l = start;
            for (String s : section) {
                if (l > fenceLine) {
                    again.add(new Piece(s, true));
                }
                if (s.endsWith("\n")) {
                    l++;
                }
            }
            if (current != null) {
                again.add(new Piece(current.text(), true));
            }
            for (int i = again.size() - 1; i >= 0; i--) {
                pending.addFirst(again.get(i));
            }
            String marker = fence.getOpeningMarker().toString();
            fenceEnd = new FenceEnd(marker.charAt(0), marker.length());
            mode = Mode.FENCE;
            section.clear();
            sectionChars = 0;
            line = fenceLine + 1;
            lineStart = true;
            previousBlank = false;
        }

        private void newSection(long at) {
            mode = Mode.SECTION;
            start = at;
            section.clear();
            sectionChars = 0;
            sectionMayOpen = false;
            verifyAt = 0;
        }

        private void emitSection(long end) {
            emitSection(String.join("", section), end);
        }

        private void emitSection(String text, long end) {
            if (end > start || !text.isEmpty()) {
                segments.add(new Segment(start, hot(text) ? Action.NEUTRALISE : Action.VERBATIM));
            }
        }

        /** @param lastLine the stretch's last line, counted from 1 */
        private void emitStretch(boolean toEnd, long lastLine) {
            boolean escape = watch.hit() && (toEnd || syntax.hit());
            segments.add(new Segment(start, escape ? Action.ESCAPE : Action.VERBATIM));
            if (escape) {
                warnings.add((toEnd ? "from line " + (start + 1) + " to the end"
                        : "lines " + (start + 1) + "-" + lastLine)
                        + ", with no blank line to split at within " + limits.cap() / (1024 * 1024)
                        + " MiB, may hide a script link: written with [ ] < & and \\ escaped");
            }
        }

        /**
         * Whether neutralising could change {@code text}: it holds both what a script scheme could
         * hide in and the syntax every edit starts from. Else its parse is skipped: it would
         * find nothing to edit.
         */
        private static boolean hot(String text) {
            if (!ActiveLinks.mayHide(text)) {
                return false;
            }
            ActiveLinks.EditSyntax syntax = new ActiveLinks.EditSyntax();
            syntax.feed(text);
            return syntax.hit();
        }

        /** Where the last line of {@code text} starts (the blank line a candidate follows). */
        private static int lastLineStart(String text) {
            return text.lastIndexOf('\n', text.length() - 2) + 1;
        }

        /**
         * A block still open at the end of a parsed section, or null when none is: a fenced code
         * block without its closing fence, or an HTML block reaching into the final blank line
         * (the kinds a blank line does not end). {@code topFence} is set when the block is an
         * unclosed fence at the top level, which a cut before it can get around.
         */
        private record Open(FencedCodeBlock topFence) {
        }

        private static Open open(Node document, int blankLineStart) {
            for (Node n = document.getLastChild(); n != null; n = n.getLastChild()) {
                if (n instanceof FencedCodeBlock f && f.getClosingMarker().isEmpty()) {
                    return new Open(f.getParent() instanceof Document ? f : null);
                }
                if (n instanceof HtmlBlockBase && (blankLineStart < 0 || n.getEndOffset() > blankLineStart)) {
                    return new Open(null);
                }
            }
            return null;
        }
    }

    /**
     * What the first pass needs of a line's start, fed piece by piece: whether the line is blank
     * (spaces and tabs only), and whether it could open a fenced code block or an HTML block,
     * inside any containers: after spaces, tabs and the characters of quote and list markers
     * ({@code > * + - . )} and digits), a run of three {@code `} or {@code ~}, or a {@code <}.
     * That is more lines than do (a superset is what the check needs).
     */
    static final class LineShape {
        private boolean blank = true;
        private boolean decided;
        private boolean mayOpen;
        private char run;
        private int runLength;

        void reset() {
            blank = true;
            decided = false;
            mayOpen = false;
            run = 0;
            runLength = 0;
        }

        void feed(String piece) {
            for (int i = 0; i < piece.length(); i++) {
                char c = piece.charAt(i);
                if (c == '\n') {
                    break;
                }
                if (c != ' ' && c != '\t') {
                    blank = false;
                }
                if (decided) {
                    if (!blank) {
                        return;
                    }
                    continue;
                }
                if (c == '`' || c == '~') {
                    runLength = c == run ? runLength + 1 : 1;
                    run = c;
                    if (runLength >= 3) {
                        mayOpen = true;
                        decided = true;
                    }
                } else if (runLength > 0) {
                    decided = true;
                } else if (c == '<') {
                    mayOpen = true;
                    decided = true;
                } else if (!(c == ' ' || c == '\t' || c == '>' || c == '*' || c == '+' || c == '-' || c == '.'
                        || c == ')' || (c >= '0' && c <= '9'))) {
                    decided = true;
                }
            }
        }

        boolean blank() {
            return blank;
        }

        boolean mayOpen() {
            return mayOpen;
        }
    }

    /**
     * Whether a line closes a top-level fence opened by {@code length} times {@code c}: up to
     * three spaces, at least as many of the same character, then only spaces and tabs
     * (CommonMark's closing code fence).
     */
    static final class FenceEnd {
        private final char c;
        private final int length;
        private int indent;
        private int count;
        private boolean trailing;
        private boolean failed;

        FenceEnd(char c, int length) {
            this.c = c;
            this.length = length;
        }

        void feed(String piece) {
            for (int i = 0; i < piece.length() && !failed; i++) {
                char x = piece.charAt(i);
                if (x == '\n') {
                    break;
                }
                if (trailing) {
                    failed = x != ' ' && x != '\t';
                } else if (x == c) {
                    count++;
                } else if (count == 0 && x == ' ' && indent < 3) {
                    indent++;
                } else if (count >= length && (x == ' ' || x == '\t')) {
                    trailing = true;
                } else {
                    failed = true;
                }
            }
        }

        /** Whether the line just fed closes the fence; then starts over for the next line. */
        boolean closes() {
            boolean closes = !failed && count >= length;
            indent = 0;
            count = 0;
            trailing = false;
            failed = false;
            return closes;
        }
    }
}
