package dev.kb.core.cache.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheContractTest.Damage;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fs.Hashing;
import dev.kb.testing.RedisExtension;
import dev.kb.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real redis-server failing as servers do: killed mid-batch, stopped with SIGSTOP, asked with
 * the wrong password, damaged by hand, full (maxmemory), and an entry over the size limit. Each is
 * a miss and at most one warning, never a failure of the batch, never more than about one
 * deadline of delay, never wrong bytes.
 */
class RedisFaultTest {
    /** An outage may cost a batch one deadline (250 ms) and change; this leaves room for a loaded machine. */
    static final Duration OUTAGE_BOUND = Duration.ofMillis(1500);

    @RegisterExtension
    final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    final List<SourceCache> made = new ArrayList<>();
    private int files;

    @BeforeEach
    void dirs() throws Exception {
        Files.createDirectories(tmp.resolve("staging"));
    }

    @AfterEach
    void closeAll() {
        made.forEach(SourceCache::close);
    }

    CacheServices services(Map<String, String> settings) {
        return new CacheServices(Map.of("HOME", tmp.toString()), CacheOptions.defaults(), settings, Clock.systemUTC(),
                tmp.resolve("cache-home"));
    }

    SourceCache cache(String spec) {
        SourceCache c = CacheProviders.create(CacheSpec.parse(spec, tmp));
        made.add(c);
        return c;
    }

    SourceCaches open(String spec, Map<String, String> settings) {
        return SourceCaches.open(List.of(cache(spec)), services(settings), warnings::add);
    }

    Path file(byte[] bytes) throws Exception {
        return Files.write(tmp.resolve("staging").resolve("f" + files++), bytes);
    }

    Path dest() {
        return tmp.resolve("staging").resolve("d" + files++);
    }

    static CacheKey key(int i) {
        return new CacheKey(CacheKey.Kind.URL, "https://example.org/doc/" + i, "url-1");
    }

    static CacheEntry entry(CacheKey k, Path f) throws Exception {
        return new CacheEntry(k, 1_700_000_000_000L, Map.of("final_url", k.name()),
                List.of(new CacheEntry.Blob("raw", Hashing.sha256Hex(f), Files.size(f))));
    }

    static byte[] bytes(int i, int size) {
        byte[] b = new byte[size];
        for (int j = 0; j < size; j++) {
            b[j] = (byte) ('a' + (i * 31 + j) % 26);
        }
        String tag = "doc " + i + " ";
        System.arraycopy(tag.getBytes(StandardCharsets.US_ASCII), 0, b, 0, Math.min(size, tag.length()));
        return b;
    }

    /** Stores document {@code i} of {@code size} bytes through {@code s}. */
    CacheEntry store(SourceCaches s, int i, int size) throws Exception {
        Path f = file(bytes(i, size));
        CacheEntry e = entry(key(i), f);
        s.store(e, Map.of("raw", f));
        return e;
    }

    /** The bytes of document {@code i} through {@code s}, or null for a miss. */
    byte[] fetch(SourceCaches s, int i) throws Exception {
        Optional<SourceCaches.Hit> hit = s.find(key(i));
        if (hit.isEmpty()) {
            return null;
        }
        Path d = dest();
        return hit.get().fetch(Map.of("raw", d)) ? Files.readAllBytes(d) : null;
    }

    static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aServerKilledMidBatchCostsOneWarningAndNoMoreThanADeadline() throws Exception {
        RedisServer server = redis.server();
        try (SourceCaches s = open(server.url(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                store(s, i, 2000);
                assertArrayEquals(bytes(i, 2000), fetch(s, i));
            }
            server.kill();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertEquals(null, fetch(s, i), "a dead server answered");
                store(s, 100 + i, 2000);
            }
            long took = millisSince(start);
            assertTrue(took < OUTAGE_BOUND.toMillis(), "the outage cost the batch " + took + " ms");
            assertTrue(s.failed(0));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cache " + server.url() + ": "), warnings.get(0));
        assertTrue(warnings.get(0).contains("127.0.0.1:" + server.port()), warnings.get(0));
    }

    @Test
    void aStoppedServerTimesOutWithinTheDeadlineOnce() throws Exception {
        RedisServer server = redis.server();
        try (SourceCaches s = open(server.url(), Map.of())) {
            store(s, 1, 1000);
            assertArrayEquals(bytes(1, 1000), fetch(s, 1));
            server.pause();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                assertEquals(null, fetch(s, i % 3), "a stopped server answered");
                store(s, 10 + i, 1000);
            }
            long took = millisSince(start);
            assertTrue(took < OUTAGE_BOUND.toMillis(), "a stopped server cost the batch " + took + " ms");
            assertTrue(s.failed(0));
        } finally {
            server.resume();
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("no answer within 250ms"), warnings.get(0));
    }

