package dev.kb.core.cache.kb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kb.core.KbException;
import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheContractTest;
import dev.kb.core.fetch.NameHint;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.wiki.FrontMatter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract, for {@code kb:PATH}: entries come into it as documents added to that KB through
 * the library (the cache itself is never written), and damage is done to that KB's files.
 */
class KbCacheContractTest extends SourceCacheContractTest {
    private Path publicKb;

    @BeforeEach
    void publicKb() {
        publicKb = tmp.resolve("public-kb");
        KbFixture.init(publicKb);
    }

    @Override
    protected String spec() {
        return "kb:public-kb";
    }

    @Override
    protected boolean readOnly() {
        return true;
    }

    @Override
    protected boolean serves(CacheKey.Kind kind) {
        return kind == CacheKey.Kind.URL || kind == CacheKey.Kind.CONVERSION;
    }

    @Override
    protected String urlVersion() {
        return KbCache.URL_LAYOUT;
    }

    /**
     * Adds the entry's bytes to the public KB as the document of its URL, and returns what the
     * cache must make of that document: the URL's own name hint, no declared type (the bytes are
     * text, Markdown by default), no validators. A conversion becomes a document whose page's
     * body is the entry's bytes and whose row records it as made under the entry's key.
     */
    @Override
    protected CacheEntry seed(SourceCache cache, CacheEntry entry, Map<String, Path> files) throws Exception {
        if (entry.key().kind() == CacheKey.Kind.CONVERSION) {
            return seedConversion(entry.key(), Files.readAllBytes(files.get("raw")));
        }
        if (entry.key().kind() != CacheKey.Kind.URL) {
            return entry;
        }
        String url = entry.key().name();
        byte[] bytes = Files.readAllBytes(files.get("raw"));
        KbFixture.Run r = KbFixture.ingest(publicKb, List.of(new Inputs.Item(new KbFixture.UrlLike(url, bytes), null)),
                null);
        Outcome.Status s = r.only().status();
        assertTrue(s == Outcome.Status.ADDED || s == Outcome.Status.UPDATED, r.toString());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("final_url", url);
        fields.put("content_type", null);
        fields.put("name_hint", NameHint.of(null, HttpUrl.get(url)));
        fields.put("name_is_host", false);
        fields.put("etag", null);
        fields.put("last_modified", null);
        return new CacheEntry(entry.key(), 0, fields,
                List.of(new CacheEntry.Blob("raw", Hashing.sha256Hex(bytes), bytes.length)));
    }

    private int conversions;

    /**
     * What an add of a PDF leaves in the public KB, written as such an add writes it (the page's
     * front matter rendered from the conversion's fields, the row committed with the page's
     * origin under {@code key}), with {@code body} below the front matter. The entry it makes is
     * the conversion's fields and that body.
     */
    private CacheEntry seedConversion(CacheKey key, byte[] body) throws Exception {
        String name = "converted" + (++conversions);
        byte[] raw = ("%PDF-1.4 what " + name + " was converted from").getBytes(StandardCharsets.UTF_8);
        String sha = Hashing.sha256Hex(raw);
        String source = tmp.resolve("in").resolve(name + ".pdf").toString();
        String added = "2026-01-01T00:00:00Z";
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", "Converted " + name);
        fields.put("metadata", Map.of("pages", 1));
        fields.put("own_text", "");
        fields.put("own_keys", List.of());
        fields.put("warnings", List.of());
        String fm = FrontMatter.render("Converted " + name, source, sha, "pdf", added, Map.of("pages", 1));
        byte[] head = (fm + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] page = new byte[head.length + body.length];
        System.arraycopy(head, 0, page, 0, head.length);
        System.arraycopy(body, 0, page, head.length, body.length);
        Files.write(publicKb.resolve("raw/" + name + ".pdf"), raw);
        Files.write(publicKb.resolve("wiki/sources/" + name + ".md"), page);
        PageOrigin origin = new PageOrigin(key.id(), Hashing.sha256Hex(page), new ObjectMapper().writeValueAsString(fields));
        DocumentRow row = new DocumentRow(name, sha, "raw/" + name + ".pdf", "wiki/sources/" + name + ".md", source, "pdf",
                "Converted " + name, raw.length, added, added, null, null, origin);
        try (TestKb writer = TestKb.create(publicKb)) {
            writer.registry.commit("seed-" + name, List.of(row), List.of(), new CommitNote("kb add", 1, 0, 0, 0));
        }
        return new CacheEntry(key, Instant.parse(added).toEpochMilli(), fields,
                List.of(new CacheEntry.Blob("body", Hashing.sha256Hex(body), body.length)));
    }

    /** The entry's raw file cut or flipped, or its page cut short (the record that ties the raw file to the row). */
    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) throws Exception {
        DocumentRow row = KbFixture.row(publicKb, key.name());
        Path raw = publicKb.resolve(row.rawPath());
        switch (how) {
            case TRUNCATE_ENTRY -> truncate(publicKb.resolve(row.sourcePath()));
            case TRUNCATE_BLOB -> truncate(raw);
            case FLIP_BLOB_BYTE -> {
                byte[] b = Files.readAllBytes(raw);
                b[b.length / 2] ^= 0x20;
                Files.write(raw, b);
            }
        }
    }

    private static void truncate(Path f) throws Exception {
        long size = Files.size(f);
        try (var ch = Files.newByteChannel(f, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
    }

    @Test
    void clearRefusesAsAUsageErrorAndChangesNothing() throws Exception {
        SourceCache c = ready();
        put(c, urlKey("https://example.org/kept"), "kept bytes");
        Map<String, String> before = KbFixture.tree(publicKb);
        KbException e = assertThrows(KbException.class, c::clear);
        assertEquals(KbException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().startsWith("cache kb:public-kb is another knowledge base, read only"), e.getMessage());
        assertEquals(before, KbFixture.tree(publicKb));
        assertTrue(c.lookup(urlKey("https://example.org/kept")).isPresent());
    }
}
