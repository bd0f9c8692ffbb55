package dev.kb.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.Hashing;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safe wrapper's own promises: deadline, circuit breaker, one warning, layering, no password shown. */
class SourceCachesTest {
    @TempDir
    Path tmp;

    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    /** Released at the end of each test: calls a fake holds past their deadline. */
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseHeldCalls() {
        release.countDown();
    }

    /** An in-memory provider whose calls can be made to fail or hang. */
    class Fake implements SourceCache {
        final String id;
        final Map<String, CacheEntry> entries = new ConcurrentHashMap<>();
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean initialized;
        volatile IOException failWith;
        volatile boolean hang;

        Fake(String id) {
            this.id = id;
        }

        private void op() throws IOException {
            if (!initialized) {
                throw new IllegalStateException("not initialised");
            }
            calls.incrementAndGet();
            if (hang) {
                try {
                    release.await(30, TimeUnit.SECONDS); // a server stopped with SIGSTOP
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                }
            }
            if (failWith != null) {
                throw failWith;
            }
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean isEnabled() {
            return true;
        }

        @Override
        public void initialize(CacheServices services) {
            initialized = true;
        }

        @Override
        public Optional<CacheEntry> lookup(CacheKey key) throws IOException {
            op();
            return Optional.ofNullable(entries.get(key.id()));
        }

        @Override
        public boolean readBlob(CacheEntry.Blob blob, Path dest) throws IOException {
            op();
            byte[] b = blobs.get(blob.sha256());
            if (b == null) {
                return false;
            }
            Files.write(dest, b);
            return true;
        }

        @Override
        public void store(CacheEntry entry, Map<String, Path> files) throws IOException {
            op();
            for (CacheEntry.Blob b : entry.blobs()) {
                blobs.put(b.sha256(), Files.readAllBytes(files.get(b.name())));
            }
            entries.put(entry.key().id(), entry);
        }

        @Override
        public void remove(CacheKey key) throws IOException {
            op();
            entries.remove(key.id());
        }

        @Override
        public void recordUse(long hits, long misses) {
        }

        @Override
        public CacheStats stats() {
            return new CacheStats(0, 0, entries.size(), 0);
        }

        @Override
        public CacheStats.Verified verify() {
            return new CacheStats.Verified(0, 0);
        }

        @Override
        public void clear() {
            entries.clear();
        }

        @Override
        public void close() {
        }
    }

    SourceCaches open(Duration deadline, SourceCache... caches) {
        CacheServices s = new CacheServices(Map.of(), CacheOptions.defaults().withDeadline(deadline), Map.of(),
                Clock.systemUTC(), tmp);
        return SourceCaches.open(List.of(caches), s, warnings::add);
    }

    int n;

    Path file(String text) throws IOException {
        return Files.writeString(tmp.resolve("f" + (n++)), text, StandardCharsets.UTF_8);
    }

    CacheEntry entry(CacheKey key, Path f) throws IOException {
        return new CacheEntry(key, 0, Map.of(), List.of(new CacheEntry.Blob("raw", Hashing.sha256Hex(f), Files.size(f))));
    }

    static CacheKey key(int i) {
        return new CacheKey(CacheKey.Kind.URL, "https://example.org/" + i, "1");
    }

