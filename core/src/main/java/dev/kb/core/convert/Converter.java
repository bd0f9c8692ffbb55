package dev.kb.core.convert;

import dev.kb.core.KbException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Turns a file of original bytes into Markdown plus metadata. Pure apart from scratch files in
 * the given directory, which are gone again when a call returns or throws; safe to call from
 * several threads at once, and meant to run before any lock is taken.
 *
 * <p>Every failure is a {@link KbException} of kind INPUT_FAILED whose message is one line naming
 * only the cause ("PDF is encrypted"); the caller prefixes the input's name.
 *
 * <p>Whatever the kind, the Markdown that comes out holds no active link or image with a script
 * scheme ({@code javascript:}, {@code vbscript:}, {@code data:}): see {@link ActiveLinks}.
 */
public final class Converter {

    private Converter() {
    }

    /**
     * @param kind         what {@link Sniffer} found; an unsupported kind fails the input
     * @param file         the original bytes
     * @param fileNameStem the file name without extension: the title of last resort
     * @param baseUri      the page's URL, against which relative links in HTML are made absolute;
     *                     null for a local file
     * @param scratchDir   an existing directory for temporary files (PDF parsing buffers)
     */
    public static Converted convert(ContentKind kind, Path file, String fileNameStem, String baseUri, Path scratchDir) {
        return convert(kind, file, fileNameStem, baseUri, null, DEFAULT_TIMEOUT, scratchDir);
    }

    /** How long converting one document may take unless the caller says ({@code --timeout}'s default). */
    public static final Duration DEFAULT_TIMEOUT = ConversionDeadline.DEFAULT;

    /**
     * @param contentType the declared type (HTTP Content-Type): for HTML its charset counts; null for a file
     * @param timeout     how long the conversion may take; past it the input fails
     */
    public static Converted convert(ContentKind kind, Path file, String fileNameStem, String baseUri,
                                    String contentType, Duration timeout, Path scratchDir) {
        if (kind == ContentKind.MARKDOWN || kind == ContentKind.TEXT || kind == ContentKind.PDF) {
            return open(kind, file, fileNameStem, baseUri, contentType, timeout, scratchDir).toConverted();
        }
        return inMemory(kind, file, fileNameStem, baseUri, contentType, timeout, scratchDir);
    }

    /**
     * The conversion of {@code file} for its page, with the body written when asked: for Markdown,
     * text and PDF, read again from {@code file} as it is written (a PDF page by page, with its
     * buffers in {@code scratchDir}), so both must stay until then, and memory stays bounded
     * whatever the file's size (README, "Large files").
     */
    public static Conversion open(ContentKind kind, Path file, String fileNameStem, String baseUri,
                                  String contentType, Duration timeout, Path scratchDir) {
        return open(kind, file, null, fileNameStem, baseUri, contentType, timeout, scratchDir);
    }

    /**
     * The same, given {@code whole}: the file's entire content when the caller already holds it
     * (a small file's copy), or null. Markdown and text then read it from memory instead of
     * opening the file twice more (one open, read and close per pass, on every page of a bulk add).
     */
    public static Conversion open(ContentKind kind, Path file, byte[] whole, String fileNameStem, String baseUri,
                                  String contentType, Duration timeout, Path scratchDir) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fileNameStem, "fileNameStem");
        return switch (kind) {
            case MARKDOWN -> TextConversion.markdown(file, whole, fileNameStem);
            case TEXT -> TextConversion.text(file, whole, fileNameStem);
            case PDF -> PdfConversion.open(file, fileNameStem, Objects.requireNonNull(scratchDir, "scratchDir"));
            default -> Conversion.of(inMemory(kind, file, fileNameStem, baseUri, contentType, timeout, scratchDir));
        };
    }

    private static Converted inMemory(ContentKind kind, Path file, String fileNameStem, String baseUri,
                                      String contentType, Duration timeout, Path scratchDir) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fileNameStem, "fileNameStem");
        Converted c = switch (kind) {
            case HTML -> HtmlConversion.convert(file, fileNameStem, baseUri, contentType, timeout);
            case MARKDOWN, TEXT, PDF -> throw new IllegalStateException(kind + " is converted as a stream, by open()");
            case JSON, IMAGE, BINARY -> throw KbException.inputFailed("unsupported content: " + kind.label());
        };
        String markdown = ActiveLinks.neutralise(c.markdown());
        return markdown.equals(c.markdown()) ? c : new Converted(c.title(), markdown, c.metadata(), c.warnings());
    }

    /** As {@link #convert(ContentKind, Path, String, String, Path)}, refusing unsupported content with its detail. */
    public static Converted convert(Sniffed sniffed, Path file, String fileNameStem, String baseUri, Path scratchDir) {
        return convert(sniffed.requireSupported().kind(), file, fileNameStem, baseUri, scratchDir);
    }

    /** As {@link #open(ContentKind, Path, byte[], String, String, String, Duration, Path)}, refusing unsupported content. */
    public static Conversion open(Sniffed sniffed, Path file, byte[] whole, String fileNameStem, String baseUri,
                                  String contentType, Duration timeout, Path scratchDir) {
        return open(sniffed.requireSupported().kind(), file, whole, fileNameStem, baseUri, contentType, timeout,
                scratchDir);
    }

    /** As {@link #convert(ContentKind, Path, String, String, String, Duration, Path)}, refusing unsupported content. */
    public static Converted convert(Sniffed sniffed, Path file, String fileNameStem, String baseUri, String contentType,
                                    Duration timeout, Path scratchDir) {
        return convert(sniffed.requireSupported().kind(), file, fileNameStem, baseUri, contentType, timeout, scratchDir);
    }
}
