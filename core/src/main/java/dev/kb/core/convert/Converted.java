package dev.kb.core.convert;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document turned into Markdown.
 *
 * @param title    the document's title, never blank
 * @param markdown the body, without front matter
 * @param metadata extra front-matter values in insertion order (e.g. byline, excerpt, site_name,
 *                 pages); the caller writes its own keys first and skips any reserved key found here
 * @param ownFrontMatter a Markdown file's own front matter entries, as text to write verbatim
 *                 after kb's keys; {@link OwnFrontMatter#NONE} for other kinds
 * @param warnings one-line notes for the user about a conversion that worked but is doubtful
 */
public record Converted(String title, String markdown, Map<String, Object> metadata, OwnFrontMatter ownFrontMatter,
                        List<String> warnings) {

    public Converted {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(markdown, "markdown");
        Objects.requireNonNull(ownFrontMatter, "ownFrontMatter");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        warnings = List.copyOf(warnings);
    }

    /** A conversion whose front matter is only the values in {@code metadata} (HTML, PDF, text). */
    public Converted(String title, String markdown, Map<String, Object> metadata, List<String> warnings) {
        this(title, markdown, metadata, OwnFrontMatter.NONE, warnings);
    }
}
