package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealFileOpsTest {

    @TempDir
    Path tmp;

    /** Each directory fsync, with what the directory held at that moment. */
    private final List<String> synced = new ArrayList<>();

    private final RealFileOps ops = new RealFileOps() {
        @Override
        public void fsyncDirectory(Path dir) throws IOException {
            try (var s = Files.list(dir)) {
                synced.add(tmp.relativize(dir) + ":" + s.map(p -> p.getFileName().toString()).sorted().toList());
            }
            super.fsyncDirectory(dir);
        }
    };

    /**
     * A new folder's name lives in its parent: unless the parent is forced after the folder is
     * made, a crash can lose the folder along with every file renamed into it since.
     */
    @Test
    void eachNewDirectoryIsMadeDurableInItsParentTopDown() throws IOException {
        Files.createDirectories(tmp.resolve("kb"));
        ops.createDirectories(tmp.resolve("kb/a/b/c"));
        assertTrue(Files.isDirectory(tmp.resolve("kb/a/b/c")));
        assertEquals(List.of("kb:[a]", "kb/a:[b]", "kb/a/b:[c]"), synced);
    }

    /** Bulk ingest asks for the same folders over and over: those must cost no fsync. */
    @Test
    void anExistingDirectoryIsNotForcedAgain() throws IOException {
        Files.createDirectories(tmp.resolve("kb/a"));
        ops.createDirectories(tmp.resolve("kb/a"));
        ops.createDirectories(tmp.resolve("kb"));
        assertEquals(List.of(), synced);
    }

    @Test
    void aPathThatIsAFileIsNotADirectory() throws IOException {
        Files.writeString(tmp.resolve("f"), "x");
        assertThrows(IOException.class, () -> ops.createDirectories(tmp.resolve("f")));
        assertThrows(IOException.class, () -> ops.createDirectories(tmp.resolve("f/sub")));
    }

    /** The log's first append creates it: a crash must not lose its name with the lines in it. */
    @Test
    void appendMakesANewFileDurableInItsDirectoryAndAnExistingOneCostsNoDirectoryFsync() throws IOException {
        Path log = Files.createDirectories(tmp.resolve("wiki")).resolve("log.md");
        ops.append(log, "one\n".getBytes());
        assertEquals(List.of("wiki:[log.md]"), synced);
        ops.append(log, "two\n".getBytes());
        assertEquals(List.of("wiki:[log.md]"), synced, "no directory fsync for an existing file");
        assertEquals("one\ntwo\n", Files.readString(log));
    }

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
