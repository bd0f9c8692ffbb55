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
     * @param kept    those that failed and could not be removed, one line each naming it and why: a
     *                read-only cache (another KB) reports its damage for its owner to repair, and
     *                meanwhile serves none of it (each is a miss)
     */
    public record Verified(long checked, long dropped, java.util.List<String> kept) {
        public Verified {
            kept = java.util.List.copyOf(kept);
        }

        /** A cache that removes what fails. */
        public Verified(long checked, long dropped) {
            this(checked, dropped, java.util.List.of());
        }

        /** Every one that failed, dropped or kept. */
        public long failed() {
            return dropped + kept.size();
        }
    }
}
