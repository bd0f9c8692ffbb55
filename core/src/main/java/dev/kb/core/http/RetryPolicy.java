package dev.kb.core.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * When and how long to wait before retrying a remote call. Shared by URL fetching and the
 * PageIndex Cloud client so both treat rate limits and outages alike.
 *
 * <p>Retryable: 429, 500, 502, 503, 504 and connection resets. The delay is exponential from
 * {@code baseDelay}, capped at {@code maxDelay}; a server's {@code Retry-After} (seconds or an
 * HTTP date) replaces it, still capped, so a hostile header cannot park a cron job for a day.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** Three attempts, 1 s then 2 s, never more than 30 s between attempts. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
    }

    public static boolean isRetryableStatus(int code) {
        return code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
    }

    /**
     * The wait before attempt {@code nextAttempt} (2 for the first retry).
     *
     * @param retryAfter the response's Retry-After header, or null
     */
    public Duration delayBefore(int nextAttempt, String retryAfter, Instant now) {
        Duration exponential = baseDelay.multipliedBy(1L << Math.min(20, Math.max(0, nextAttempt - 2)));
        Duration wanted = exponential;
        Duration fromHeader = parseRetryAfter(retryAfter, now);
        if (fromHeader != null) {
            wanted = fromHeader;
        }
        return wanted.compareTo(maxDelay) > 0 ? maxDelay : wanted;
    }

    /** Retry-After as delta-seconds or an IMF-fixdate; null when absent or unparseable. */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(now, at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
