package dev.kb.core.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.RecordingFileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Prepared;
import dev.kb.core.staging.Sweeper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the publisher forces directories. A missing or early directory fsync is invisible until
 * the power goes out, so these tests read the order of the calls instead.
 */
class FileDocumentStoreTest {

    @TempDir
    Path tmp;

    /** A journal that updates {@code a} (both files replaced, so both get a backup). */
    private static Journal update(TestKb t, Prepared p) {
        String id = UUID.randomUUID().toString();
        String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
        return new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add (test)", backupDir,
                List.of(new Journal.Entry(t.kb.relative(p.stagedRaw()), "raw/a.md", backupDir + "/0"),
                        new Journal.Entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", backupDir + "/1")),
                List.of(new Journal.Doc("a", "update", "a", "/in/a.md", false)));
    }

    /**
     * Every rename publish makes must be forced in both directories it touches, after the last
     * rename touching each: a directory forced too early, or not at all, can lose a rename in a
     * power cut and leave the registry (committed right after publish returns) pointing at
     * nothing, or a replaced file with no backup. The journal exercises every kind of move: a
     * replaced file parked as a backup, a retired file, a new file, a new file in a new folder.
     */
    @Test
    void everyDirectoryAMoveTouchesIsForcedAfterItsLastMove() throws IOException {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha v1"));
            Prepared p = t.doc("/in/a.md", "a", "alpha v2", "txt");
            Path figure = t.staging().write(".png", new byte[] {1, 2, 3});
            String id = UUID.randomUUID().toString();
            String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
            Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add (test)",
                    backupDir,
                    List.of(new Journal.Entry(t.kb.relative(p.stagedRaw()), "raw/a.txt", null),
                            new Journal.Entry(null, "raw/a.md", backupDir + "/0"),
                            new Journal.Entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", backupDir + "/1"),
                            new Journal.Entry(t.kb.relative(figure), "wiki/sources/a/figure.png", null)),
                    List.of(new Journal.Doc("a", "update", "a", "/in/a.md", false)));

            RecordingFileOps ops = new RecordingFileOps(FileOps.REAL);
            new FileDocumentStore(t.kb, ops).publish(j);

            assertEquals("alpha v2", t.read("raw/a.txt"));
            assertTrue(Files.isRegularFile(t.kb.resolve(backupDir + "/0")) && Files.isRegularFile(t.file("wiki/sources/a/figure.png")));
            List<RecordingFileOps.Call> calls = ops.calls();
            List<RecordingFileOps.Call> moves = calls.stream().filter(c -> c.op().equals("move")).toList();
            assertEquals(5, moves.size(), "two parked files and three published: " + calls);
            for (RecordingFileOps.Call move : moves) {
                for (Path dir : List.of(move.path().getParent(), move.target().getParent())) {
                    int lastMove = -1;
                    for (int i = 0; i < calls.size(); i++) {
                        RecordingFileOps.Call c = calls.get(i);
                        if (c.op().equals("move") && (c.path().getParent().equals(dir) || c.target().getParent().equals(dir))) {
                            lastMove = i;
                        }
                    }
                    int synced = calls.lastIndexOf(new RecordingFileOps.Call("fsyncDirectory", dir, null));
                    assertTrue(synced > lastMove, dir + " is not forced after its last move (" + move + "): " + calls);
                }
            }
        }
    }

    /**
     * The backups are deleted durably before the caller deletes the journal: otherwise a power cut
     * can keep the journal's deletion and bring back a full backup folder that no journal owns,
     * which recovery quarantines with a warning about a commit that went fine.
     */
    @Test
    void discardedBackupsAreDurablyGoneBeforeTheJournalIs() throws IOException {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha v1"));
            Journal j = update(t, t.doc("/in/a.md", "a", "alpha v2"));
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            Path backupDir = t.kb.resolve(j.backupDir());
            assertTrue(Files.isDirectory(backupDir));

            RecordingFileOps ops = new RecordingFileOps(FileOps.REAL);
            new FileDocumentStore(t.kb, ops).discardBackups(j);

            assertFalse(Files.exists(backupDir));
            List<RecordingFileOps.Call> calls = ops.calls();
            int removed = calls.indexOf(new RecordingFileOps.Call("delete", RecordingFileOps.norm(backupDir), null));
            int synced = calls.lastIndexOf(new RecordingFileOps.Call("fsyncDirectory",
                    RecordingFileOps.norm(t.kb.stagingDir()), null));
            assertTrue(removed >= 0 && synced > removed, calls.toString());
            assertEquals(calls.size() - 1, synced, "nothing after the fsync: " + calls);
        }
    }
}
