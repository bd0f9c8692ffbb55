package dev.kb.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Parsers for option values such as {@code 30s}, {@code 5m}, {@code 512MB}. */
final class Conversions {
    private Conversions() {
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|k|kib|mb|m|mib|gb|g|gib)?");

    /** {@code 0}, {@code 30} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a duration (examples: 0, 30s, 5m, 1h, 500ms)");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is too large a duration");
            }
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }

    /** {@code 1048576}, {@code 512KB}, {@code 1MB}, {@code 2GiB} (binary multiples throughout). */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a size (examples: 1MB, 512KB, 2GB)");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is too large a size");
            }
            String unit = m.group(2) == null ? "b" : m.group(2);
            long mult = switch (unit) {
                case "kb", "k", "kib" -> 1L << 10;
                case "mb", "m", "mib" -> 1L << 20;
                case "gb", "g", "gib" -> 1L << 30;
                default -> 1;
            };
            if (n <= 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be more than zero");
            }
            if (n > Long.MAX_VALUE / mult) {
                throw new CommandLine.TypeConversionException("'" + value + "' is too large a size");
            }
            return n * mult;
        }
    }
}
