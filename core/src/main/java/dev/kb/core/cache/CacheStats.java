package dev.kb.core.cache;

/**
 * What {@code kb cache stats} shows of one cache.
 *
 * @param hits    look-ups answered, over every run that used the cache (persisted by the provider)
 * @param misses  look-ups not answered (absent, unusable or failed entries)
 * @param entries entries held
 * @param bytes   bytes held, entries and blobs together
 */
public record CacheStats(long hits, long misses, long entries, long bytes) {

    /**
     * What {@code kb cache verify} found.
     *
     * @param checked entries and blobs read and re-hashed
     * @param dropped those that failed and were removed
     */
    public record Verified(long checked, long dropped) {
    }
}
