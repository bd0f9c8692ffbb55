package dev.kb.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {

    private static String refusal(String value) {
        return assertThrows(IllegalArgumentException.class, () -> Durations.parse(value), value).getMessage();
    }

    @Test
    void parsesOneNumberWithAnOptionalUnit() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("30"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofMinutes(5), Durations.parse(" 5M "));
        assertEquals(Duration.ofMillis(250), Durations.parse("250MS"));
        assertEquals(Duration.ofSeconds(7), Durations.parse("007"));
    }

    @Test
    void zeroIsADuration() {
        for (String zero : List.of("0", "0s", "0ms", "0m", "0h")) {
            assertEquals(Duration.ZERO, Durations.parse(zero), zero);
        }
    }

    @Test
    void overflowIsTooLarge() {
        String most = " is too large a duration (at most 87600h)";
        assertEquals("'9223372036854775808'" + most, refusal("9223372036854775808"));
        assertEquals("'99999999999999999999ms'" + most, refusal("99999999999999999999ms"));
        // these fit in a long but not in a Duration's seconds
        assertEquals("'9223372036854775807h'" + most, refusal("9223372036854775807h"));
        assertEquals("'9223372036854775807m'" + most, refusal("9223372036854775807m"));
    }

    /**
     * Each of these fits in a Duration, but added to a clock it overflowed: {@code --wait 9999999h}
     * was "long overflow" (exit 70), a huge {@code --wait-ready} a DateTimeException per input.
     */
    @Test
    void beyondTenYearsIsTooLarge() {
        String most = " is too large a duration (at most 87600h)";
        for (String huge : List.of("9999999h", "87601h", "5256001m", "315360001", "315360000001ms",
                "9223372036854775807", "9223372036854775807ms")) {
            assertEquals("'" + huge + "'" + most, refusal(huge), huge);
        }
        assertEquals(Durations.MAX, Durations.parse("87600h"));
        assertEquals(Durations.MAX, Durations.parse("315360000"));
        assertEquals(Durations.MAX, Durations.parse("315360000000ms"));
        // the deadlines kb computes from the longest duration do not overflow
        assertTrue(Long.MAX_VALUE - Durations.MAX.toNanos() > Long.MAX_VALUE / 2);
        java.time.Instant.now().plus(Durations.MAX).plus(Durations.MAX);
    }

    @Test
    void garbageIsNotADuration() {
        for (String garbage : List.of("forever", "xx", "", " ", "-1s", "+5s", "5 parsecs", "1.5s", "1m30s", "5 m",
                "s", "5d", "PT5S", "٥s")) {
            assertEquals("'" + garbage + "' is not a duration (examples: 0, 30s, 5m, 1h, 500ms)", refusal(garbage),
                    garbage);
        }
    }

    @Test
    void formatsInTheLargestUnitThatHoldsItExactly() {
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("2500ms", Durations.format(Duration.ofMillis(2500)));
        assertEquals("1s", Durations.format(Duration.ofMillis(1000)));
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("100s", Durations.format(Duration.ofSeconds(100)));
        assertEquals("1m", Durations.format(Duration.ofSeconds(60)));
        assertEquals("5m", Durations.format(Duration.ofMinutes(5)));
        assertEquals("90m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("1h", Durations.format(Duration.ofHours(1)));
        assertEquals("48h", Durations.format(Duration.ofDays(2)));
        assertEquals("3601s", Durations.format(Duration.ofSeconds(3601)));
        assertEquals("1s", Durations.format(Duration.ofSeconds(1, 999_999)), "below a millisecond is dropped");
        assertEquals("-5s", Durations.format(Duration.ofSeconds(-5)));
        assertEquals(Long.MAX_VALUE + "s", Durations.format(Duration.ofSeconds(Long.MAX_VALUE)), "no overflow");
    }

    @Test
    void whatIsFormattedParsesBackToTheSameDuration() {
        for (long ms : new long[] {0, 1, 999, 1000, 1001, 59_000, 60_000, 61_000, 90_000, 3_599_000, 3_600_000,
                5_400_000, 86_400_000, 123_456_789, Durations.MAX.toMillis()}) {
            Duration d = Duration.ofMillis(ms);
            assertEquals(d, Durations.parse(Durations.format(d)), Durations.format(d));
        }
        for (String typed : List.of("0", "30s", "90s", "5m", "90m", "1h", "500ms", "1500ms")) {
            assertEquals(Durations.parse(typed), Durations.parse(Durations.format(Durations.parse(typed))), typed);
        }
    }
}
