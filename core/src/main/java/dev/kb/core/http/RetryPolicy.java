package dev.kb.core.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import javax.net.ssl.SSLException;
import okhttp3.Call;

/**
 * Whether a failed remote call is tried again, and how long to wait first. The one rule for URL
 * fetching and the PageIndex Cloud client: both ask {@link #isRetryableStatus} and
 * {@link #isTransient} and decide nothing about retrying themselves, so the same outage never
 * fails an import while an add of the same server rides it out, or the other way round.
 *
 * <h2>What is retried</h2>
 * Every request kb sends is a GET, so sending one again is always safe; the question is only
 * whether the answer can be different a moment later.
 * <ul>
 *   <li><b>429, 500, 502, 503, 504.</b> Rate limits, overload, gateways, and 500 too: a 500 is
 *       often one backend instance that failed (a dropped database connection, a worker being
 *       restarted), and behind a load balancer the next attempt reaches another one. Not
 *       retrying it would fail a document on a blip; retrying a 500 that persists costs the
 *       waits (3 s with {@link #DEFAULT}) before the same message. Other statuses (4xx, 501,
 *       505…) say the request itself is wrong or unsupported, and are final.</li>
 *   <li><b>Dropped connections:</b> a reset, an end of stream before the whole response, a
 *       broken status line, an HTTP/2 stream reset, also in the middle of a body.</li>
 *   <li><b>A refused connection, and other failures to connect</b> (network unreachable, no
 *       route). Nothing listening at the address is what a server looks like for the seconds it
 *       takes to restart, or a container while it is rescheduled; with a proxy in front, the
 *       same moment is a 502 or 503, which is retried, so refusing to retry it here would make
 *       the answer depend on whether there is a proxy. Nothing was sent, so a retry is harmless;
 *       when the port is simply wrong, the waits delay the same "connection refused" by at most
 *       a few seconds, bounded by the caller's deadline.</li>
 * </ul>
 * Not retried, because a second attempt would fail the same way:
 * <ul>
 *   <li><b>An unknown host</b> ({@link UnknownHostException}): a misspelt host name. (Java does
 *       not tell a temporary resolver failure apart; kb treats both as final.)</li>
 *   <li><b>A TLS failure</b> ({@link SSLException}): an untrusted or expired certificate, a
 *       protocol mismatch; configuration, not luck.</li>
 *   <li><b>A timeout or an interrupt</b> ({@link InterruptedIOException}). Callers give each
 *       attempt all the time left before their deadline as its call timeout, so an attempt that
 *       timed out has used the deadline up, and there is no time for another; an interrupt means
 *       kb is stopping.</li>
 * </ul>
 *
 * <h2>How long to wait</h2>
 * Exponentially from {@code baseDelay} (1 s, 2 s, 4 s…), capped at {@code maxDelay}; a server's
 * {@code Retry-After} (seconds or an HTTP date) replaces that, still capped, so a hostile header
 * cannot park a cron job for a day. Callers never start a wait that would end at or after their
 * deadline (it could only postpone the same failure): they fail at once with their timeout
 * message instead.
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

    /** Whether a response with this status is worth another attempt (see the class documentation). */
    public static boolean isRetryableStatus(int code) {
        return code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
    }

    /**
     * Whether a call that failed with {@code e} (no response, or a response cut short) is worth
     * another attempt (see the class documentation). Everything but an unknown host, a TLS failure,
     * a timeout or an interrupt is: the remaining network failures are the connection being
     * refused or dropped.
     */
    public static boolean isTransient(IOException e) {
        return !(e instanceof UnknownHostException || e instanceof SSLException || e instanceof InterruptedIOException);
    }

    /**
     * Whether {@code call}, which failed with {@code e}, is tried again: never once it was
     * cancelled, or a fetch that {@code abort()} was meant to stop would start a fresh call after
     * the wait and hold the stop up until its deadline.
     */
    public static boolean isRetryable(Call call, IOException e) {
        return !call.isCanceled() && isTransient(e);
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
        if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException moreThanALong) {
                // still "wait very long", not garbage: falling back to the backoff would retry in 1 s
                return Duration.ofSeconds(Long.MAX_VALUE);
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException notDate) {
            return null;
        }
    }
}