    @Test
    void aServerStoppedBeforeTheRunFailsItsStartWithinTheDeadline() throws Exception {
        RedisServer server = redis.server();
        server.pause();
        try {
            long start = System.nanoTime();
            try (SourceCaches s = open(server.url(), Map.of())) {
                for (int i = 0; i < 50; i++) {
                    assertEquals(null, fetch(s, i));
                    store(s, i, 100);
                }
                assertTrue(s.failed(0));
            }
            long took = millisSince(start);
            assertTrue(took < OUTAGE_BOUND.toMillis(), "a stopped server cost the run " + took + " ms");
        } finally {
            server.resume();
        }
        assertEquals(1, warnings.size(), warnings.toString());
        // nothing was stored while it looked dead
        assertEquals(0L, redis.server().command("DBSIZE"));
    }

    @Test
    void nothingListeningIsOneWarningNamingTheServer() throws Exception {
        RedisServer server = redis.server();
        String url = server.url();
        server.kill();
        try (SourceCaches s = open(url, Map.of())) {
            assertEquals(null, fetch(s, 1));
            store(s, 1, 10);
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("cannot connect"), warnings.get(0));
        assertTrue(warnings.get(0).contains("Connection refused"), warnings.get(0));
    }

    @Test
    void anEntryOverTheSizeLimitIsNotStoredAndIsNoError() throws Exception {
        try (SourceCaches s = open(redis.server().url(), Map.of("redis.max-entry", "4KB"))) {
            store(s, 1, 8 * 1024);
            store(s, 2, 1024);
            assertEquals(null, fetch(s, 1), "an entry over redis.max-entry was stored");
            assertArrayEquals(bytes(2, 1024), fetch(s, 2));
            assertFalse(s.failed(0));
        }
        assertEquals(List.of(), warnings);
        assertEquals(null, redis.server().command("GET", RedisCacheTest.entryKey("kb:", key(1))));
    }

    @Test
    void aBlobOverOnePieceIsWrittenWholeAndReadBack() throws Exception {
        int size = RedisCache.CHUNK * 2 + 12345;
        try (SourceCaches s = open(redis.server().url(), Map.of())) {
            CacheEntry e = store(s, 7, size);
            assertEquals((long) size, redis.server().command("STRLEN", RedisCacheTest.blobKey("kb:", e.blobs().get(0).sha256())));
            assertArrayEquals(bytes(7, size), fetch(s, 7));
            // a second store of the same bytes (another entry) writes nothing: the blob is shared
            Path f = file(bytes(7, size));
            s.store(entry(key(8), f), Map.of("raw", f));
            assertArrayEquals(bytes(7, size), fetch(s, 8));
        }
        assertEquals(List.of(), warnings);
        assertEquals(List.of(), redis.server().command("KEYS", "kb:t:*"), "a temporary key was left");
        assertEquals(1L, ((List<?>) redis.server().command("KEYS", "kb:b:*")).size() + 0L, "one blob for both entries");
    }

