package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.cache.kb.KbCache;
import dev.kb.core.fetch.FetchResult;
import dev.kb.core.fs.Hashing;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The URL entries a {@code kb:} cache makes from another KB's rows are the entries the prepare
 * path writes and reads: the same layout version, the same fields. If one changes without the
 * other, this fails rather than every kb: look-up quietly missing, or, worse, answering in a
 * layout the prepare path reads otherwise.
 */
class CachedUrlLayoutTest {
    @TempDir
    Path tmp;

    @Test
    void aKbCacheAnswersInTheLayoutThePreparePathWrites() throws Exception {
        assertEquals(CachedUrl.LAYOUT, KbCache.URL_LAYOUT);

        SourceCache dir = CacheProviders.create(CacheSpec.parse("dir:c", tmp));
        CacheServices services = new CacheServices(Map.of(), CacheOptions.defaults().withDeadline(Duration.ofSeconds(10)),
                Map.of(), Clock.systemUTC(), tmp.resolve("xdg"));
        Path raw = Files.writeString(tmp.resolve("raw"), "# A page\n");
        URI uri = URI.create("https://example.org/a.md");
        CacheKey key = CachedUrl.key(uri);
        try (SourceCaches caches = SourceCaches.open(List.of(dir), services, m -> {
            throw new AssertionError(m);
        })) {
            CachedUrl.store(caches, key, new FetchResult(false, uri, uri, "text/markdown", "a.md", "\"e\"", null,
                    Hashing.sha256Hex(raw), Files.size(raw), false), raw);
            CacheEntry written = dir.lookup(key).orElseThrow();
            assertEquals(List.of("final_url", "content_type", "name_hint", "name_is_host", "etag", "last_modified"),
                    List.copyOf(written.fields().keySet()), "the fields dev.kb.core.cache.kb.UrlRecords writes, in order");
        }
    }
}
