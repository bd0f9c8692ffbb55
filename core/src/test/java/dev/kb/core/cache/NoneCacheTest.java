package dev.kb.core.cache;

/** The contract, for {@code none}: holds nothing, and says so. */
class NoneCacheTest extends SourceCacheContractTest {
    @Override
    protected String spec() {
        return "none";
    }

    @Override
    protected boolean enabled() {
        return false;
    }

    @Override
    protected boolean retains() {
        return false;
    }

    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) {
        // nothing stored, nothing to damage
    }
}
