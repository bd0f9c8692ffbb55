package dev.kb.core.cache.kb;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.convert.OwnFrontMatter;
import dev.kb.core.fs.Hashing;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A conversion's entry made from another KB's page and its row's record of how the page was made
 * ({@link PageOrigin}, registry schema 5).
 *
 * <p>What makes it the page converting here would make, byte for byte, below its front matter:
 * <ul>
 * <li>the row's page was made under the very key asked for ({@code page_key} is the key's id: the
 *     same raw bytes, file name, declared type, base URL and stem, at the same converters'
 *     identity), which the add that made it recorded in the row's own commit;</li>
 * <li>the page's bytes now hash to what they were when committed ({@code page_sha256}): a page
 *     edited since (below its front matter or in it) is the person's, not a conversion, and is a
 *     quiet miss, not damage;</li>
 * <li>the recorded fields render, with the row's own source, hash, type and the page's
 *     {@code added}, into the page's front matter byte for byte: they are what the page was
 *     rendered from.</li>
 * </ul>
 * The entry is then what a conversion cache holds under that key: those fields, and as blob
 * {@code body} the page's bytes after its front matter and the blank line that ends it. The
 * importing KB renders its own front matter from them, as it does from any cached conversion.
 * The other KB's raw file is not read: the key names the raw bytes by their hash, and the
 * importing KB has them.
 */
final class PageRecords {
    private PageRecords() {
    }

    /** Made on first use; the caches' warm-up has loaded the data-binding classes by then. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** The entry and where its {@code body} is read from. */
    record Answer(CacheEntry entry, KbCache.Region body) {
    }

    /**
     * The entry {@code row} answers the conversion key with, or null (a quiet miss) when its page
     * is not recorded as made under that key, or is not that page any more.
     *
     * @throws UrlRecords.Disagrees when its page is gone or not a file: damage, or its writer at work
     */
    static Answer conversion(CacheKey key, DocumentRow row, KbFiles files) throws IOException, UrlRecords.Disagrees {
        PageOrigin o = row.origin();
        if (o == null || !o.key().equals(key.id()) || row.rawPath() == null) {
            return null;
        }
        Path page = files.page(row.sourcePath());
        if (page == null) {
            return null; // not a path kb writes: not a document of this KB's to serve
        }
        if (KbFiles.size(page) < 0) {
            throw new UrlRecords.Disagrees(KbFiles.absent(page, row.sourcePath()));
        }
        Split split = split(page);
        if (split == null || !split.sha256().equals(o.sha256())) {
            return null; // edited since it was made: the person's page now, not a conversion
        }
        Map<String, Object> fields = fields(o);
        if (fields == null || !(fields.get("title") instanceof String title) || title.isBlank()
                || !(fields.get("metadata") instanceof Map<?, ?> meta)
                || !(fields.get("own_text") instanceof String ownText)
                || !(fields.get("own_keys") instanceof List<?> ownKeys)
                || !(fields.get("warnings") instanceof List<?>)) {
            return null;
        }
        String added = added(split.frontMatter());
        if (added == null) {
            return null;
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        meta.forEach((k, v) -> metadata.put(String.valueOf(k), v));
        List<String> keys = new ArrayList<>();
        ownKeys.forEach(k -> keys.add(String.valueOf(k)));
        String again;
        try {
            OwnFrontMatter own = ownText.isEmpty() && keys.isEmpty() ? OwnFrontMatter.NONE
                    : new OwnFrontMatter(ownText, new LinkedHashSet<>(keys));
            again = FrontMatter.render(title, row.sourceUri(), row.sha256(), row.type(), added, metadata, own);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!again.equals(split.frontMatter())) {
            return null; // not what these fields make: recorded by a kb that renders otherwise, or not by kb
        }
        CacheEntry e = new CacheEntry(key, UrlRecords.millis(row.updatedAt()), fields,
                List.of(new CacheEntry.Blob("body", split.bodySha256(), split.bodyLength())));
        return new Answer(e, new KbCache.Region(page, split.bodyStart(), split.bodyLength()));
    }

    /** The fields a row's origin records, or null when they are not a JSON object. */
    static Map<String, Object> fields(PageOrigin o) {
        return json(o.fields());
    }

    /** A JSON object a row records ({@code page_fields}, {@code fetch_fields}), or null when it is not one. */
    static Map<String, Object> json(String text) {
        try {
            Map<String, Object> m = Json.MAPPER.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {
            });
            return m;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The {@code added} a front matter says, as kb writes it (one line, a plain or simply quoted scalar); else null. */
    static String added(String frontMatter) {
        Map<String, String> keys = UrlRecords.kbKeys(frontMatter, List.of("added"));
        return keys == null ? null : keys.get("added");
    }

    /**
     * A page taken apart: its front matter through the closing {@code ---} line, where its body
     * starts (after the blank line that ends the front matter) and how long it is, the SHA-256 of
     * the whole page and of the body alone (read once, in one pass).
     */
    record Split(String frontMatter, long bodyStart, long bodyLength, String sha256, String bodySha256) {
    }

    private static final byte[] CLOSE = "\n---\n".getBytes(StandardCharsets.US_ASCII);

    /** {@code page} taken apart, or null when it does not start with a front matter closed and followed by a blank line. */
    static Split split(Path page) throws IOException {
        String head = KbFiles.pageHead(page);
        int close = head.startsWith("---\n") ? head.indexOf("\n---\n", 3) : -1;
        if (close < 0) {
            return null;
        }
        int end = close + CLOSE.length;
        if (head.length() <= end || head.charAt(end) != '\n') {
            return null;
        }
        String fm = head.substring(0, end);
        long bodyStart = fm.getBytes(StandardCharsets.UTF_8).length + 1L;
        MessageDigest whole = Hashing.sha256();
        MessageDigest body = Hashing.sha256();
        long at = 0;
        try (FileChannel in = (FileChannel) Files.newByteChannel(page, java.util.Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (in.read(b.clear()) > 0) {
                b.flip();
                whole.update(b.duplicate());
                int n = b.remaining();
                if (at + n > bodyStart) {
                    int skip = (int) Math.max(0, bodyStart - at);
                    body.update(b.position(skip));
                }
                at += n;
            }
        }
        if (at < bodyStart) {
            return null;
        }
        return new Split(fm, bodyStart, at - bodyStart, Hashing.hex(whole.digest()), Hashing.hex(body.digest()));
    }
}
