package dev.kb.core.cache;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code none}: holds nothing. The default; with it (or with no cache configured at all) the
 * prepare path never builds a {@link SourceCaches}, so this class exists for the registry's
 * round trip and for a SPEC list that names {@code none} explicitly.
 */
public final class NoneCache implements SourceCache {
    private volatile boolean initialized;

    @Override
    public String id() {
        return CacheSpec.NONE;
    }

    @Override
    public boolean isEnabled() {
        return false;
    }

    @Override
    public void initialize(CacheServices services) {
        initialized = true;
    }

    private void ready() {
        if (!initialized) {
            throw new IllegalStateException("cache none used before initialize()");
        }
    }

    @Override
    public Optional<CacheEntry> lookup(CacheKey key) {
        ready();
        return Optional.empty();
    }

    @Override
    public boolean readBlob(CacheEntry.Blob blob, Path dest) {
        ready();
        return false;
    }

    @Override
    public void store(CacheEntry entry, Map<String, Path> files) {
        ready();
    }

    @Override
    public void remove(CacheKey key) {
        ready();
    }

    @Override
    public void recordUse(long hits, long misses) {
        ready();
    }

    @Override
    public CacheStats stats() {
        ready();
        return new CacheStats(0, 0, 0, 0);
    }

    @Override
    public CacheStats.Verified verify() {
        ready();
        return new CacheStats.Verified(0, 0);
    }

    @Override
    public void clear() {
        ready();
    }

    @Override
    public void close() {
    }

    /** The factory of {@code none}. */
    static final class Provider implements SourceCacheProvider {
        @Override
        public List<String> schemes() {
            return List.of(CacheSpec.NONE);
        }

        @Override
        public SourceCache create(CacheSpec spec) {
            return new NoneCache();
        }
    }
}
