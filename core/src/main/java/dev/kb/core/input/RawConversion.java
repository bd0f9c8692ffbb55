package dev.kb.core.input;

import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.convert.ContentKind;
import dev.kb.core.convert.Conversion;
import dev.kb.core.convert.Converter;
import dev.kb.core.convert.OwnFrontMatter;
import dev.kb.core.convert.Sniffed;
import dev.kb.core.convert.Sniffer;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.PageOrigin;
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

    /** The kind found and the conversion; a Markdown, text or PDF body is read from the raw file again as the page is staged. */
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
     * A page staged from raw bytes, what the conversion found, and how the page was made when it
     * is an HTML or PDF conversion of known bytes (else null): committed with its row.
     */
    record Page(Path staged, Result conversion, PageOrigin origin) {
        Page(Path staged, Result conversion) {
            this(staged, conversion, null);
        }
    }

    /** The front matter of a page, from what its conversion found. */
    @FunctionalInterface
    interface FrontMatterOf {
        String of(Result conversion);
    }

    /**
     * Converts {@code raw} and stages its page: the front matter {@code frontMatter} makes, then
     * the body, streamed (for Markdown, text and PDF, converted from {@code raw} as it is
     * written), forced. With caches, an HTML or PDF conversion of the same bytes, inputs and
     * converter is taken from them instead, and one made here is stored in them
     * ({@link CachedConversion}); the page is the same byte for byte either way. An HTML or PDF
     * page of known bytes comes with its {@link PageOrigin}, cache or not, so that the KB it is
     * committed to can serve it to others as a conversion ({@code kb:PATH}).
     *
     * @param rawSha256   hex SHA-256 of {@code raw}, or null (then no cache is asked)
     * @param contentType the declared type (HTTP Content-Type), or null; it only breaks ties
     * @param baseUri     for HTML: the page's final URL, or null for a local file
     * @param timeout     how long converting may take ({@code --timeout} for a URL)
     * @param caches      the run's caches, or null
     */
    static Page stage(Path raw, String rawSha256, String fileName, String contentType, String baseUri, String stem,
                      Duration timeout, StagingArea staging, SourceCaches caches, FrontMatterOf frontMatter)
            throws IOException {
        return stage(raw, null, rawSha256, fileName, contentType, baseUri, stem, timeout, staging, caches, frontMatter);
    }

    /**
     * The same, given {@code copy}, the copy that made {@code raw} (or null): the sniffer reads its
     * head (the first {@link Sniffer#HEAD_SIZE} bytes) rather than the file, and a file the head
     * holds whole ({@link Hashing.Copy#whole}) is converted from those bytes.
     */
    static Page stage(Path raw, Hashing.Copy copy, String rawSha256, String fileName, String contentType,
                      String baseUri, String stem, Duration timeout, StagingArea staging, SourceCaches caches,
                      FrontMatterOf frontMatter) throws IOException {
        byte[] head = copy == null ? null : copy.head();
        byte[] whole = copy == null ? null : copy.whole();
        Sniffed sniffed = (head != null ? Sniffer.sniff(head, head.length, contentType, fileName)
                : Sniffer.sniff(raw, contentType, fileName)).requireSupported();
        String type = typeName(sniffed.kind());
        boolean keyed = rawSha256 != null && CachedConversion.worthCaching(sniffed.kind());
        CacheKey key = null;
        if (keyed && caches != null) {
            key = CachedConversion.key(rawSha256, fileName, contentType, baseUri, stem);
            Page hit = CachedConversion.lookup(caches, key, type, sniffed.extension(), staging, frontMatter);
            if (hit != null) {
                // the entry was stored under this very key: its page is the one converting makes
                return new Page(hit.staged(), hit.conversion(), PageOrigins.of(key, hit.staged(),
                        CachedConversion.fields(hit.conversion())));
            }
        } else if (keyed) {
            CodeFingerprint.prefetchConverters(); // the key is needed once the page is made
        }
        // Only PDF parsing spills to scratch files. Making and removing a folder for every text
        // file costs more than converting it: each removed inode slows later file creation.
        Path scratch = sniffed.kind() == ContentKind.PDF ? staging.newDirectory(".scratch") : null;
        Result r;
        String fm;
        Path page;
        try {
            try (Conversion c = Converter.open(sniffed, raw, whole, stem, baseUri, contentType, timeout, scratch)) {
                r = new Result(type, sniffed.extension(), c);
                fm = frontMatter.of(r);
                page = staging.write(KnowledgeBase.PAGE_EXTENSION, ch -> FrontMatter.writeDocument(ch, fm, c::writeBody));
            }
        } finally {
            if (scratch != null) {
                Sweeper.deleteTree(scratch, FileOps.REAL); // after the body: a PDF's is extracted as it is written
            }
        }
        if (!keyed) {
            return new Page(page, r);
        }
        if (key == null) {
            key = CachedConversion.key(rawSha256, fileName, contentType, baseUri, stem);
        } else {
            CachedConversion.store(caches, key, r, fm, page, staging);
        }
        return new Page(page, r, PageOrigins.of(key, page, CachedConversion.fields(r)));
    }

    /** Without caches. */
    static Page stage(Path raw, String fileName, String contentType, String baseUri, String stem, Duration timeout,
                      StagingArea staging, FrontMatterOf frontMatter) throws IOException {
        return stage(raw, null, fileName, contentType, baseUri, stem, timeout, staging, null, frontMatter);
    }

    /** {@link #stage(Path, String, String, String, String, Duration, StagingArea, FrontMatterOf)} with the default timeout. */
    static Page stage(Path raw, String fileName, String contentType, String baseUri, String stem, StagingArea staging,
                      FrontMatterOf frontMatter) throws IOException {
        return stage(raw, fileName, contentType, baseUri, stem, Converter.DEFAULT_TIMEOUT, staging, frontMatter);
    }

    /** The registry's and the front matter's {@code type}. */
    static String typeName(ContentKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