    @Test
    void aKilledServerMidWayThroughABigBlobLeavesNoHalfBlob() throws Exception {
        // the piece-wise write under a temporary key: a blob key appears only whole
        int size = RedisCache.CHUNK * 3;
        SourceCache c = cache(redis.server().url());
        c.initialize(services(Map.of()));
        Path f = file(bytes(3, size));
        CacheEntry e = entry(key(3), f);
        c.store(e, Map.of("raw", f));
        String blob = RedisCacheTest.blobKey("kb:", e.blobs().get(0).sha256());
        // what a writer that died after two pieces leaves: only the temporary key
        redis.server().command("DEL", blob, RedisCacheTest.entryKey("kb:", key(3)));
        redis.server().command("SET", "kb:t:dead-writer", java.util.Arrays.copyOf(bytes(3, size), RedisCache.CHUNK * 2),
                "PX", "600000");
        assertEquals(Optional.empty(), c.lookup(key(3)));
        assertEquals(null, redis.server().command("GET", blob));
        assertTrue((Long) redis.server().command("PTTL", "kb:t:dead-writer") > 0, "a temporary key that never expires");
    }

    @Test
    void entriesEvictedUnderMaxmemoryAreMissesNeverWrongBytesNeverAFailure() throws Exception {
        redis.server().close();
        try (RedisServer small = RedisServer.start(tmp.resolve("small"), "--maxmemory", "2mb",
                "--maxmemory-policy", "allkeys-lru")) {
            int n = 150;
            int size = 40 * 1024; // 6 MB in all, three times what the server keeps
            try (SourceCaches s = open(small.url(), Map.of())) {
                for (int i = 0; i < n; i++) {
                    store(s, i, size);
                }
                int hits = 0;
                for (int i = 0; i < n; i++) {
                    byte[] got = fetch(s, i);
                    if (got != null) {
                        assertArrayEquals(bytes(i, size), got, "document " + i + " came back with other bytes");
                        hits++;
                    }
                }
                assertFalse(s.failed(0), "eviction turned the cache off: " + warnings);
                assertTrue(hits > 0, "nothing was kept");
                assertTrue(hits < n, "nothing was evicted: the test proves nothing");
                assertTrue((Long) small.command("DBSIZE") > 0);
            }
        }
        assertEquals(List.of(), warnings, "eviction is not damage");
    }

    @Test
    void anEntryOverwrittenByHandIsAMissWithOneWarning() throws Exception {
        RedisServer server = redis.server();
        try (SourceCaches s = open(server.url(), Map.of())) {
            for (int i = 0; i < 4; i++) {
                store(s, i, 500);
            }
            // redis-cli SET over an entry, over a blob; a hash where an entry was; an entry cut short
            server.command("SET", RedisCacheTest.entryKey("kb:", key(0)), "not an entry at all");
            CacheEntry e1 = s.find(key(1)).orElseThrow().entry();
            server.command("SET", RedisCacheTest.blobKey("kb:", e1.blobs().get(0).sha256()), bytes(99, 500));
            server.command("DEL", RedisCacheTest.entryKey("kb:", key(2)));
            server.command("HSET", RedisCacheTest.entryKey("kb:", key(2)), "field", "value");
            RedisCacheTest.damage(server, "kb:", key(3), null, Damage.TRUNCATE_ENTRY);
            for (int i = 0; i < 4; i++) {
                assertEquals(null, fetch(s, i), "damaged document " + i + " was served");
            }
            assertFalse(s.failed(0), "damaged entries turned the cache off");
            store(s, 5, 500);
            assertArrayEquals(bytes(5, 500), fetch(s, 5));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("failed verification"), warnings.get(0));
    }

    /**
     * A blob damaged in place keeps its length: a store that took "there at its length" for "the
     * same bytes" left the damage in for good, and every later hit failed. The failed entry's
     * removal takes its blobs, so the next download's store writes them again.
     */
    @Test
    void aBlobDamagedInPlaceIsWrittenAgainByTheNextStore() throws Exception {
        RedisServer server = redis.server();
        try (SourceCaches s = open(server.url(), Map.of())) {
            CacheEntry e = store(s, 1, 700);
            RedisCacheTest.damage(server, "kb:", key(1), e.blobs().get(0), Damage.FLIP_BLOB_BYTE);
            assertEquals(null, fetch(s, 1));
            store(s, 1, 700); // downloaded again, stored again
            assertArrayEquals(bytes(1, 700), fetch(s, 1));
            assertFalse(s.failed(0));
        }
        assertEquals(1, warnings.size(), warnings.toString());
    }

