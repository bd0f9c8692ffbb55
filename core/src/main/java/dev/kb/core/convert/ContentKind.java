package dev.kb.core.convert;

/** What a file's bytes are, as far as ingestion cares. Only supported kinds can be converted. */
public enum ContentKind {
    MARKDOWN("md", true, "Markdown"),
    TEXT("txt", true, "plain text"),
    HTML("html", true, "HTML"),
    PDF("pdf", true, "PDF"),
    JSON("json", false, "JSON"),
    IMAGE("img", false, "image"),
    BINARY("bin", false, "binary data");

    private final String extension;
    private final boolean supported;
    private final String label;

    ContentKind(String extension, boolean supported, String label) {
        this.extension = extension;
        this.supported = supported;
        this.label = label;
    }

    /** The file extension (no dot) for the raw copy of content of this kind. */
    public String extension() {
        return extension;
    }

    /** Whether {@link Converter} can turn this kind into Markdown. */
    public boolean supported() {
        return supported;
    }

    /** A short human name for messages, e.g. "image". */
    public String label() {
        return label;
    }
}
