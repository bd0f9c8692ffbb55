package dev.kb.core.text;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts the way kb's options take them ({@code 512KB}, {@code 1MB}, {@code 2GiB}: binary
 * multiples throughout) and its messages write them ({@code 512 MiB}, {@code 5 MB},
 * {@code 4.8 MiB}).
 */
public final class Sizes {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(b|kb|k|kib|mb|m|mib|gb|g|gib)?");
    private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB"};
    private static final String[] DECIMAL = {"kB", "MB", "GB", "TB"};

    private Sizes() {
    }

    /**
     * Reads {@code 1048576} (bytes), {@code 512KB}, {@code 512 kib}, {@code 1M}, {@code 2GB}; case
     * and surrounding whitespace do not matter, and KB, MB, GB mean KiB, MiB, GiB. Zero is refused:
     * every size kb takes is a limit, and a limit of zero would refuse every document.
     *
     * @throws IllegalArgumentException with a one-line message for the user that quotes {@code value}
     */
    public static long parse(String value) {
        Matcher m = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a size (examples: 1MB, 512KB, 2GB)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is too large a size");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long mult = switch (unit) {
            case "kb", "k", "kib" -> 1L << 10;
            case "mb", "m", "mib" -> 1L << 20;
            case "gb", "g", "gib" -> 1L << 30;
            default -> 1;
        };
        if (n <= 0) {
            throw new IllegalArgumentException("'" + value + "' must be more than zero");
        }
        if (n > Long.MAX_VALUE / mult) {
            throw new IllegalArgumentException("'" + value + "' is too large a size");
        }
        return n * mult;
    }

    /**
     * Writes {@code bytes} exactly in binary or decimal units when one divides it, whichever gives
     * the smaller number ({@code 512 MiB}, {@code 5 MB}), else with one decimal in binary units
     * ({@code 4.8 MiB}); below 1 KiB as bytes ({@code 1 byte}, {@code 1000 bytes}).
     */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes == 1 ? "1 byte" : bytes + " bytes";
        }
        // A limit parsed from 512MB is binary and shows as 512 MiB, as written; a size from
        // elsewhere (a server's Content-Length, a file) is as often a round decimal number, and
        // "5 MB" says that better than "4.8 MiB".
        String best = null;
        long bestValue = Long.MAX_VALUE;
        for (int i = BINARY.length; i >= 1; i--) {
            long unit = 1L << (10 * i);
            if (bytes >= unit && bytes % unit == 0) {
                best = bytes / unit + " " + BINARY[i - 1];
                bestValue = bytes / unit;
                break;
            }
        }
        for (int i = DECIMAL.length; i >= 1; i--) {
            long unit = (long) Math.pow(1000, i);
            if (bytes >= unit && bytes % unit == 0) {
                if (bytes / unit < bestValue) {
                    best = bytes / unit + " " + DECIMAL[i - 1];
                }
                break;
            }
        }
        if (best != null) {
            return best;
        }
        int i = 0;
        while (i < BINARY.length && bytes >= 1L << (10 * (i + 1))) {
            i++;
        }
        // tenths of the unit, exact and rounded half up as %.1f rounds (the unit is at most
        // 2^40, so rest * 10 cannot overflow); not String.format, whose Formatter loads the
        // locale data (~5 ms of every 'kb status'), nor BigDecimal, whose BigInteger sets up
        // fork-join machinery on JDK 25 (~10 ms)
        long unit = 1L << (10 * i);
        long tenths = bytes / unit * 10 + (bytes % unit * 10 + unit / 2) / unit;
        return tenths / 10 + "." + tenths % 10 + " " + BINARY[i - 1];
    }
}