    @Test
    void entriesAndBlobsLiveTheTtlAndAHitRenewsIt() throws Exception {
        RedisServer server = redis.server();
        try (SourceCaches s = open(server.url(), Map.of("redis.ttl", "2h"))) {
            CacheEntry e = store(s, 1, 100);
            String entry = RedisCacheTest.entryKey("kb:", key(1));
            String blob = RedisCacheTest.blobKey("kb:", e.blobs().get(0).sha256());
            for (String k : List.of(entry, blob)) {
                long ttl = (Long) server.command("PTTL", k);
                assertTrue(ttl > 7_000_000 && ttl <= 7_200_000, k + " lives " + ttl + " ms");
            }
            server.command("PEXPIRE", entry, "60000");
            server.command("PEXPIRE", blob, "60000");
            assertArrayEquals(bytes(1, 100), fetch(s, 1));
            for (String k : List.of(entry, blob)) {
                assertTrue((Long) server.command("PTTL", k) > 7_000_000, "a hit did not renew " + k);
            }
        }
        try (SourceCaches s = open(server.url(), Map.of("redis.ttl", "0"))) {
            CacheEntry e = store(s, 2, 100);
            assertEquals(-1L, server.command("PTTL", RedisCacheTest.entryKey("kb:", key(2))));
            assertEquals(-1L, server.command("PTTL", RedisCacheTest.blobKey("kb:", e.blobs().get(0).sha256())));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void twoPrefixesOnOneServerAreApart() throws Exception {
        RedisServer server = redis.server();
        SourceCache a = cache(server.url());
        a.initialize(services(Map.of("redis.prefix", "team-a")));
        SourceCache b = cache(server.url());
        b.initialize(services(Map.of("redis.prefix", "kb:[t*]?")));
        SourceCache d = cache(server.url());
        d.initialize(services(Map.of())); // kb:
        for (SourceCache c : List.of(a, b, d)) {
            Path f = file(("bytes of " + c).getBytes(StandardCharsets.UTF_8));
            c.store(entry(key(1), f), Map.of("raw", f));
        }
        Path f = file("only in a".getBytes(StandardCharsets.UTF_8));
        a.store(entry(key(2), f), Map.of("raw", f));
        assertEquals(2, a.stats().entries());
        assertEquals(1, b.stats().entries());
        assertEquals(1, d.stats().entries());
        assertTrue(server.command("GET", "team-a:e:" + key(2).id()) != null, "keys are team-a:e:…");
        b.clear();
        assertEquals(0, b.stats().entries());
        assertTrue(a.lookup(key(1)).isPresent(), "clearing one prefix cleared another");
        assertTrue(d.lookup(key(1)).isPresent(), "clearing kb:[t*]? cleared kb:");
        d.clear();
        assertTrue(a.lookup(key(1)).isPresent());
        assertEquals(Optional.empty(), d.lookup(key(1)));
    }

    @Test
    void verifyRehashesBlobsAndDropsEntriesThatLostThem() throws Exception {
        SourceCache c = cache(redis.server().url());
        c.initialize(services(Map.of()));
        List<CacheEntry> es = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path f = file(bytes(i, i == 0 ? RedisCache.CHUNK + 10 : 300));
            CacheEntry e = entry(key(i), f);
            c.store(e, Map.of("raw", f));
            es.add(e);
        }
        RedisCacheTest.damage(redis.server(), "kb:", key(0), es.get(0).blobs().get(0), Damage.FLIP_BLOB_BYTE);
        redis.server().command("DEL", RedisCacheTest.blobKey("kb:", es.get(1).blobs().get(0).sha256()));
        var v = c.verify();
        assertEquals(3 + 2, v.checked(), v.toString()); // three entries, two blobs left
        assertEquals(1 + 2, v.dropped(), v.toString()); // the flipped blob, and both entries without a blob
        assertEquals(Optional.empty(), c.lookup(key(0)));
        assertEquals(Optional.empty(), c.lookup(key(1)));
        assertTrue(c.lookup(key(2)).isPresent());
        assertEquals(new dev.kb.core.cache.CacheStats.Verified(2, 0), c.verify());
    }
}
