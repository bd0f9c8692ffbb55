package dev.kb.core.fetch;

import dev.kb.core.http.RetryPolicy;
import dev.kb.core.http.Sleeper;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits for fetching one remote document.
 *
 * @param timeout      one deadline for the whole document: connect, every redirect and retry, and
 *                     the whole body (the contract's {@code --timeout})
 * @param maxBytes     the most bytes the body may have after decoding (the contract's {@code --max-size})
 * @param maxRedirects how many redirects are followed before giving up
 * @param retry        when and how long to wait before retrying a transient failure
 * @param sleeper      how the wait is done; tests record the delays instead of sleeping
 */
public record FetchOptions(Duration timeout, long maxBytes, int maxRedirects, RetryPolicy retry, Sleeper sleeper) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;
    public static final int DEFAULT_MAX_REDIRECTS = 10;

    public FetchOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(sleeper, "sleeper");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative: " + maxRedirects);
        }
    }

    /** 60 s, 512 MiB, 10 redirects, {@link RetryPolicy#DEFAULT}, real sleeping. */
    public static FetchOptions defaults() {
        return new FetchOptions(DEFAULT_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_REDIRECTS, RetryPolicy.DEFAULT, Sleeper.REAL);
    }

    public FetchOptions withTimeout(Duration newTimeout) {
        return new FetchOptions(newTimeout, maxBytes, maxRedirects, retry, sleeper);
    }

    public FetchOptions withMaxBytes(long newMaxBytes) {
        return new FetchOptions(timeout, newMaxBytes, maxRedirects, retry, sleeper);
    }
}
