package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashingTest {
    @TempDir
    Path tmp;

    /** The bound holds while copying, so a file that grows after its size was read cannot fill the disk. */
    /** The head a copy keeps is what reading the copy's first bytes gives, for files shorter and longer than it. */
    @Test
    void aCopyKeepsTheFirstBytesTheSnifferWouldRead() throws Exception {
        Random random = new Random(3);
        for (int size : new int[] {0, 1, 100, 8191, 8192, 8193, 70_000, 200_000}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            Path source = Files.write(tmp.resolve("s" + size), data);
            Path target = tmp.resolve("t" + size);
            Hashing.Copy c = Hashing.copyAndHash(source, target, Long.MAX_VALUE, 8192, copied -> { });
            byte[] expected = java.util.Arrays.copyOf(data, Math.min(size, 8192));
            assertTrue(java.util.Arrays.equals(expected, c.head()), "size " + size);
            if (size <= 8192) {
                assertTrue(java.util.Arrays.equals(data, c.whole()), "a file the head holds is whole: size " + size);
            } else {
                assertEquals(null, c.whole(), "a file longer than the head is not whole: size " + size);
            }
            assertEquals(Hashing.sha256Hex(data), c.sha256());
            assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(target)));
        }
    }

    @Test
    void aCopyStopsAtTheLimitWithoutWritingPastIt() throws Exception {
        byte[] data = new byte[200_000];
        new Random(7).nextBytes(data);
        Path src = Files.write(tmp.resolve("src"), data);

        Path cut = tmp.resolve("cut");
        assertThrows(Hashing.LimitExceeded.class, () -> Hashing.copyAndHash(src, cut, 100_000));
        assertTrue(Files.size(cut) <= 100_000, "wrote past the limit: " + Files.size(cut));

        Hashing.Copy whole = Hashing.copyAndHash(src, tmp.resolve("whole"), data.length);
        assertEquals(data.length, whole.size(), "exactly the limit is allowed");
        assertEquals(Hashing.sha256Hex(data), whole.sha256());
        assertEquals(Hashing.sha256Hex(data), Hashing.sha256Hex(tmp.resolve("whole")));
    }
}
