package dev.kb.core.text;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations the way kb's options take them and its messages give them back: {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 1h}. What {@link #format} writes, {@link #parse} reads, so a
 * message such as "gave up after 90s (use --wait to wait longer)" names a value the user can type.
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");
    /**
     * The longest duration any option takes: ten years. Every wait and deadline is added to a clock
     * ({@code System.nanoTime()} in nanoseconds, an {@code Instant}), and beyond about 292 years
     * that sum overflows: {@code --wait 9999999h} was an internal error, and a huge
     * {@code --wait-ready} failed each input with a DateTimeException. Refused here, it is a
     * usage error naming the option.
     */
    public static final Duration MAX = Duration.ofDays(3650);

    private Durations() {
    }

    /**
     * Reads {@code 0}, {@code 30} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; the
     * case of the unit and surrounding whitespace do not matter. One number and one unit only:
     * no {@code 1m30s}, no fractions, no sign; at most {@link #MAX}.
     *
     * @throws IllegalArgumentException with a one-line message for the user that quotes {@code value}
     */
    public static Duration parse(String value) {
        Matcher m = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (examples: 0, 30s, 5m, 1h, 500ms)");
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            d = switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            // ArithmeticException: more hours or minutes than a Duration's seconds hold, which
            // would otherwise reach the user as picocli's "cannot convert" with a stack of Java
            d = null;
        }
        if (d == null || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + value + "' is too large a duration (at most " + format(MAX) + ")");
        }
        return d;
    }

    /**
     * Writes {@code d} in the largest of h, m, s, ms that holds it exactly: {@code 1h},
     * {@code 90m}, {@code 90s}, {@code 1500ms}, {@code 0s}. Never a compound such as {@code 1m30s},
     * which {@link #parse} (and so every option) refuses. Below a millisecond is dropped.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.getNano() / 1_000_000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
