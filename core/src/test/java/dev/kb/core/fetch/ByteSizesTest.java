package dev.kb.core.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void formatsExactBinaryAndDecimalSizesAsWritten() {
        assertEquals("0 bytes", ByteSizes.format(0));
        assertEquals("1 byte", ByteSizes.format(1));
        assertEquals("1000 bytes", ByteSizes.format(1000));
        assertEquals("1 KiB", ByteSizes.format(1024));
        assertEquals("1 MiB", ByteSizes.format(1024 * 1024));
        assertEquals("512 MiB", ByteSizes.format(512L * 1024 * 1024));
        assertEquals("2 GiB", ByteSizes.format(2L << 30));
        assertEquals("1 MB", ByteSizes.format(1_000_000));
        assertEquals("512 MB", ByteSizes.format(512_000_000));
    }

    @Test
    void formatsOtherSizesWithOneDecimal() {
        assertEquals("1.5 KiB", ByteSizes.format(1537));
        assertEquals("4.8 MiB", ByteSizes.format(5_000_123));
    }
}
