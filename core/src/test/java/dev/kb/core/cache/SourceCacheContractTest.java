package dev.kb.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link SourceCache} provider keeps, written once. A provider's test extends
 * this class and says how to name it ({@link #spec}) and how to damage what it stores
 * ({@link #damage}); a read-only provider also says how entries get into it ({@link #seed}).
 *
 * <p>Checked: identity, enabled, the registry's round trip from SPEC to provider, initialize
 * idempotent, look-up and store delegated (directly and through {@link SourceCaches}), a miss,
 * degraded entries (cut short, bytes not matching their hash, of another converter version) as
 * misses with at most one warning, stats, verify, clear, and fail-fast before initialize.
 */
public abstract class SourceCacheContractTest {
    @TempDir
    protected Path tmp;

    /** The caches this test made; closed after it. */
    private final List<SourceCache> made = new ArrayList<>();
    /** Warnings the test's {@link SourceCaches} gave. */
    protected final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    /** How a test damages a stored entry, the way a crash, a full disk or a hand edit would. */
    public enum Damage {
        /** The entry itself cut short. */
        TRUNCATE_ENTRY,
        /** The bytes of its blob cut short. */
        TRUNCATE_BLOB,
        /** One byte of its blob changed, its length kept. */
        FLIP_BLOB_BYTE
    }

    /** The SPEC of the cache under test; a relative PATH is relative to {@link #tmp}. */
    protected abstract String spec();

    /**
     * Damages what {@code cache} (initialised) stores for {@code key}, whose entry has the one
     * blob {@code blob}, in the provider's own store (its files, its server).
     */
    protected abstract void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how)
            throws Exception;

    /** What {@link SourceCache#id()} must say: the SPEC without its password. */
    protected String expectedId() {
        return CacheSpec.redact(spec());
    }

    /** False for {@code none}. */
    protected boolean enabled() {
        return true;
    }

    /** Whether what is stored can be found again ({@code none}: no). */
    protected boolean retains() {
        return true;
    }

    /** A provider that cannot be written through {@link SourceCache#store} (another KB): entries come by {@link #seed}. */
    protected boolean readOnly() {
        return false;
    }

    /**
     * Puts {@code entry} with its blob files into {@code cache}; a read-only provider's test writes its
     * store. Returns the entry the cache now holds for its key: {@code entry} itself, or for a provider
     * that makes its entries from what its store keeps (another KB), the entry the test expects it to make.
     */
    protected CacheEntry seed(SourceCache cache, CacheEntry entry, Map<String, Path> files) throws Exception {
        cache.store(entry, files);
        return entry;
    }

    /** Whether the cache answers keys of this kind at all, as {@link #seed} puts them into it. */
    protected boolean serves(CacheKey.Kind kind) {
        return true;
    }

    /** The providers the registry round trip uses: the default list. */
    protected List<SourceCacheProvider> providers() {
        return CacheProviders.defaults();
    }

    /** The environment the cache sees: kb's cache directory inside {@link #tmp}. */
    protected Map<String, String> env() {
        return Map.of("HOME", tmp.resolve("home").toString(), "XDG_CACHE_HOME", tmp.resolve("xdg-cache").toString());
    }

    protected CacheServices services() {
        return new CacheServices(env(), CacheOptions.defaults(), Map.of(), Clock.systemUTC(), null);
    }

    /** A new cache of {@link #spec}, through the registry, not initialised. */
    protected SourceCache newCache() {
        SourceCache c = CacheProviders.create(CacheSpec.parse(spec(), tmp), providers());
        made.add(c);
        return c;
    }

    /** A new cache, initialised. */
    protected SourceCache ready() throws Exception {
        SourceCache c = newCache();
        c.initialize(services());
        return c;
    }

    @BeforeEach
    void madeDirs() throws Exception {
        Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(tmp.resolve("staging"));
    }

    @AfterEach
    void closeAll() {
        made.forEach(SourceCache::close);
    }

    private int files;

    /** A file in the test's staging with {@code text}. */
    protected Path file(String text) throws Exception {
        return Files.writeString(tmp.resolve("staging").resolve("f" + (files++)), text, StandardCharsets.UTF_8);
    }

    /** A destination in the test's staging. */
    protected Path dest() {
        return tmp.resolve("staging").resolve("d" + (files++));
    }

    protected CacheKey urlKey(String url) {
        return new CacheKey(CacheKey.Kind.URL, url, urlVersion());
    }

    /** The version of the URL keys the tests use: the layout of URL entries, where a provider answers only that. */
    protected String urlVersion() {
        return "1";
    }

    /** An entry for {@code key} with one blob {@code raw} of {@code file}'s bytes and a few fields. */
    protected static CacheEntry entry(CacheKey key, Path file) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("final_url", key.name());
        fields.put("content_type", "text/html; charset=utf-8");
        fields.put("pages", 3);
        fields.put("etag", null);
        return new CacheEntry(key, 1_700_000_000_000L, fields,
                List.of(new CacheEntry.Blob("raw", Hashing.sha256Hex(file), Files.size(file))));
    }

    /** Stores an entry of {@code text} under {@code key} and returns it. */
    protected CacheEntry put(SourceCache cache, CacheKey key, String text) throws Exception {
        Path f = file(text);
        return seed(cache, entry(key, f), Map.of("raw", f));
    }

    protected SourceCaches wrapped(SourceCache... caches) {
        return SourceCaches.open(List.of(caches), services(), warnings::add);
    }

    @Test
    void identityIsTheSpecWithoutAPassword() {
        SourceCache c = newCache();
        assertEquals(expectedId(), c.id());
        assertFalse(c.id().matches(".*://[^/@]*:[^/@]*@.*"), "a password in the id: " + c.id());
    }

    @Test
    void enabledAsTheProviderSays() {
        assertEquals(enabled(), newCache().isEnabled());
    }

    @Test
    void theRegistryChoosesThisProviderForItsSpec() {
        CacheSpec spec = CacheSpec.parse(spec(), tmp);
        long serving = providers().stream().filter(p -> p.schemes().contains(spec.scheme())).count();
        assertEquals(1, serving, "factories serving " + spec.scheme());
        SourceCache a = newCache();
        SourceCache b = CacheProviders.create(spec, providers());
        made.add(b);
        assertEquals(a.getClass(), b.getClass());
        assertEquals(a.id(), b.id());
    }

    @Test
    void initializeIsIdempotent() throws Exception {
        SourceCache c = ready();
        c.initialize(services());
        CacheKey k = urlKey("https://example.org/idempotent");
        if (retains()) {
            put(c, k, "once");
        }
        c.initialize(services());
        assertEquals(retains(), c.lookup(k).isPresent());
    }

    @Test
    void everyOperationBeforeInitializeFailsLoudly() throws Exception {
        SourceCache c = newCache();
        CacheKey k = urlKey("https://example.org/early");
        Path f = file("early");
        CacheEntry e = entry(k, f);
        assertThrows(IllegalStateException.class, () -> c.lookup(k));
        assertThrows(IllegalStateException.class, () -> c.readBlob(e.blobs().get(0), dest()));
        assertThrows(IllegalStateException.class, () -> c.store(e, Map.of("raw", f)));
        assertThrows(IllegalStateException.class, () -> c.remove(k));
        assertThrows(IllegalStateException.class, c::stats);
        assertThrows(IllegalStateException.class, () -> c.recordUse(1, 1));
    }

    @Test
    void anUnknownKeyIsAMiss() throws Exception {
        SourceCache c = ready();
        CacheKey k = urlKey("https://example.org/never-stored");
        assertEquals(Optional.empty(), c.lookup(k));
        try (SourceCaches s = wrapped(c)) {
            assertTrue(s.find(k).isEmpty());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void whatIsStoredIsFoundWithItsBytes() throws Exception {
        SourceCache c = ready();
        CacheKey k = urlKey("https://example.org/a?q=1");
        CacheEntry e = put(c, k, "the bytes of a");
        Optional<CacheEntry> found = c.lookup(k);
        assertEquals(retains(), found.isPresent());
        if (!retains()) {
            return;
        }
        assertEquals(k, found.get().key());
        assertEquals(e.fields(), found.get().fields());
        assertEquals(e.blobs(), found.get().blobs());
        Path d = dest();
        assertTrue(c.readBlob(found.get().blobs().get(0), d));
        assertEquals("the bytes of a", Files.readString(d));
        // the same through the safe wrapper
        try (SourceCaches s = wrapped(c)) {
            SourceCaches.Hit hit = s.find(k).orElseThrow();
            Path d2 = dest();
            assertTrue(hit.fetch(Map.of("raw", d2)));
            assertArrayEquals("the bytes of a".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(d2));
            assertEquals(1, s.hits(0));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aStoreThroughTheWrapperIsFound() throws Exception {
        if (readOnly()) {
            return;
        }
        SourceCache c = ready();
        CacheKey k = urlKey("https://example.org/wrapped");
        Path f = file("wrapped bytes");
        try (SourceCaches s = wrapped(c)) {
            s.store(entry(k, f), Map.of("raw", f));
        }
        assertEquals(retains(), c.lookup(k).isPresent());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aStoredEntryReplacesTheOneBefore() throws Exception {
        if (!retains()) {
            return;
        }
        SourceCache c = ready();
        CacheKey k = urlKey("https://example.org/replaced");
        put(c, k, "first");
        CacheEntry second = put(c, k, "second, longer");
        CacheEntry found = c.lookup(k).orElseThrow();
        assertEquals(second.blobs(), found.blobs());
        Path d = dest();
        assertTrue(c.readBlob(found.blobs().get(0), d));
        assertEquals("second, longer", Files.readString(d));
    }

    @Test
    void anEntryOfAnotherConverterVersionIsAMiss() throws Exception {
        SourceCache c = ready();
        CacheKey v1 = new CacheKey(CacheKey.Kind.CONVERSION, "sha|pdf|x.pdf", "converter-1");
        CacheKey v2 = new CacheKey(CacheKey.Kind.CONVERSION, "sha|pdf|x.pdf", "converter-2");
        put(c, v1, "converted by version 1");
        try (SourceCaches s = wrapped(c)) {
            assertTrue(s.find(v2).isEmpty(), "an entry of converter-1 served for converter-2");
            assertEquals(retains() && serves(CacheKey.Kind.CONVERSION), s.find(v1).isPresent());
        }
    }

    @Test
    void aTruncatedEntryIsAMissWithOneWarning() throws Exception {
        degradedIsAMiss(Damage.TRUNCATE_ENTRY);
    }

    @Test
    void aTruncatedBlobIsAMissWithOneWarning() throws Exception {
        degradedIsAMiss(Damage.TRUNCATE_BLOB);
    }

    @Test
    void aBlobWhoseBytesDoNotMatchItsHashIsAMiss() throws Exception {
        degradedIsAMiss(Damage.FLIP_BLOB_BYTE);
    }

    private void degradedIsAMiss(Damage how) throws Exception {
        if (!retains()) {
            return;
        }
        SourceCache c = ready();
        List<CacheKey> keys = List.of(urlKey("https://example.org/d1"), urlKey("https://example.org/d2"));
        List<CacheEntry> entries = new ArrayList<>();
        for (CacheKey k : keys) {
            entries.add(put(c, k, "sound bytes of " + k.name() + " before the damage"));
            damage(c, k, entries.get(entries.size() - 1).blobs().get(0), how);
        }
        // directly: a miss, a Malformed or an entry whose blob fails; never another exception
        try {
            c.lookup(keys.get(0));
        } catch (CacheEntry.Malformed expected) {
            // fine
        }
        try (SourceCaches s = wrapped(c)) {
            for (CacheKey k : keys) {
                Optional<SourceCaches.Hit> hit = s.find(k);
                if (hit.isPresent()) {
                    Path d = dest();
                    assertFalse(hit.get().fetch(Map.of("raw", d)), how + ": a damaged entry was served");
                    assertFalse(Files.exists(d), "the damaged bytes were left in staging");
                }
            }
            assertFalse(s.failed(0), "one damaged entry turned the whole cache off");
            assertEquals(0, s.hits(0));
        }
        assertTrue(warnings.size() <= 1, "more than one warning: " + warnings);
        for (String w : warnings) {
            assertTrue(w.startsWith("cache " + expectedId() + ": "), w);
        }
    }

    @Test
    void statsCountEntriesBytesAndRecordedUse() throws Exception {
        SourceCache c = ready();
        CacheStats before = c.stats();
        if (!readOnly()) {
            c.recordUse(2, 3);
        }
        put(c, urlKey("https://example.org/s"), "x".repeat(1000));
        CacheStats after = c.stats();
        if (!retains()) {
            assertEquals(0, after.entries());
            return;
        }
        assertEquals(before.entries() + 1, after.entries());
        assertTrue(after.bytes() >= before.bytes() + 1000, before + " -> " + after);
        if (!readOnly()) {
            assertEquals(before.hits() + 2, after.hits());
            assertEquals(before.misses() + 3, after.misses());
        }
    }

    @Test
    void verifyDropsWhatFailsAndKeepsTheRest() throws Exception {
        if (!retains()) {
            return;
        }
        SourceCache c = ready();
        CacheKey good = urlKey("https://example.org/good");
        CacheKey bad = urlKey("https://example.org/bad");
        put(c, good, "good bytes");
        CacheEntry b = put(c, bad, "bad bytes, soon");
        damage(c, bad, b.blobs().get(0), Damage.FLIP_BLOB_BYTE);
        CacheStats.Verified v = c.verify();
        assertTrue(v.checked() >= 2, v.toString());
        assertTrue(v.failed() >= 1, v.toString());
        if (readOnly()) {
            assertEquals(0, v.dropped(), "a read-only cache dropped entries: " + v);
        } else {
            assertTrue(v.dropped() >= 1, v.toString());
        }
        try (SourceCaches s = wrapped(c)) {
            assertTrue(s.find(bad).map(h -> h.fetch(Map.of("raw", dest()))).orElse(false) == false);
            assertTrue(s.find(good).orElseThrow().fetch(Map.of("raw", dest())));
        }
    }

    @Test
    void clearEmptiesIt() throws Exception {
        if (readOnly() || !retains()) {
            return;
        }
        SourceCache c = ready();
        CacheKey k = urlKey("https://example.org/cleared");
        put(c, k, "cleared bytes");
        c.clear();
        assertEquals(Optional.empty(), c.lookup(k));
        assertEquals(0, c.stats().entries());
    }

    @Test
    void aHitBehindAnotherCacheFillsIt() throws Exception {
        if (!retains()) {
            return;
        }
        SourceCache behind = ready();
        CacheKey k = urlKey("https://example.org/layered");
        put(behind, k, "from the second layer");
        SourceCache front = CacheProviders.create(CacheSpec.parse("dir:front-layer", tmp));
        made.add(front);
        front.initialize(services());
        try (SourceCaches s = wrapped(front, behind)) {
            assertTrue(s.find(k).orElseThrow().fetch(Map.of("raw", dest())));
            assertEquals(0, s.hits(0));
            assertEquals(1, s.hits(1));
        }
        CacheEntry filled = front.lookup(k).orElseThrow();
        Path d = dest();
        assertTrue(front.readBlob(filled.blobs().get(0), d));
        assertEquals("from the second layer", Files.readString(d));
        assertNotEquals(front.id(), behind.id());
    }
}
