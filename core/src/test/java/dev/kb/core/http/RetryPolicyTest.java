package dev.kb.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.IntStream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30));

    @Test
    void exactlyRateLimitsAndServerTroubleAreRetryableStatuses() {
        List<Integer> retryable = IntStream.range(100, 600).filter(RetryPolicy::isRetryableStatus).boxed().toList();

        assertEquals(List.of(429, 500, 502, 503, 504), retryable);
    }

    @Test
    void refusedAndDroppedConnectionsAreTransient() {
        for (IOException e : List.of(
                new ConnectException("Connection refused"),
                new ConnectException("Network is unreachable"),
                new NoRouteToHostException("No route to host"),
                new SocketException("Connection reset"),
                new EOFException("\\n not found: limit=0 content=…"),
                new ProtocolException("unexpected end of stream"),
                new IOException("unexpected end of stream on http://example.com/..."))) {
            assertTrue(RetryPolicy.isTransient(e), e.toString());
        }
    }

    @Test
    void unknownHostsTlsFailuresTimeoutsAndInterruptsAreFinal() {
        for (IOException e : List.of(
                new UnknownHostException("no-such-host.invalid"),
                new SSLHandshakeException("PKIX path building failed"),
                new SSLException("Unsupported or unrecognized SSL message"),
                new SocketTimeoutException("timeout"),
                new InterruptedIOException("interrupted"))) {
            assertFalse(RetryPolicy.isTransient(e), e.toString());
        }
    }

    @Test
    void aCancelledCallIsNeverRetriedWhateverItFailedWith() {
        OkHttpClient client = HttpClients.builder(Duration.ofSeconds(1)).build();
        Call call = client.newCall(new Request.Builder().url("http://127.0.0.1:9/").build());
        IOException reset = new SocketException("Connection reset");

        assertTrue(RetryPolicy.isRetryable(call, reset));
        call.cancel();
        assertFalse(RetryPolicy.isRetryable(call, reset));
        assertFalse(RetryPolicy.isRetryable(call, new IOException("Canceled")));
    }

    @Test
    void delaysGrowExponentiallyUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), policy.delayBefore(2, null, NOW));
        assertEquals(Duration.ofSeconds(2), policy.delayBefore(3, null, NOW));
        assertEquals(Duration.ofSeconds(4), policy.delayBefore(4, null, NOW));
        assertEquals(Duration.ofSeconds(16), policy.delayBefore(6, null, NOW));
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(7, null, NOW));
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(1_000, null, NOW), "no overflow on a huge attempt");
    }

    @Test
    void retryAfterSecondsReplacesTheBackoffButStaysCapped() {
        assertEquals(Duration.ofSeconds(7), policy.delayBefore(2, "7", NOW));
        assertEquals(Duration.ZERO, policy.delayBefore(4, " 0 ", NOW), "shorter than the backoff too");
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(2, "86400", NOW), "a day is capped");
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(2, "99999999999999999999999", NOW));
    }

    @Test
    void retryAfterHttpDateIsTheTimeUntilThen() {
        String inTwelveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(12).atZone(ZoneOffset.UTC));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(60).atZone(ZoneOffset.UTC));
        String nextYear = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(365L * 86400).atZone(ZoneOffset.UTC));

        assertEquals(Duration.ofSeconds(12), policy.delayBefore(2, inTwelveSeconds, NOW));
        assertEquals(Duration.ZERO, policy.delayBefore(2, past, NOW));
        assertEquals(Duration.ofSeconds(30), policy.delayBefore(2, nextYear, NOW));
    }

    @Test
    void anUnusableRetryAfterFallsBackToTheBackoff() {
        for (String header : List.of("", "  ", "-5", "+5", "soon", "1.5", "Someday, 99 Foo 2025 00:00:00 GMT")) {
            assertEquals(Duration.ofSeconds(2), policy.delayBefore(3, header, NOW), header);
        }
        assertNull(RetryPolicy.parseRetryAfter(null, NOW));
    }

    @Test
    void misconfiguredPoliciesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(-1), Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(-30)));
        assertEquals(1, new RetryPolicy(1, Duration.ZERO, Duration.ZERO).maxAttempts(), "one attempt: no retries");
    }
}
