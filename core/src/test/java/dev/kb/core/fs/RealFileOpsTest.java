package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealFileOpsTest {

    @TempDir
    Path tmp;

    @Test
    void fsyncOfAMissingDirectoryFails() {
        assertThrows(IOException.class, () -> FileOps.REAL.fsyncDirectory(tmp.resolve("missing")));
    }

    /**
     * A directory that opens but cannot be forced must fail the caller: swallowing the error let a
     * commit, or a journal's deletion, go on resting on a rename a crash could still undo. Linux's
     * procfs is a real directory whose fsync fails (EINVAL), the nearest thing to a failing disk
     * that a test can reach without root.
     */
    @Test
    void anErrorFromForcingAnOpenedDirectoryIsReported() {
        Path proc = Path.of("/proc/self");
        assumeTrue(Files.isDirectory(proc) && forceFails(proc), "needs a directory that opens and refuses fsync");
        assertThrows(IOException.class, () -> FileOps.REAL.fsyncDirectory(proc));
    }

    private static boolean forceFails(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
