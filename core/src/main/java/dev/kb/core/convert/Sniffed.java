package dev.kb.core.convert;

import dev.kb.core.KbException;
import java.util.Objects;

/**
 * The result of sniffing: the kind, and for some kinds the precise format the bytes showed
 * ("PNG", "gzip", "UTF-16"), so that a refusal can say what was actually found.
 *
 * @param kind   what the content is
 * @param detail the detected format within the kind, or null when the kind says it all
 */
public record Sniffed(ContentKind kind, String detail) {

    public Sniffed {
        Objects.requireNonNull(kind, "kind");
    }

    static Sniffed of(ContentKind kind) {
        return new Sniffed(kind, null);
    }

    static Sniffed of(ContentKind kind, String detail) {
        return new Sniffed(kind, detail);
    }

    public boolean supported() {
        return kind.supported();
    }

    /** The extension (no dot) for the raw copy: the detected format's when known, e.g. "png". */
    public String extension() {
        if (kind == ContentKind.IMAGE && detail != null) {
            return switch (detail) {
                case "JPEG" -> "jpg";
                default -> detail.toLowerCase(java.util.Locale.ROOT);
            };
        }
        return kind.extension();
    }

    /** "image (PNG)", "JSON", "binary data (gzip)". */
    public String label() {
        return detail == null ? kind.label() : kind.label() + " (" + detail + ")";
    }

    /**
     * Throws the one-line input failure for unsupported content ("unsupported content: image
     * (PNG)"), so callers refuse an input before they take the lock or stage anything.
     */
    public Sniffed requireSupported() {
        if (!supported()) {
            throw KbException.inputFailed("unsupported content: " + label());
        }
        return this;
    }
}
