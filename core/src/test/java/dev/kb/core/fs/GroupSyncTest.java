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
        assumeTrue(GroupSync.barrierAvailable(), "syncfs through sync -f is used on Linux 5.8+ only");
        int before = GroupSync.BARRIERS.get();
        FileOps.REAL.fsyncAll(files(GroupSync.BARRIER_FROM));
        assertEquals(before + 1, GroupSync.BARRIERS.get());
    }

    /**
     * A barrier begun before the group is planned counts only once awaited, and covers the files
     * it began with; one left unawaited (a group that published nothing) is never counted.
     */
    @Test
    void aBarrierBegunAheadIsTakenWhenAwaitedAndNotBefore() throws IOException {
        assumeTrue(GroupSync.barrierAvailable(), "syncfs through sync -f is used on Linux 5.8+ only");
        List<Path> group = files(GroupSync.BARRIER_FROM);
        int before = GroupSync.BARRIERS.get();
        try (FileOps.Pending begun = FileOps.REAL.startFsyncAll(group)) {
            assertEquals(before, GroupSync.BARRIERS.get(), "counted before it was awaited");
            assertEquals(group, List.copyOf(begun.await()));
            assertEquals(before + 1, GroupSync.BARRIERS.get());
            assertThrows(IllegalStateException.class, begun::await, "a second wait would trust it twice");
        }
        try (FileOps.Pending left = FileOps.REAL.startFsyncAll(group)) {
            assertEquals(before + 1, GroupSync.BARRIERS.get());
        }
        assertEquals(before + 1, GroupSync.BARRIERS.get(), "closing one never awaited trusts it");
    }

    /** A small group begun ahead is forced file by file when awaited, as fsyncAll would; a file gone fails it. */
    @Test
    void aSmallGroupBegunAheadIsForcedWhenAwaited() throws IOException {
        List<Path> group = files(3);
        int before = GroupSync.BARRIERS.get();
        try (FileOps.Pending begun = FileOps.REAL.startFsyncAll(group)) {
            assertEquals(group, List.copyOf(begun.await()));
        }
        assertEquals(before, GroupSync.BARRIERS.get());
        group.add(tmp.resolve("gone.md"));
        try (FileOps.Pending begun = FileOps.REAL.startFsyncAll(group)) {
            assertThrows(NoSuchFileException.class, begun::await);
        }
    }

    @Test
    void onlyAKernelThatReportsWriteBackErrorsFromSyncfsGetsTheBarrier() {
        for (String v : new String[] {"5.8.0", "5.10.0-28-amd64", "6.1.0-13-amd64", "10.0"}) {
            assertEquals(true, GroupSync.reportsErrors(v), v);
        }
        for (String v : new String[] {"4.19.0-26-amd64", "4.18.0-513.el8.x86_64", "5.7.19", "", "x.y", "5", "5."}) {
            assertEquals(false, GroupSync.reportsErrors(v), v);
        }
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