    @Test
    void aCacheThatHangsIsAbandonedAtTheDeadlineAndNotAskedAgain() throws Exception {
        Fake f = new Fake("redis://team@cache:6379");
        f.initialize(null);
        f.hang = true;
        try (SourceCaches s = open(Duration.ofMillis(100), f)) {
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertTrue(s.find(key(i)).isEmpty());
                Path p = file("x" + i);
                s.store(entry(key(i), p), Map.of("raw", p));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, "20 look-ups and stores of a hung cache took " + millis + " ms");
            assertTrue(s.failed(0));
        }
        // the initialize ran before the hang mattered; then one call reached the provider
        assertEquals(1, f.calls.get(), "calls after the circuit opened");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cache redis://team@cache:6379: look-up: no answer within 100ms"),
                warnings.get(0));
    }

    @Test
    void aFailingCacheWarnsOnceWithoutItsPasswordAndTheNextOneStillAnswers() throws Exception {
        Fake broken = new Fake("redis://cache:6379");
        broken.initialize(null);
        broken.failWith = new IOException("connection refused: redis://ops:s3cret@cache:6379");
        Fake good = new Fake("dir");
        good.initialize(null);
        Path p = file("good bytes");
        good.store(entry(key(1), p), Map.of("raw", p));
        try (SourceCaches s = open(Duration.ofSeconds(5), broken, good)) {
            for (int i = 0; i < 3; i++) {
                Optional<SourceCaches.Hit> hit = s.find(key(1));
                assertTrue(hit.isPresent());
                assertTrue(hit.get().fetch(Map.of("raw", tmp.resolve("d" + i))));
            }
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertFalse(warnings.get(0).contains("s3cret"), warnings.get(0));
        assertTrue(warnings.get(0).contains("redis://ops@cache:6379"), warnings.get(0));
        assertEquals(1, broken.calls.get());
    }

    @Test
    void aHitInALaterCacheFillsTheEarlierOnesAndStoresGoToAll() throws Exception {
        Fake first = new Fake("a");
        Fake second = new Fake("b");
        first.initialize(null);
        second.initialize(null);
        Path p = file("shared");
        second.store(entry(key(7), p), Map.of("raw", p));
        try (SourceCaches s = open(Duration.ofSeconds(5), first, second)) {
            assertTrue(s.find(key(7)).orElseThrow().fetch(Map.of("raw", tmp.resolve("out"))));
            assertTrue(first.entries.containsKey(key(7).id()), "the first cache was not filled");
            Path q = file("new");
            s.store(entry(key(8), q), Map.of("raw", q));
        }
        assertTrue(first.entries.containsKey(key(8).id()));
        assertTrue(second.entries.containsKey(key(8).id()));
        assertEquals("shared", Files.readString(tmp.resolve("out")));
    }

    @Test
    void aBlobThatIsNotItsHashIsAMissAndItsEntryIsRemoved() throws Exception {
        Fake f = new Fake("dir");
        f.initialize(null);
        Path p = file("original");
        CacheEntry e = entry(key(3), p);
        f.store(e, Map.of("raw", p));
        f.blobs.put(e.blobs().get(0).sha256(), "tampered".getBytes(StandardCharsets.UTF_8));
        try (SourceCaches s = open(Duration.ofSeconds(5), f)) {
            Path d = tmp.resolve("d");
            assertFalse(s.find(key(3)).orElseThrow().fetch(Map.of("raw", d)));
            assertFalse(Files.exists(d));
            assertFalse(s.failed(0));
            assertEquals(1, s.misses(0));
            assertEquals(0, s.hits(0));
        }
        assertFalse(f.entries.containsKey(key(3).id()));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("does not match its hash"), warnings.get(0));
    }

    @Test
    void aFailedInitializeTurnsTheCacheOffWithOneWarning() {
        Fake f = new Fake("dir:/nowhere") {
            @Override
            public void initialize(CacheServices services) {
                throw new java.io.UncheckedIOException(new IOException("permission denied"));
            }
        };
        try (SourceCaches s = open(Duration.ofSeconds(5), f)) {
            assertTrue(s.failed(0));
            assertTrue(s.find(key(1)).isEmpty());
        }
        assertEquals(List.of("cache dir:/nowhere: initialize: permission denied; "
                + "not used for the rest of this run"), warnings);
    }

    @Test
    void specsShowWithoutPasswords() {
        assertEquals("redis://user@h:6379/0", CacheSpec.redact("redis://user:pw@h:6379/0"));
        assertEquals("rediss://h:6380", CacheSpec.redact("rediss://:pw@h:6380"));
        assertEquals("redis://h", CacheSpec.redact("redis://onlypassword@h"));
        assertEquals("dir:/a@b", CacheSpec.redact("dir:/a@b"));
        assertEquals("see redis://u@h and rediss://h2", SourceCaches.withoutPasswords("see redis://u:p@h and rediss://:q@h2"));
    }
}
