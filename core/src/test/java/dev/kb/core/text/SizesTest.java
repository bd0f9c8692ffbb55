package dev.kb.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class SizesTest {
    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static String refusal(String value) {
        return assertThrows(IllegalArgumentException.class, () -> Sizes.parse(value), value).getMessage();
    }

    @Test
    void parsesBytesAndBinaryMultiplesInEverySpelling() {
        assertEquals(42L, Sizes.parse("42"));
        assertEquals(42L, Sizes.parse("42b"));
        assertEquals(1_048_576L, Sizes.parse("1048576"));
        for (String kilo : List.of("512KB", "512kb", "512k", "512KiB", "512 kib", " 512K ")) {
            assertEquals(512 * KIB, Sizes.parse(kilo), kilo);
        }
        for (String mega : List.of("1MB", "1m", "1MiB", "1 M")) {
            assertEquals(MIB, Sizes.parse(mega), mega);
        }
        for (String giga : List.of("2GB", "2g", "2GiB", "2\tgb")) {
            assertEquals(2 * GIB, Sizes.parse(giga), giga);
        }
        assertEquals(Long.MAX_VALUE, Sizes.parse(Long.toString(Long.MAX_VALUE)));
        assertEquals((Long.MAX_VALUE / GIB) * GIB, Sizes.parse((Long.MAX_VALUE / GIB) + "GB"));
    }

    @Test
    void zeroIsRefused() {
        assertEquals("'0' must be more than zero", refusal("0"));
        assertEquals("'0KB' must be more than zero", refusal("0KB"));
        assertEquals("'000' must be more than zero", refusal("000"));
    }

    @Test
    void overflowIsTooLarge() {
        assertEquals("'99999999999999999GB' is too large a size", refusal("99999999999999999GB"));
        assertEquals("'9223372036854775808' is too large a size", refusal("9223372036854775808"));
        assertEquals("'8589934592GB' is too large a size", refusal("8589934592GB"));
    }

    @Test
    void garbageIsNotASize() {
        for (String garbage : List.of("lots", "", " ", "-1", "-1MB", "1.5MB", "1TB", "MB", "1 MB 2", "1e6", "0x10",
                "１MB")) {
            assertEquals("'" + garbage + "' is not a size (examples: 1MB, 512KB, 2GB)", refusal(garbage), garbage);
        }
    }

    @Test
    void formatsExactBinaryAndDecimalSizesAsWritten() {
        assertEquals("0 bytes", Sizes.format(0));
        assertEquals("1 byte", Sizes.format(1));
        assertEquals("1000 bytes", Sizes.format(1000));
        assertEquals("1 KiB", Sizes.format(1024));
        assertEquals("1 MiB", Sizes.format(1024 * 1024));
        assertEquals("512 MiB", Sizes.format(512L * 1024 * 1024));
        assertEquals("2 GiB", Sizes.format(2L << 30));
        assertEquals("1 MB", Sizes.format(1_000_000));
        assertEquals("512 MB", Sizes.format(512_000_000));
    }

    @Test
    void formatsOtherSizesWithOneDecimal() {
        assertEquals("1.5 KiB", Sizes.format(1537));
        assertEquals("4.8 MiB", Sizes.format(5_000_123));
    }

    /** The one decimal is what {@code %.1f} gave (half up), at every unit and at the rounding edges. */
    @Test
    void oneDecimalIsRoundedAsFormatterRoundsIt() {
        java.util.Random r = new java.util.Random(11);
        String[] units = {"KiB", "MiB", "GiB", "TiB"}; // beyond TiB, still TiB
        for (int n = 0; n < 20_000; n++) {
            int i = 1 + r.nextInt(units.length);
            long unit = 1L << (10 * i);
            long bytes = n % 2 == 0 ? unit + (long) (r.nextDouble() * (Math.min(Long.MAX_VALUE / 2, unit * 1023L)))
                    : unit * (1 + r.nextInt(1000)) + unit / 20 * (1 + 2 * r.nextInt(10)) + (r.nextInt(3) - 1);
            if (bytes < 1024 || Sizes.format(bytes).indexOf('.') < 0) {
                continue; // an exact size, written without decimals
            }
            int k = 0;
            double value = bytes;
            while (value >= 1024 && k < units.length) {
                value /= 1024;
                k++;
            }
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f %s", value, units[k - 1]), Sizes.format(bytes),
                    "bytes " + bytes);
        }
    }

    @Test
    void aParsedLimitIsWrittenInBinaryUnitsThatParseBack() {
        List<List<String>> typedAndShown = List.of(List.of("1KB", "1 KiB"), List.of("512KB", "512 KiB"),
                List.of("1MB", "1 MiB"), List.of("512MB", "512 MiB"), List.of("2GB", "2 GiB"), List.of("1000", "1000 bytes"));
        for (List<String> pair : typedAndShown) {
            long limit = Sizes.parse(pair.get(0));
            assertEquals(pair.get(1), Sizes.format(limit), pair.get(0));
            if (limit >= KIB) {
                assertEquals(limit, Sizes.parse(Sizes.format(limit)), pair.get(1));
            }
        }
    }
}
