package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which way a group's staged files are forced: one {@code syncfs} barrier for a large group on Linux, else fsyncs. */
class GroupSyncTest {
    @TempDir
    Path tmp;

    private List<Path> files(int n) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Files.writeString(tmp.resolve(i + ".md"), "page " + i));
        }
        return out;
    }

    @Test
    void aLargeGroupOnLinuxTakesOneBarrier() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.isExecutable(Path.of("/bin/sync")),
                "syncfs through sync -f is used on Linux only");
        int before = GroupSync.BARRIERS.get();
        FileOps.REAL.fsyncAll(files(GroupSync.BARRIER_FROM));
        assertEquals(before + 1, GroupSync.BARRIERS.get());
    }

    @Test
    void aSmallGroupIsForcedFileByFile() throws IOException {
        int before = GroupSync.BARRIERS.get();
        FileOps.REAL.fsyncAll(files(GroupSync.BARRIER_FROM - 1));
        FileOps.REAL.fsyncAll(List.of());
        assertEquals(before, GroupSync.BARRIERS.get());
    }

    @Test
    void aFileThatCannotBeForcedFailsTheGroupAfterTheOthersRan() throws IOException {
        List<Path> group = files(5);
        group.add(2, tmp.resolve("gone.md"));
        assertThrows(NoSuchFileException.class, () -> GroupSync.forceAll(group));
    }
}
