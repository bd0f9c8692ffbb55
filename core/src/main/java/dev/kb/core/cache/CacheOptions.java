package dev.kb.core.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * How caches are used in one run.
 *
 * @param deadline    how long one cache operation may take (a look-up, one blob, a store), plus
 *                    the same again for every {@link #BYTES_PER_DEADLINE} it moves; past it the
 *                    operation is abandoned and the cache is skipped for the rest of the run
 * @param dirMaxBytes the size a {@code dir} cache is kept under, blobs and entries together
 * @param maxAge      how old a cached URL may be and still be used without asking the server;
 *                    zero: always revalidated with a conditional request ({@code --cache-max-age})
 */
public record CacheOptions(Duration deadline, long dirMaxBytes, Duration maxAge) {
    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(250);
    public static final long DEFAULT_DIR_MAX_BYTES = 2L << 30;
    /** A blob of this many bytes earns one more deadline: 32 MiB/s is slower than any disk or LAN. */
    public static final long BYTES_PER_DEADLINE = 8L << 20;

    public CacheOptions {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(maxAge, "maxAge");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the cache deadline must be positive: " + deadline);
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("the cache max age must not be negative: " + maxAge);
        }
        if (dirMaxBytes < 0) {
            throw new IllegalArgumentException("the dir cache size must not be negative: " + dirMaxBytes);
        }
    }

    public static CacheOptions defaults() {
        return new CacheOptions(DEFAULT_DEADLINE, DEFAULT_DIR_MAX_BYTES, Duration.ZERO);
    }

    /** The deadline of an operation that moves {@code bytes}. */
    public Duration deadlineFor(long bytes) {
        long extra = Math.max(0, bytes) / BYTES_PER_DEADLINE;
        return deadline.multipliedBy(1 + extra);
    }

    public CacheOptions withDeadline(Duration d) {
        return new CacheOptions(d, dirMaxBytes, maxAge);
    }

    public CacheOptions withDirMaxBytes(long bytes) {
        return new CacheOptions(deadline, bytes, maxAge);
    }

    public CacheOptions withMaxAge(Duration age) {
        return new CacheOptions(deadline, dirMaxBytes, age);
    }
}
