package dev.kb.core.convert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * The top-level entries of a YAML block mapping as the text that wrote them, so that some can be
 * left out and the rest kept byte for byte. Loading the YAML into values and writing them again
 * is what mangled a Markdown file's front matter: a YAML 1.1 reader turns {@code 01234} into 668,
 * {@code 1.10} into 1.1, {@code yes} into true, an alias into its anchor's name, and comments
 * vanish. Here SnakeYAML's parser only finds where each top-level key starts and where its value's
 * content ends (the events' marks); nothing is re-serialised.
 *
 * <p>An entry is whole lines: from its key's line to the last line holding its value's content,
 * plus the comment lines written directly above the key (column 0, no blank line between). Every
 * other line (blank lines, comments standing apart, comments after the last entry) belongs to no
 * entry and is always kept.
 *
 * <p>The events are read, not composed: composing resolves an alias to its anchor's node, whose
 * marks are where the anchor was written, not where the alias is; and a parser alone expands no
 * aliases, so no alias bomb costs more than its text.
 */
public final class YamlEntries {

    /** Why a block cannot be split into entries; the message completes "front matter …". */
    public static final class Unsplittable extends Exception {
        private static final long serialVersionUID = 1L;

        Unsplittable(String message) {
            super(message, null, false, false);
        }
    }

    /** What a top-level key's value is, as far as a caller may read it. */
    private record Value(String text, boolean isNull, boolean isScalar) {
        static final Value COLLECTION = new Value(null, false, false);

        static Value of(ScalarEvent s) {
            // Only a plain, untagged ~/null/empty is null: "~", '' and !!str ~ are text.
            boolean isNull = s.isPlain() && s.getTag() == null && NULLS.contains(s.getValue());
            return new Value(s.getValue(), isNull, true);
        }
    }

    /**
     * @param key          the key's text, or null when the key is not a scalar ({@code ? [a, b]})
     * @param from         char offset of the entry's first line (its attached comments included)
     * @param to           char offset just past its last line
     * @param aliasTargets indexes of the entries whose anchors this entry's aliases name
     */
    private record Entry(String key, int from, int to, Value value, Set<Integer> aliasTargets) {
    }

    /** YAML 1.1 and 1.2 core nulls, as a plain scalar writes them. */
    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

    private final String block;
    private final List<Entry> entries;

    private YamlEntries(String block, List<Entry> entries) {
        this.block = block;
        this.entries = entries;
    }

    /**
     * Splits {@code block}, the text of a YAML document made of whole lines (each ending in
     * {@code \n}), into its top-level entries. A block holding only comments and blank lines has no
     * entries.
     *
     * @throws Unsplittable when the block is not valid YAML, not a single mapping, or a mapping whose
     *                      entries are not whole lines starting at column 0 (a {@code {…}} flow
     *                      mapping, an indented mapping): kept whole, it is still the person's text
     */
    public static YamlEntries parse(String block) throws Unsplittable {
        Offsets offsets = new Offsets(block);
        List<Span> spans = new ArrayList<>();
        try {
            Parser parser = new ParserImpl(new StreamReader(block), new LoaderOptions());
            parser.getEvent(); // stream start
            if (parser.checkEvent(Event.ID.StreamEnd)) {
                return new YamlEntries(block, List.of()); // comments and blank lines only
            }
            parser.getEvent(); // document start
            Event root = parser.getEvent();
            if (!(root instanceof MappingStartEvent mapping)) {
                throw new Unsplittable("is not a YAML mapping");
            }
            if (mapping.isFlow()) {
                throw new Unsplittable("is a {...} flow mapping, not one key per line");
            }
            Anchors anchors = new Anchors();
            while (!parser.checkEvent(Event.ID.MappingEnd)) {
                Span span = new Span(spans.size());
                Event key = parser.getEvent();
                span.keyStart = offsets.of(key.getStartMark());
                span.key = key instanceof ScalarEvent s ? s.getValue() : null;
                readNode(parser, key, span, anchors, offsets);
                Event value = parser.getEvent();
                span.value = value instanceof ScalarEvent s ? Value.of(s)
                        : value instanceof AliasEvent a ? anchors.value(a.getAnchor()) : Value.COLLECTION;
                readNode(parser, value, span, anchors, offsets);
                spans.add(span);
            }
            parser.getEvent(); // mapping end
            parser.getEvent(); // document end
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                throw new Unsplittable("holds more than one YAML document");
            }
        } catch (YAMLException e) {
            throw new Unsplittable("is not valid YAML (" + problem(e) + ")");
        }
        return new YamlEntries(block, lines(block, spans));
    }

    /** SnakeYAML's one-line problem ("mapping values are not allowed here"), without the snippet. */
    static String problem(YAMLException e) {
        String why = e instanceof MarkedYAMLException m && m.getProblem() != null ? m.getProblem() : e.getMessage();
        return why == null ? e.getClass().getSimpleName() : why.strip().replaceAll("\\s+", " ");
    }

    /** A top-level entry while its events are read. */
    private static final class Span {
        final int index;
        String key;
        int keyStart;
        int contentEnd;
        Value value;
        final Set<Integer> aliasTargets = new TreeSet<>();

        Span(int index) {
            this.index = index;
        }
    }

    /** Which entry defined each anchor so far (a later anchor of the same name replaces it), and its value. */
    private static final class Anchors {
        final Map<String, Integer> owner = new HashMap<>();
        final Map<String, Value> value = new HashMap<>();

        Value value(String anchor) {
            return value.getOrDefault(anchor, Value.COLLECTION);
        }
    }

    /**
     * Consumes the rest of the node that {@code first} opens, noting in {@code span} the end of its
     * content and the anchors it defines and uses. A block collection's end event is marked where
     * the next token starts, below any comments in between, so only scalars, aliases and flow
     * collection brackets mark where content ends.
     */
    private static void readNode(Parser parser, Event first, Span span, Anchors anchors, Offsets offsets)
            throws Unsplittable {
        Deque<Boolean> open = new ArrayDeque<>(); // isFlow of each collection not yet closed
        Event e = first;
        while (true) {
            if (e instanceof AliasEvent alias) {
                Integer owner = anchors.owner.get(alias.getAnchor());
                if (owner == null) {
                    throw new Unsplittable("is not valid YAML (*" + alias.getAnchor() + " names no anchor)");
                }
                span.aliasTargets.add(owner);
            } else if (e instanceof NodeEvent node && node.getAnchor() != null) {
                anchors.owner.put(node.getAnchor(), span.index);
                anchors.value.put(node.getAnchor(), node instanceof ScalarEvent s ? Value.of(s) : Value.COLLECTION);
            }
            boolean content = e instanceof ScalarEvent || e instanceof AliasEvent;
            if (e instanceof CollectionStartEvent start) {
                open.push(start.isFlow());
                content = start.isFlow();
            } else if (e instanceof CollectionEndEvent) {
                content = open.pop();
            }
            if (content) {
                span.contentEnd = Math.max(span.contentEnd, offsets.of(e.getEndMark()));
            }
            if (open.isEmpty()) {
                return;
            }
            e = parser.getEvent();
        }
    }

    /** Turns each span into whole lines, with the column-0 comment lines directly above its key. */
    private static List<Entry> lines(String block, List<Span> spans) throws Unsplittable {
        List<Integer> starts = new ArrayList<>(); // char offset of each line
        starts.add(0);
        for (int i = block.indexOf('\n'); i >= 0 && i + 1 < block.length(); i = block.indexOf('\n', i + 1)) {
            starts.add(i + 1);
        }
        List<Entry> out = new ArrayList<>();
        int previousLast = -1;
        for (Span s : spans) {
            int first = lineOf(starts, s.keyStart);
            int last = lineOf(starts, Math.max(s.keyStart, s.contentEnd - 1));
            int lineStart = starts.get(first);
            if (first <= previousLast || lineStart < block.length() && Character.isWhitespace(block.charAt(lineStart))) {
                // An indented mapping, or two entries on one line (a U+2028 a YAML 1.1 reader breaks on):
                // cut into lines, some entry would lose part of itself or take part of another.
                throw new Unsplittable("is not one top-level key per line at column 0");
            }
            while (first - 1 > previousLast && block.startsWith("#", starts.get(first - 1))) {
                first--;
            }
            int to = last + 1 < starts.size() ? starts.get(last + 1) : block.length();
            out.add(new Entry(s.key, starts.get(first), to, s.value, Set.copyOf(s.aliasTargets)));
            previousLast = last;
        }
        return List.copyOf(out);
    }

    private static int lineOf(List<Integer> starts, int offset) {
        int i = Collections.binarySearch(starts, offset);
        return i >= 0 ? i : -i - 2;
    }

    /**
     * Marks count code points; the block is indexed by chars. Marks come in text order, so each is
     * found from the one before, not from the start: a long block with emoji stays linear.
     */
    private static final class Offsets {
        private final String text;
        private final boolean bmpOnly;
        private int codePoint;
        private int index;

        Offsets(String text) {
            this.text = text;
            this.bmpOnly = text.codePointCount(0, text.length()) == text.length();
        }

        int of(Mark mark) {
            if (bmpOnly) {
                return mark.getIndex();
            }
            index = text.offsetByCodePoints(index, mark.getIndex() - codePoint);
            codePoint = mark.getIndex();
            return index;
        }
    }

    /** The top-level keys in order; null for a key that is not a scalar. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(entries.size());
        entries.forEach(e -> keys.add(e.key()));
        return keys;
    }

    /**
     * The text of the value under the last {@code key} (YAML readers keep the last of duplicates),
     * an alias read as its anchor's value; empty when the key is absent, its value is null
     * ({@code ~}, {@code null}, nothing) or it is not a scalar.
     */
    public Optional<String> text(String key) {
        return last(key).map(Entry::value).filter(v -> v.isScalar() && !v.isNull()).map(Value::text);
    }

    /** Whether the value under the last {@code key} is a sequence or mapping. */
    public boolean holdsCollection(String key) {
        return last(key).map(e -> !e.value().isScalar()).orElse(false);
    }

    private Optional<Entry> last(String key) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (key.equals(entries.get(i).key())) {
                return Optional.of(entries.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * The block without the entries at the indexes in {@code drop} (as in {@link #keys()}): every
     * other line as written.
     *
     * @throws Unsplittable when a kept entry's alias names an anchor defined in a dropped one: the
     *                      rest would not be YAML
     */
    public String without(BitSet drop) throws Unsplittable {
        StringBuilder out = new StringBuilder(block.length());
        int pos = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (drop.get(i)) {
                out.append(block, pos, e.from());
                pos = e.to();
                continue;
            }
            for (int target : e.aliasTargets()) {
                if (drop.get(target)) {
                    throw new Unsplittable("has an alias under " + describe(e) + " to an anchor under "
                            + describe(entries.get(target)) + ", which is left out");
                }
            }
        }
        return out.append(block, pos, block.length()).toString();
    }

    private static String describe(Entry e) {
        return e.key() == null ? "a complex key" : "\"" + e.key() + "\"";
    }
}
