package dev.kb.core.wiki;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.kb.core.convert.Conversion;
import dev.kb.core.convert.OwnFrontMatter;
import dev.kb.core.convert.YamlEntries;
import dev.kb.core.fs.Buffers;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML front matter for {@code wiki/sources/*.md}: kb's own keys first (title, source, sha256,
 * type, added), then the extras a converter found, then a Markdown file's own entries as it wrote
 * them; Obsidian-compatible ({@code ---} fenced).
 */
public final class FrontMatter {
    /** kb's own keys; the converters live below this package, so the set is theirs to hold. */
    public static final Set<String> RESERVED = OwnFrontMatter.KB_KEYS;

    private static final YAMLFactory YAML_FACTORY = YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .stringQuotingChecker(QuoteWhatResolvesToNonString.INSTANCE)
            .build();

    /** What the generator asks, with {@code ALWAYS_QUOTE_NUMBERS_AS_STRINGS}, of a value its checker leaves plain. */
    private static final Pattern PLAIN_NUMBER = Pattern.compile("[+-]?[0-9]*(\\.[0-9]*)?");

    /**
     * The data-binding mapper over the same factory, made on first use: pages are written with
     * the streaming generator ({@link #write}), and an ObjectMapper costs every {@code kb add}
     * its data-binding classes (some 15 ms of a command's start). Reading a page back
     * ({@link #fields}) and a value of a type {@link #write} does not know still use it.
     */
    static final class Mapper {
        static final ObjectMapper YAML = new ObjectMapper(YAML_FACTORY);
    }

    /**
     * Quotes every key and string value that a YAML reader would resolve to another type. Jackson's
     * default check (with ALWAYS_QUOTE_NUMBERS_AS_STRINGS) quotes the YAML 1.1 booleans, nulls and
     * plain decimals only: a title such as {@code 0x1F}, {@code 1e3}, {@code .inf}, {@code 1_000},
     * {@code 2026-01-01} or {@code <<} was written plain, and PyYAML or Obsidian read an int, a
     * float, a date or a merge key (an error) where the document had text.
     *
     * <p>The YAML 1.1 implicit types come from SnakeYAML's resolver, the one Jackson's YAML stack is
     * built on. The pattern adds the two forms it does not resolve: YAML 1.2 core schema's
     * {@code 0o} octal (an int to 1.2 readers) and YAML 1.1's {@code =} value type (PyYAML's safe
     * loader refuses the whole document over it).
     */
    static final class QuoteWhatResolvesToNonString extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;
        static final QuoteWhatResolvesToNonString INSTANCE = new QuoteWhatResolvesToNonString();
        private static final Resolver YAML_1_1 = new Resolver(); // read-only after construction
        private static final Pattern NOT_IN_RESOLVER = Pattern.compile("0o[0-7]+|=");

        @Override
        public boolean needToQuoteName(String name) {
            return super.needToQuoteName(name) || resolvesToNonString(name);
        }

        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || resolvesToNonString(value);
        }

        /**
         * What the resolver said of strings seen before: kb's keys, a batch's {@code type} and the
         * {@code added} of every page of the same second recur on every page, and the resolver's
         * patterns were a quarter of a page's front matter (34-44 us each on C1). A pure function of
         * the string, so any answer kept is right. At most {@link #REMEMBERED} are kept: a full memo
         * is emptied and refilled by what comes next (unique titles and hashes pass through it;
         * what recurs is back in it at once).
         */
        private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> SEEN =
                new java.util.concurrent.ConcurrentHashMap<>();
        static final int REMEMBERED = 1024;
        static final int REMEMBERED_LENGTH = 256;

        private static boolean resolvesToNonString(String plain) {
            if (longHex(plain)) {
                return false;
            }
            Boolean known = SEEN.get(plain);
            if (known != null) {
                return known;
            }
            boolean r = !Tag.STR.equals(YAML_1_1.resolve(NodeId.scalar, plain, true))
                    || NOT_IN_RESOLVER.matcher(plain).matches();
            if (plain.length() <= REMEMBERED_LENGTH) { // a 64 KB title is not worth holding
                if (SEEN.size() >= REMEMBERED) {
                    SEEN.clear();
                }
                SEEN.put(plain, r);
            }
            return r;
        }
    }

    /**
     * Whether {@code s} is a string that the YAML 1.1 resolver reads as a string, known without
     * running it: longer than 50 characters, only {@code [0-9a-f]}, with one of {@code a c d f}
     * in it (every page's {@code sha256}). The resolver's INT and FLOAT patterns, which have no
     * length limit, were most of a page's front-matter time for a hash that starts with a digit:
     * neither matches a string with any of those four letters (INT's only letters are the
     * {@code b} of {@code 0b} and the {@code x} of {@code 0x}; FLOAT's are {@code e}, and
     * {@code inf} and {@code nan} after a dot; the quoting rule's own {@code 0o} needs an
     * {@code o}), and every other pattern skips strings past 50
     * characters (BOOL, NULL and the rest past 10, TIMESTAMP past 50). {@code FrontMatterTest}
     * holds this to the resolver itself.
     */
    static boolean longHex(String s) {
        if (s.length() <= 50) {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'a' || c == 'c' || c == 'd' || c == 'f') {
                letter = true;
            } else if (!(c >= '0' && c <= '9') && c != 'b' && c != 'e') {
                return false;
            }
        }
        return letter;
    }

    /**
     * How much of a page's start holds its whole front matter: kb's keys and a converter's
     * extras, and a Markdown file's own front matter, which must close within its first 1 Mi
     * characters (up to 3 bytes each in UTF-8). Readers of front matter read no more.
     */
    public static final int PAGE_HEAD_LIMIT = 4 << 20;

    private FrontMatter() {
    }

    /**
     * The {@code added} of a document: for an update (a row already registered under the same
     * source), that row's {@code added_at}, which the registry keeps on update; otherwise now.
     * Without this, re-adding changed content made an old document's front matter claim it was
     * added at the update, contradicting the registry. The row comes from the read-only look-up
     * at prepare time: if another writer registers the same source before this one commits, the
     * commit becomes an update while this front matter carries its own prepare time.
     */
    public static String added(Optional<DocumentRow> existing) {
        return existing.map(r -> seconds(r.addedAt()))
                .orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /** The registry keeps nanoseconds; the front matter shows seconds, as for a new document. */
    private static String seconds(String isoInstant) {
        try {
            return Instant.parse(isoInstant).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return isoInstant; // not written by kb: shown as stored rather than replaced by now
        }
    }

    public static String render(String title, String source, String sha256, String type, String added,
                                Map<String, Object> extras) {
        return render(title, source, sha256, type, added, extras, OwnFrontMatter.NONE);
    }

    /**
     * kb's keys, then the converter's {@code extras} (skipping kb's keys and any key {@code own}
     * holds), then {@code own}'s text as the file wrote it. The own entries are never re-read as
     * values: re-reading is what turned a file's {@code zip: 01234} into 668.
     */
    public static String render(String title, String source, String sha256, String type, String added,
                                Map<String, Object> extras, OwnFrontMatter own) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", title);
        m.put("source", source);
        if (sha256 != null) {
            m.put("sha256", sha256); // absent where the hash is of this very file (a cloud import)
        }
        m.put("type", type);
        m.put("added", added);
        if (extras != null) {
            extras.forEach((k, v) -> {
                if (v != null && !RESERVED.contains(k) && !own.keys().contains(k)) {
                    m.put(k, v);
                }
            });
        }
        try {
            return "---\n" + yaml(m) + own.text() + "---\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("front matter value cannot be written as YAML: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code m} as YAML, byte for byte what {@link Mapper#YAML} writes of it (FrontMatterTest). */
    static String yaml(Map<String, Object> m) throws JsonProcessingException {
        String plain = flat(m);
        if (plain != null) {
            return plain;
        }
        if (!known(m)) {
            return Mapper.YAML.writeValueAsString(m);
        }
        java.io.StringWriter out = new java.io.StringWriter(256);
        try (com.fasterxml.jackson.core.JsonGenerator g = YAML_FACTORY.createGenerator(out)) {
            write(g, m);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    /**
     * The front matter of most pages, written without the YAML emitter, or null. SnakeYAML's
     * emitter (its scalar analysis and state machine) was a tenth of the CPU of a bulk add of
     * Markdown files, for five lines such as {@code title: tar}. Taken only for a flat map of text
     * whose keys and values hold nothing but letters, digits, spaces and {@code _./+-}, and colons
     * not followed by a space, starting with a letter, a digit, {@code /} or {@code _}, not
     * ending in a space or a colon, and not a zero followed by digits and underscores: the emitter writes such a scalar plain, or between double
     * quotes with nothing escaped, and writes a flat block mapping as {@code key: value} lines.
     * Which of the two each one gets is asked of what the generator asks (the quoting checker,
     * then the plain-number pattern for a value), so the text is the generator's byte for byte
     * (FrontMatterTest compares the two on random text). Anything else goes to the generator.
     */
    private static String flat(Map<String, Object> m) {
        if (m.isEmpty()) {
            return null; // the generator writes {}
        }
        StringBuilder out = new StringBuilder(256);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            String k = e.getKey();
            if (!(e.getValue() instanceof String v) || k == null || k.length() >= MAX_SIMPLE_KEY || !simple(k)
                    || !simple(v)) {
                return null;
            }
            scalar(out, k, QuoteWhatResolvesToNonString.INSTANCE.needToQuoteName(k));
            out.append(':').append(' ');
            scalar(out, v, QuoteWhatResolvesToNonString.INSTANCE.needToQuoteValue(v) || PLAIN_NUMBER.matcher(v).matches());
            out.append('\n');
        }
        return out.toString();
    }

    /** SnakeYAML writes a longer key as an explicit {@code ? key} entry. */
    private static final int MAX_SIMPLE_KEY = 128;

    private static void scalar(StringBuilder out, String s, boolean quoted) {
        if (quoted) {
            out.append('"').append(s).append('"');
        } else {
            out.append(s);
        }
    }

    /** See {@link #flat}: text the emitter writes as it is, plain or quoted. */
    static boolean simple(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        char first = s.charAt(0);
        if (!(letterOrDigit(first) || first == '/' || first == '_')) {
            return false;
        }
        char last = s.charAt(n - 1);
        if (last == ' ' || last == ':' || leadingZero(s)) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (letterOrDigit(c) || c == ' ' || c == '_' || c == '.' || c == '/' || c == '+' || c == '-') {
                continue;
            }
            if (c != ':' || s.charAt(i + 1) == ' ') { // i + 1 < n: the last is not a colon
                return false;
            }
        }
        return true;
    }

    /** {@code 0_}, {@code 007}: the emitter quotes these itself, whatever it was asked for. */
    private static boolean leadingZero(String s) {
        if (s.length() < 2 || s.charAt(0) != '0') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** Whether {@code v} holds only what {@link #write} knows: text, whole numbers, booleans, lists and maps of them. */
    private static boolean known(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte) {
            return true;
        }
        if (v instanceof Map<?, ?> map) {
            return map.entrySet().stream().allMatch(e -> e.getKey() instanceof String && known(e.getValue()));
        }
        return v instanceof java.util.List<?> list && list.stream().allMatch(FrontMatter::known);
    }

    /** Writes a value {@link #known} accepts, as the mapper would. */
    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String t) {
            g.writeString(t);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof java.util.List<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeNumber(((Number) v).longValue());
        }
    }

    /**
     * Why a wiki page is not the page of a document with {@code sha256}, or empty when it is: it
     * has no front matter, the front matter is not YAML, or its {@code sha256} is another one (the
     * page of other content, or cut short by something outside kb). A page edited below its front
     * matter is still its document's page: only what kb wrote at the top is checked.
     */
    public static Optional<String> damage(String page, String sha256) {
        if (!page.startsWith("---\n")) {
            return Optional.of("it has no front matter");
        }
        int end = page.indexOf("\n---\n", 3);
        if (end < 0) {
            return Optional.of("its front matter is not closed");
        }
        // Read with the parser that split the file's own front matter, not loaded as a whole: the
        // person's entries kept below kb's (complex keys, custom tags, many aliases) are valid YAML
        // a loader may still refuse, and that must not make a page kb wrote look damaged.
        Optional<String> sha;
        try {
            sha = YamlEntries.parse(page.substring(4, end + 1)).text("sha256");
        } catch (YamlEntries.Unsplittable e) {
            return Optional.of("its front matter is not readable YAML");
        }
        if (!sha.map(sha256::equals).orElse(false)) {
            return Optional.of("its front matter names " + (sha.isEmpty() ? "no sha256" : "another sha256"));
        }
        return Optional.empty();
    }

    /** Why a page has no front matter that can be read; the message completes "the page ...". */
    public static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The front matter of a page (the text from its start through the closing {@code ---} line is
     * enough), as YAML read it: kb's keys and the extras.
     *
     * @throws Unreadable when it has none, it is not closed, or it is not a YAML mapping
     */
    public static Map<String, Object> fields(String page) throws Unreadable {
        if (!page.startsWith("---\n")) {
            throw new Unreadable("it has no front matter");
        }
        int end = page.indexOf("\n---\n", 3);
        if (end < 0) {
            throw new Unreadable("its front matter is not closed");
        }
        Map<String, Object> m;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = Mapper.YAML.readValue(page.substring(4, end + 1), Map.class);
            m = read;
        } catch (java.io.IOException | RuntimeException e) {
            m = null;
        }
        if (m == null) { // an empty front matter reads as null
            throw new Unreadable("its front matter is not readable YAML");
        }
        return m;
    }

    /**
     * {@link #document} written into {@code ch} as the body is produced, never holding it: the
     * same bytes, the body stripped of leading and trailing whitespace as {@link String#strip}
     * does. Trailing whitespace is written, then cut off by truncating the file, since how much
     * of it is trailing is known only at the end.
     */
    public static void writeDocument(FileChannel ch, String frontMatter, Conversion.Body body) throws IOException {
        StrippedBody out = new StrippedBody(ch);
        out.raw(frontMatter + "\n");
        out.bodyStarts();
        body.writeTo(out);
        out.finish();
    }

    /** The front matter followed by the body, separated by one blank line, ending in a newline. */
    public static String document(String frontMatter, String body) {
        String b = body == null ? "" : body.strip();
        return frontMatter + "\n" + b + (b.isEmpty() ? "" : "\n");
    }

    /** UTF-8 into a file channel, skipping the body's leading whitespace and cutting its trailing whitespace at the end. */
    private static final class StrippedBody implements Appendable {
        private final FileChannel ch;
        /** Grown from 4 KB to 64 KB as the page needs: most pages fit the first (see {@link Buffers}). */
        private ByteBuffer buffer = ByteBuffer.allocate(4 * 1024);
        private long written;
        private boolean started;
        /** Where the body's last non-whitespace character ends, in bytes from the file's start. */
        private long keep;
        /** A high surrogate held back until its low half comes: encoded alone, a pair would become "??". */
        private char pendingHigh;

        StrippedBody(FileChannel ch) {
            this.ch = ch;
        }

        void raw(String s) throws IOException {
            put(s.getBytes(StandardCharsets.UTF_8));
        }

        void bodyStarts() {
            keep = written + buffer.position();
        }

        @Override
        public Appendable append(CharSequence cs) throws IOException {
            return append(cs, 0, cs.length());
        }

        @Override
        public Appendable append(CharSequence cs, int from, int to) throws IOException {
            StringBuilder s = new StringBuilder(to - from + 1);
            if (pendingHigh != 0) {
                s.append(pendingHigh);
                pendingHigh = 0;
            }
            s.append(cs, from, to);
            int start = 0;
            if (!started) {
                while (start < s.length() && Character.isWhitespace(s.charAt(start))) {
                    start++;
                }
                if (start == s.length()) {
                    return this;
                }
                started = true;
            }
            int end = s.length();
            if (Character.isHighSurrogate(s.charAt(end - 1))) {
                pendingHigh = s.charAt(--end);
            }
            int kept = end;
            long trailing = 0;
            while (kept > start && Character.isWhitespace(s.charAt(kept - 1))) {
                char c = s.charAt(--kept);
                trailing += c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // whitespace is never a surrogate
            }
            put(s.substring(start, end).getBytes(StandardCharsets.UTF_8));
            if (kept > start) {
                keep = written + buffer.position() - trailing;
            }
            return this;
        }

        @Override
        public Appendable append(char c) throws IOException {
            return append(String.valueOf(c));
        }

        void finish() throws IOException {
            if (pendingHigh != 0) {
                char c = pendingHigh;
                pendingHigh = 0;
                put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                keep = written + buffer.position();
            }
            if (written == 0) {
                // all of the page is still in the buffer (most pages): cut its trailing whitespace
                // there and write it once, without the truncate and the second write
                buffer.position((int) keep);
                if (started) {
                    put(new byte[] {'\n'});
                }
                flush();
                return;
            }
            flush();
            ch.truncate(keep);
            ch.position(keep);
            if (started) {
                put(new byte[] {'\n'});
                flush();
            }
        }

        private void put(byte[] bytes) throws IOException {
            int off = 0;
            while (off < bytes.length) {
                int n = Math.min(buffer.remaining(), bytes.length - off);
                buffer.put(bytes, off, n);
                off += n;
                if (!buffer.hasRemaining()) {
                    if (buffer.capacity() < Buffers.MAX) {
                        buffer = ByteBuffer.allocate(buffer.capacity() * 4).put(buffer.flip());
                    } else {
                        flush();
                    }
                }
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                written += ch.write(buffer);
            }
            buffer.clear();
        }
    }
}
