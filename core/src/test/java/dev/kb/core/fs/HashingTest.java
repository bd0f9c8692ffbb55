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
