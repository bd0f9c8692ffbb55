package dev.kb.core.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document converted for its page: what the front matter needs, known at once, and the body,
 * written when asked. A Markdown or text file's body is read again from its file and converted
 * as it is written ({@link TextConversion}), so a file of any size costs bounded memory; an HTML
 * or PDF body is a string (those kinds have size limits).
 *
 * <p>Whatever the kind, the body written holds no active link or image with a script scheme
 * (see {@link ActiveLinks}).
 */
public final class Conversion implements AutoCloseable {

    /** Writes the body (without front matter, not stripped) to {@code out}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Appendable out) throws IOException;
    }

    private final String title;
    private final Map<String, Object> metadata;
    private final OwnFrontMatter ownFrontMatter;
    private final List<String> warnings;
    private final Body body;
    /** What the body is read from while it is open (a loaded PDF); null when nothing is held. */
    private final AutoCloseable source;

    Conversion(String title, Map<String, Object> metadata, OwnFrontMatter ownFrontMatter, List<String> warnings,
               Body body) {
        this(title, metadata, ownFrontMatter, warnings, body, null);
    }

    private Conversion(String title, Map<String, Object> metadata, OwnFrontMatter ownFrontMatter,
                       List<String> warnings, Body body, AutoCloseable source) {
        this.title = Objects.requireNonNull(title, "title");
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.ownFrontMatter = Objects.requireNonNull(ownFrontMatter, "ownFrontMatter");
        this.warnings = List.copyOf(warnings);
        this.body = Objects.requireNonNull(body, "body");
        this.source = source;
    }

    /** A conversion whose body is read from {@code source}, held open until {@link #close}. */
    static Conversion closing(String title, Map<String, Object> metadata, OwnFrontMatter ownFrontMatter,
                              List<String> warnings, Body body, AutoCloseable source) {
        return new Conversion(title, metadata, ownFrontMatter, warnings, body, source);
    }

    /**
     * A conversion known from elsewhere (a cache) rather than made here: what the front matter
     * needs, and the body as {@code body} writes it.
     */
    public static Conversion known(String title, Map<String, Object> metadata, OwnFrontMatter ownFrontMatter,
                                   List<String> warnings, Body body) {
        return new Conversion(title, metadata, ownFrontMatter, warnings, body);
    }

    static Conversion of(Converted c) {
        return new Conversion(c.title(), c.metadata(), c.ownFrontMatter(), c.warnings(), out -> out.append(c.markdown()));
    }

    /** The document's title, never blank. */
    public String title() {
        return title;
    }

    /** Extra front-matter values (see {@link Converted#metadata}). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** A Markdown file's own front matter entries (see {@link Converted#ownFrontMatter}). */
    public OwnFrontMatter ownFrontMatter() {
        return ownFrontMatter;
    }

    /** One-line notes for the user about a conversion that worked but is doubtful. */
    public List<String> warnings() {
        return warnings;
    }

    /** Writes the body to {@code out}; a failure to read the file again is an input failure. */
    public void writeBody(Appendable out) throws IOException {
        body.writeTo(out);
    }

    /**
     * Lets go of what the body is read from (a loaded PDF and its scratch files), whether or not
     * the body was written; idempotent, never throws.
     */
    @Override
    public void close() {
        if (source != null) {
            try {
                source.close();
            } catch (Exception ignored) {
                // only ever read from: nothing is lost, and its scratch files go with the staging area
            }
        }
    }

    /** The whole body as one string: for tests and small documents, never for a file of any size. */
    Converted toConverted() {
        StringBuilder b = new StringBuilder();
        try (this) {
            writeBody(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Converted(title, b.toString(), metadata, ownFrontMatter, warnings);
    }
}
