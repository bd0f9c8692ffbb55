package dev.kb.core.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A provider of cached sources (see the package documentation for the protocol). Providers are
 * plain: they store and return what they are given, and may fail in any way. Callers never use
 * one directly but through {@link SourceCaches}, which bounds every call by a deadline, verifies
 * every entry and blob against its hash, turns every failure into a miss, and stops using a
 * cache after its first failure.
 *
 * <p>A provider is safe for concurrent use by the threads of one run, and by other processes on
 * the same store.
 */
public interface SourceCache extends AutoCloseable {

    /** The cache as it may be shown: its SPEC without any password ({@link CacheSpec#shown}). */
    String id();

    /** False for a cache that never holds anything ({@code none}): callers need not ask it. */
    boolean isEnabled();

    /**
     * Checks the provider's own settings ({@link CacheServices#setting}, e.g. {@code redis.ttl})
     * before any work, so that a bad value is a usage error naming it rather than a cache that
     * fails every run. Called by {@link CacheConfig}; may be called before {@link #initialize}.
     *
     * @throws IllegalArgumentException whose message starts with the setting's key and a colon
     */
    default void checkSettings(CacheServices services) {
    }

    /**
     * Makes the cache ready: opens, creates or connects what it needs. Idempotent: a second call
     * does nothing. Until it has returned, every other operation but {@link #id}, {@link
     * #isEnabled} and {@link #close} throws {@link IllegalStateException}: a call before it is a
     * wiring bug, which a silent miss would pass off as an outage.
     */
    void initialize(CacheServices services) throws IOException;

    /**
     * The entry stored under {@code key.id()}, or empty. Whether it is the entry asked for (its
     * key, its version) and whether its blobs are sound is the caller's to check.
     *
     * @throws CacheEntry.Malformed when an entry is there but cannot be read (the caller counts it a miss)
     * @throws IOException          when the cache cannot be reached or read (the caller stops using it)
     */
    Optional<CacheEntry> lookup(CacheKey key) throws IOException, CacheEntry.Malformed;

    /**
     * Copies the bytes stored for {@code blob} into {@code dest} (a new file in the caller's
     * private staging; replaced if it exists).
     *
     * @return false when the cache has no bytes for it
     */
    boolean readBlob(CacheEntry.Blob blob, Path dest) throws IOException;

    /**
     * Stores {@code entry} and the bytes of its blobs, {@code files} naming a file for each blob
     * name (the caller guarantees each file's bytes hash to its blob's {@code sha256}); replaces an
     * entry stored under the same key. A blob the cache already holds need not be copied again.
     */
    void store(CacheEntry entry, Map<String, Path> files) throws IOException;

    /** Forgets the entry under {@code key.id()}, if any: one that failed verification. */
    void remove(CacheKey key) throws IOException;

    /** Adds one run's hits and misses to the counts {@link #stats} reports. */
    void recordUse(long hits, long misses) throws IOException;

    /** Hits and misses so far, entries and bytes now. */
    CacheStats stats() throws IOException;

    /** Reads and re-hashes every entry and blob, and drops those that fail. */
    CacheStats.Verified verify() throws IOException;

    /** Removes every entry and blob, and the counts. */
    void clear() throws IOException;

    /** Releases what {@link #initialize} took; never throws. */
    @Override
    void close();
}
