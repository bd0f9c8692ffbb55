package dev.kb.core.input;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.convert.ContentKind;
import dev.kb.core.convert.Conversion;
import dev.kb.core.convert.OwnFrontMatter;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Conversions in the source caches ({@link CacheKey.Kind#CONVERSION}). The key is the raw bytes'
 * SHA-256 plus every other input of the conversion (file name, declared type, base URL, stem), at
 * the converters' identity ({@link CodeFingerprint#converters}); the entry holds what the front
 * matter is made from and, as blob {@code body}, the page's bytes after its front matter. A page
 * made from a hit is therefore the page converting would have made, byte for byte: the front
 * matter is rendered as always, and the body is the very bytes the converter's body became.
 *
 * <p>Only HTML and PDF are cached: Markdown and text are converted as they are copied, faster
 * than a cache could hand them back.
 */
final class CachedConversion {
    static final String BODY = "body";

    private CachedConversion() {
    }

    static boolean worthCaching(ContentKind kind) {
        return kind == ContentKind.PDF || kind == ContentKind.HTML;
    }

    static CacheKey key(String rawSha256, String fileName, String contentType, String baseUri, String stem) {
        String name = String.join("\n", rawSha256, text(fileName), text(contentType), text(baseUri), text(stem));
        return new CacheKey(CacheKey.Kind.CONVERSION, name, CodeFingerprint.converters());
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /** The page staged from a cached conversion, or null on a miss (then the caller converts). */
    static RawConversion.Page lookup(SourceCaches caches, CacheKey key, String type, String extension,
                                     StagingArea staging, RawConversion.FrontMatterOf frontMatter) throws IOException {
        Optional<SourceCaches.Hit> hit = caches.find(key);
        if (hit.isEmpty()) {
            return null;
        }
        Conversion c = conversion(hit.get().entry());
        if (c == null) {
            hit.get().notUsed();
            return null;
        }
        Path body = staging.newPath(".body");
        try {
            if (!hit.get().fetch(Map.of(BODY, body))) {
                return null;
            }
            RawConversion.Result r = new RawConversion.Result(type, extension, c);
            byte[] head = (frontMatter.of(r) + "\n").getBytes(StandardCharsets.UTF_8);
            Path page = staging.write(KnowledgeBase.PAGE_EXTENSION, ch -> {
                write(ch, ByteBuffer.wrap(head));
                try (FileChannel in = FileChannel.open(body, StandardOpenOption.READ)) {
                    long size = in.size();
                    for (long at = 0; at < size; ) {
                        at += in.transferTo(at, size - at, ch);
                    }
                }
            });
            return new RawConversion.Page(page, r);
        } finally {
            Files.deleteIfExists(body);
        }
    }

    /** What a cached entry says the conversion was, or null when its fields are not that. */
    private static Conversion conversion(CacheEntry e) {
        if (!(e.fields().get("title") instanceof String title) || title.isBlank()
                || !(e.fields().get("metadata") instanceof Map<?, ?> meta)
                || !(e.fields().get("own_text") instanceof String ownText)
                || !(e.fields().get("own_keys") instanceof List<?> ownKeys)
                || !(e.fields().get("warnings") instanceof List<?> warnings)) {
            return null;
        }
        try {
            Map<String, Object> metadata = new LinkedHashMap<>();
            meta.forEach((k, v) -> metadata.put(String.valueOf(k), v));
            List<String> keys = new ArrayList<>();
            ownKeys.forEach(k -> keys.add(String.valueOf(k)));
            List<String> notes = new ArrayList<>();
            warnings.forEach(w -> notes.add(String.valueOf(w)));
            OwnFrontMatter own = ownText.isEmpty() && keys.isEmpty() ? OwnFrontMatter.NONE
                    : new OwnFrontMatter(ownText, new LinkedHashSet<>(keys));
            return Conversion.known(title, metadata, own, notes, out -> {
                throw new IllegalStateException("a cached conversion's body is written from its blob");
            });
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /**
     * Stores the conversion {@code r} whose page was staged as {@code page} with front matter
     * {@code fm}: its fields, and the page's bytes after the front matter as the body. Never
     * fails the input: a conversion that cannot be stored is simply not cached.
     */
    static void store(SourceCaches caches, CacheKey key, RawConversion.Result r, String fm, Path page,
                      StagingArea staging) {
        Map<String, Object> fields = fields(r);
        Path body = null;
        try {
            body = staging.newPath(".body");
            long offset = (fm + "\n").getBytes(StandardCharsets.UTF_8).length;
            Hashing.Copy copy = copyFrom(page, offset, body);
            CacheEntry entry = new CacheEntry(key, caches.now(), fields,
                    List.of(new CacheEntry.Blob(BODY, copy.sha256(), copy.size())));
            entry.encode(); // a value JSON cannot hold is found here, not as a failure of every cache
            caches.store(entry, Map.of(BODY, body));
        } catch (IOException | IllegalArgumentException e) {
            // not cached; the page is made, and the next run converts again
        } finally {
            try {
                if (body != null) {
                    Files.deleteIfExists(body);
                }
            } catch (IOException e) {
                // in staging: removed with it
            }
        }
    }

    /**
     * What a conversion's entry holds besides its body: what the page's front matter is rendered
     * from, and the warnings converting gave. The same fields are what a KB records of how its
     * page was made ({@link PageOrigins}), so another KB can hand them out as this entry.
     */
    static Map<String, Object> fields(RawConversion.Result r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", r.title());
        fields.put("metadata", r.metadata());
        fields.put("own_text", r.ownFrontMatter().text());
        fields.put("own_keys", new ArrayList<>(r.ownFrontMatter().keys()));
        fields.put("warnings", r.warnings());
        return fields;
    }

    /** Copies {@code from} after its first {@code offset} bytes into the new file {@code to}, hashing them. */
    static Hashing.Copy copyFrom(Path from, long offset, Path to) throws IOException {
        MessageDigest md = Hashing.sha256();
        long size = 0;
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.position(offset);
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (in.read(buf) > 0) {
                buf.flip();
                md.update(buf.duplicate());
                size += buf.remaining();
                write(out, buf);
                buf.clear();
            }
        }
        return new Hashing.Copy(Hashing.hex(md.digest()), size);
    }

    private static void write(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
