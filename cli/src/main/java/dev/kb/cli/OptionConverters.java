package dev.kb.cli;

import dev.kb.core.text.Durations;
import dev.kb.core.text.Sizes;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Picocli adapters for option values such as {@code 30s}, {@code 5m}, {@code 512MB}; the rules and
 * the wording are {@link Durations#parse} and {@link Sizes#parse}. A refusal becomes a
 * {@link CommandLine.TypeConversionException}, which picocli reports as a usage error naming the
 * option; any other exception would reach the user as "cannot convert" with a Java class name.
 */
final class OptionConverters {
    private OptionConverters() {
    }

    /** {@code 0}, {@code 30} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 1048576}, {@code 512KB}, {@code 1MB}, {@code 2GiB} (binary multiples throughout). */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
