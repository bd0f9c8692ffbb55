package dev.kb.core.cache.kb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.fs.Hashing;
import dev.kb.core.input.CloudSource;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PageIndex Cloud document's entry made from another KB's page and section tree (see
 * {@link KbCache} for when): the page's hash is the registry's (a cloud import has no raw bytes;
 * its row hashes the page), so the page is the one that KB imported and nobody edited since.
 * Which kb rendered it, its row records since schema 5 ({@link PageOrigin}: the cache key the page
 * was made under, and the values it was rendered from); a row without that record is used only
 * under {@code kb.cloud = trust}, and its entry says so ({@link CloudSource#RENDERING_UNKNOWN}).
 *
 * <p>The entry is what the prepare path renders a page from: the title and the front-matter
 * values (the recorded ones, else those read back from the page), the bytes after the front
 * matter ({@code body}) and the tree. It is made only when rendering the front matter again from
 * those values gives the page's own front matter byte for byte, so the page KB2 makes from it is
 * the other KB's, to its {@code added} time.
 */
final class CloudRecords {
    static final String SCHEME = "pageindex-cloud:";
    static final String TYPE = "pageindex-cloud";
    private static final Set<String> KB_KEYS = Set.of("title", "source", "sha256", "type", "added");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] CLOSE = "\n---\n".getBytes(StandardCharsets.US_ASCII);

    private CloudRecords() {
    }

    /** The entry and where its blobs are read from. */
    record Answer(CacheEntry entry, KbCache.Region body, KbCache.Region tree) {
    }

    /**
     * The entry {@code row} answers the cloud key with, or null when its page cannot be taken
     * apart into what the prepare path renders it from.
     *
     * @throws UrlRecords.Disagrees when its files are not its own
     */
    static Answer answer(CacheKey key, DocumentRow row, KbFiles files) throws IOException, UrlRecords.Disagrees {
        if (!TYPE.equals(row.type()) || row.rawPath() != null || !(SCHEME + key.name()).equals(row.sourceUri())) {
            return null;
        }
        Path page = files.page(row.sourcePath());
        Path tree = files.page(KnowledgeBase.artifactPath(row.docName(), KnowledgeBase.TREE_SUFFIX));
        if (page == null || tree == null) {
            return null;
        }
        long size = KbFiles.size(page);
        if (size != row.size()) {
            throw new UrlRecords.Disagrees(size < 0 ? KbFiles.absent(page, row.sourcePath())
                    : row.sourcePath() + " has " + size + " bytes, not " + row.size());
        }
        byte[] bytes = Files.readAllBytes(page);
        if (!Hashing.sha256Hex(bytes).equals(row.sha256())) {
            throw new UrlRecords.Disagrees(row.sourcePath() + " does not match its sha256");
        }
        int close = indexOf(bytes, CLOSE, 3);
        if (!startsWith(bytes, "---\n") || close < 0 || close + CLOSE.length >= bytes.length
                || bytes[close + CLOSE.length] != '\n') {
            return null;
        }
        int fmEnd = close + CLOSE.length; // the front matter, through its closing line
        String fm = new String(bytes, 0, fmEnd, StandardCharsets.UTF_8);
        PageOrigin origin = row.origin();
        String title;
        String added;
        Map<String, Object> extras = new LinkedHashMap<>();
        Map<String, Object> recorded = null;
        if (origin != null) {
            // what the page was rendered from, as its import recorded it: no YAML to read back
            recorded = origin.sha256().equals(row.sha256()) ? PageRecords.fields(origin) : null;
            added = PageRecords.added(fm);
            if (recorded == null || !(recorded.get("title") instanceof String t) || t.isBlank()
                    || !(recorded.get("front_matter") instanceof Map<?, ?> values) || added == null) {
                return null;
            }
            title = t;
            values.forEach((k, v) -> extras.put(String.valueOf(k), v));
        } else {
            Map<String, Object> read;
            try {
                read = FrontMatter.fields(fm);
            } catch (FrontMatter.Unreadable e) {
                return null;
            }
            if (!(read.get("title") instanceof String t) || t.isBlank() || !(read.get("added") instanceof String a)) {
                return null;
            }
            title = t;
            added = a;
            read.forEach((k, v) -> {
                if (!KB_KEYS.contains(k)) {
                    extras.put(k, v);
                }
            });
        }
        String again;
        try {
            again = FrontMatter.render(title, row.sourceUri(), null, TYPE, added, extras);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!again.equals(fm)) {
            return null; // a front matter this kb would not write from these values
        }
        long treeSize = KbFiles.size(tree);
        if (treeSize < 0) {
            throw new UrlRecords.Disagrees(KbFiles.absent(tree, KnowledgeBase.artifactPath(row.docName(),
                    KnowledgeBase.TREE_SUFFIX)));
        }
        byte[] treeBytes = Files.readAllBytes(tree);
        JsonNode t;
        try {
            t = JSON.readTree(treeBytes);
        } catch (IOException e) {
            t = null;
        }
        if (t == null || !key.name().equals(t.path("doc_id").asText(null))) {
            throw new UrlRecords.Disagrees(KnowledgeBase.artifactPath(row.docName(), KnowledgeBase.TREE_SUFFIX)
                    + " is not the section tree of " + key.name());
        }
        if (recorded != null && !Hashing.sha256Hex(treeBytes).equals(recorded.get(CloudSource.TREE_SHA256))) {
            return null; // a tree other than the one its import wrote (edited since, or recorded by none)
        }
        int bodyStart = fmEnd + 1; // the blank line that ends a front matter
        byte[] body = Arrays.copyOfRange(bytes, bodyStart, bytes.length);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", title);
        fields.put("front_matter", extras);
        if (origin == null) {
            fields.put(CloudSource.RENDERING_UNKNOWN, true); // trusted, not proven: its import records no origin
        }
        CacheEntry.Blob b = new CacheEntry.Blob("body", Hashing.sha256Hex(body), body.length);
        CacheEntry.Blob tb = new CacheEntry.Blob("tree", Hashing.sha256Hex(treeBytes), treeBytes.length);
        CacheEntry e = new CacheEntry(key, UrlRecords.millis(row.updatedAt()), fields, List.of(b, tb));
        return new Answer(e, new KbCache.Region(page, bodyStart, body.length),
                new KbCache.Region(tree, 0, treeBytes.length));
    }

    private static boolean startsWith(byte[] b, String s) {
        byte[] p = s.getBytes(StandardCharsets.US_ASCII);
        return b.length >= p.length && Arrays.equals(Arrays.copyOf(b, p.length), p);
    }

    private static int indexOf(byte[] b, byte[] p, int from) {
        outer:
        for (int i = Math.max(0, from); i + p.length <= b.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (b[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
