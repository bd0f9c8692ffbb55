package dev.kb.core.input;

import dev.kb.core.convert.ContentKind;
import dev.kb.core.convert.Conversion;
import dev.kb.core.convert.Converter;
import dev.kb.core.convert.OwnFrontMatter;
import dev.kb.core.convert.Sniffed;
import dev.kb.core.convert.Sniffer;
import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Bridges staged raw bytes to the converters: the bytes decide the type, then they are converted. */
final class RawConversion {
    /** Local files kb looks at in a directory walk; anything else is reported and skipped. */
    static final Set<String> SUPPORTED_EXTENSIONS = Set.of("md", "markdown", "txt", "html", "htm", "pdf");

    /** The kind found and the conversion; a Markdown or text body is read from the raw file again when the page is staged. */
    record Result(String type, String extension, Conversion conversion) {
        String title() {
            return conversion.title();
        }

        Map<String, Object> metadata() {
            return conversion.metadata();
        }

        OwnFrontMatter ownFrontMatter() {
            return conversion.ownFrontMatter();
        }

        List<String> warnings() {
            return conversion.warnings();
        }
    }

    private RawConversion() {
    }

    /**
     * @param contentType the declared type (HTTP Content-Type), or null; it only breaks ties
     * @param baseUri     for HTML: the page's final URL, or null for a local file
     */
    static Result convert(Path raw, String fileName, String contentType, String baseUri, String stem,
                          StagingArea staging) throws IOException {
        return convert(raw, fileName, contentType, baseUri, stem, Converter.DEFAULT_TIMEOUT, staging);
    }

    /** @param timeout how long converting may take ({@code --timeout} for a URL) */
    static Result convert(Path raw, String fileName, String contentType, String baseUri, String stem, Duration timeout,
                          StagingArea staging) throws IOException {
        Sniffed sniffed = Sniffer.sniff(raw, contentType, fileName).requireSupported();
        // Only PDF parsing spills to scratch files. Making and removing a folder for every text
        // file costs more than converting it: each removed inode slows later file creation.
        Path scratch = sniffed.kind() == ContentKind.PDF ? staging.newDirectory(".scratch") : null;
        try {
            Conversion c = Converter.open(sniffed, raw, stem, baseUri, contentType, timeout, scratch);
            return new Result(typeName(sniffed.kind()), sniffed.extension(), c);
        } finally {
            if (scratch != null) {
                Sweeper.deleteTree(scratch, FileOps.REAL);
            }
        }
    }

    /**
     * Stages the page: {@code frontMatter}, then the body streamed from the conversion (for
     * Markdown and text, converted from the raw file as it is written), and forces it.
     */
    static Path stagePage(StagingArea staging, String frontMatter, Result c) throws IOException {
        return staging.write(KnowledgeBase.PAGE_EXTENSION,
                ch -> FrontMatter.writeDocument(ch, frontMatter, c.conversion()::writeBody));
    }

    /** The registry's and the front matter's {@code type}. */
    static String typeName(ContentKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
