package dev.kb.core.fetch;

import java.util.Locale;

/** Byte counts for messages: exact binary or decimal units when they fit, else one decimal in binary units. */
public final class ByteSizes {
    private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB"};
    private static final String[] DECIMAL = {"kB", "MB", "GB", "TB"};

    private ByteSizes() {
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes == 1 ? "1 byte" : bytes + " bytes";
        }
        // A limit the user wrote as 512MB may have been parsed either way; show it in the unit
        // that divides it exactly into the smaller number.
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
        double value = bytes;
        while (value >= 1024 && i < BINARY.length) {
            value /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY[i - 1]);
    }
}
