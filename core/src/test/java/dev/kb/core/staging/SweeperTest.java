package dev.kb.core.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.app.Status;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweeperTest {

    @TempDir
    Path tmp;

    KnowledgeBase kb;

    final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void init() {
        Init.run(tmp, Duration.ZERO, m -> { }, m -> { });
        kb = KnowledgeBase.open(tmp);
    }

    /** What a writer killed with -9 leaves: its folder with staged files, and an owner file nobody locks. */
    private Path deadWritersFolder() throws IOException {
        String name = "p-" + UUID.randomUUID();
        Path dir = Files.createDirectories(kb.stagingDir().resolve(name).resolve("scratch"));
        Files.writeString(dir.resolve("1.raw"), "staged bytes");
        Files.writeString(kb.stagingDir().resolve(name + ".owner"), "");
        return dir.getParent();
    }

    @Test
    void orphanFolderWithAnUnlockedOwnerIsRemovedWithItsOwnerFile() throws IOException {
        Path orphan = deadWritersFolder();
        assertEquals(1, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add));
        assertFalse(Files.exists(orphan));
        assertEquals(List.of(), TestKb.list(kb.stagingDir()));
    }

    @Test
    void folderWithoutAnyOwnerFileAndOwnerFileWithoutFolderAreOrphans() throws IOException {
        Files.createDirectories(kb.stagingDir().resolve("p-" + UUID.randomUUID()));
        Files.writeString(kb.stagingDir().resolve("p-" + UUID.randomUUID() + ".owner"), "");
        assertEquals(2, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add));
        assertEquals(List.of(), TestKb.list(kb.stagingDir()));
    }

    @Test
    void folderOfALiveStagingAreaIsKept() throws IOException {
        try (StagingArea live = StagingArea.create(kb)) {
            Path staged = live.write(".raw", "in use".getBytes());
            Path orphan = deadWritersFolder();

            assertEquals(1, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add));
            assertFalse(Files.exists(orphan));
            assertTrue(Files.isRegularFile(staged), "a live writer's staged file survives the sweep");
            assertEquals(0, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add), "and a second sweep");
            // probing must not have dropped the live area's lock: a sweep from here still keeps it
            assertTrue(Files.isRegularFile(staged));
        }
        assertEquals(List.of(), TestKb.list(kb.stagingDir()), "closing the area removes its folder and owner");
    }

    @Test
    void backupFolderOfAJournalIsKeptWhileTheJournalIsLiveAndRemovedEmptyAfter() throws IOException {
        String live = UUID.randomUUID().toString();
        String gone = UUID.randomUUID().toString();
        Files.writeString(Files.createDirectories(kb.stagingDir().resolve(Sweeper.backupDirName(live))).resolve("0"), "x");
        Files.createDirectories(kb.stagingDir().resolve(Sweeper.backupDirName(gone)));

        assertEquals(1, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(live), warnings::add));
        assertEquals(List.of(Sweeper.backupDirName(live)), TestKb.list(kb.stagingDir()));
        assertEquals(List.of(), TestKb.list(kb.quarantineDir()), "an empty leftover is what a normal run leaves");
        assertEquals(List.of(), warnings);
    }

    /**
     * Backups whose journal is gone (a quarantine cut short, a journal deletion that a power cut
     * kept while undoing the backups' removal) may be the only copy of a replaced document.
     */
    @Test
    void backupFolderWithFilesButNoJournalIsQuarantinedNotDeleted() throws IOException {
        String gone = UUID.randomUUID().toString();
        Path backups = Files.createDirectories(kb.stagingDir().resolve(Sweeper.backupDirName(gone)));
        Files.writeString(backups.resolve("0"), "the old document");

        assertEquals(1, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add));

        assertEquals(List.of(), TestKb.list(kb.stagingDir()));
        List<String> q = TestKb.list(kb.quarantineDir());
        assertEquals(1, q.size(), q.toString());
        assertTrue(q.get(0).startsWith(Sweeper.backupDirName(gone) + "."), q.toString());
        assertEquals("the old document", Files.readString(kb.quarantineDir().resolve(q.get(0)).resolve("0")));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(".kb/quarantine/" + q.get(0)), warnings.get(0));

        // a second leftover of the same journal does not replace the first
        Files.writeString(Files.createDirectories(backups).resolve("0"), "another");
        assertEquals(1, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add));
        assertEquals(2, TestKb.list(kb.quarantineDir()).size());
        assertEquals(0, Sweeper.removeOrphans(kb, FileOps.REAL, Set.of(), warnings::add), "nothing left");
    }

    @Test
    void statusCountsOrphansWithoutDeletingAndRecoveryRemovesThem() throws IOException {
        Path orphan = deadWritersFolder();
        Files.createDirectories(kb.stagingDir().resolve(Sweeper.backupDirName(UUID.randomUUID().toString())));
        try (StagingArea live = StagingArea.create(kb)) {
            Status s = Status.of(kb);
            assertEquals(2, s.stagingOrphans());
            assertEquals(0, s.pendingJournals());
            assertTrue(Files.isDirectory(orphan), "status only counts");
            assertTrue(Files.isDirectory(live.dir()));
            assertEquals(2, Status.of(kb).stagingOrphans(), "and counting twice changes nothing");
        }
        try (WriterLock lock = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb recover", m -> { });
             Registry registry = SqliteRegistry.open(kb.registryFile())) {
            Recovery.Report r = new Recovery(kb, registry, FileOps.REAL, CommitHooks.NONE, m -> { }).run(lock);
            assertEquals(2, r.stagingRemoved());
        }
        assertEquals(0, Status.of(kb).stagingOrphans());
        assertEquals(List.of(), TestKb.list(kb.stagingDir()));
    }
}
