package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.TestKb;
import dev.kb.core.fs.UnsyncedWritesFileOps;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: staged files are written unforced and the coordinator forces a group's files
 * together before its journal. A crash right after the commit point must find every file a
 * committed row names durable, on a disk that drops whatever was never forced
 * ({@link UnsyncedWritesFileOps}). The same disk with the group's barrier skipped loses exactly
 * those files, so the check does tell.
 */
class DurableGroupCommitTest {
    @TempDir
    Path tmp;

    /** An update of {@code a} and 19 new documents: above the real barrier's threshold, with a replaced target. */
    private static List<Prepared> group(TestKb t) {
        List<Prepared> docs = new ArrayList<>();
        docs.add(t.doc("/in/a.md", "a", "alpha, second version"));
        for (int i = 0; i < 19; i++) {
            docs.add(t.doc("/in/n" + i + ".md", "n" + i, "body of note " + i));
        }
        return docs;
    }

    private static UnsyncedWritesFileOps disk(TestKb t) {
        return new UnsyncedWritesFileOps(FileOps.REAL, t.kb.root(), List.of(t.kb.rawDir(), t.kb.sourcesDir()));
    }

    /** The index of the atomic write that marks the group's journal committed: the first step after the commit point. */
    private static int markAfterCommitPoint(TestKb t, UnsyncedWritesFileOps disk) {
        List<Path> writes = disk.atomicWrites();
        int journalWrites = 0;
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i).startsWith(t.kb.journalDir().toAbsolutePath().normalize()) && ++journalWrites == 2) {
                return i;
            }
        }
        throw new AssertionError("no journal was marked committed: " + writes);
    }

    private static List<String> filesOf(List<DocumentRow> rows) {
        List<String> files = new ArrayList<>();
        for (DocumentRow r : rows) {
            files.add(r.rawPath());
            files.add(r.sourcePath());
        }
        return files;
    }

    @Test
    void aCrashRightAfterTheCommitPointLosesNoFileOfACommittedRow() throws IOException {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha, first version"));
            UnsyncedWritesFileOps disk = disk(t);
            List<Outcome> out = t.coordinator(disk).commit(t.lock, group(t));
            assertEquals(20, out.size());
            assertTrue(out.stream().allMatch(o -> o.status() == Outcome.Status.ADDED
                    || o.status() == Outcome.Status.UPDATED), out.toString());
            // the group's barrier began before it was planned: what it covers is what the staged
            // files held then, and the crash below finds out if anything was published unawaited
            assertEquals(1, disk.begunBarriers());

            List<DocumentRow> rows = t.rows();
            assertEquals(20, rows.size());
            List<String> atCommit = disk.lossBeforeAtomicWrite(markAfterCommitPoint(t, disk));
            for (String f : filesOf(rows)) {
                assertFalse(atCommit.contains(f), f + " would be lost by a crash right after the commit point: " + atCommit);
            }
            assertEquals(List.of(), atCommit, "nothing in raw/ or wiki/sources/ is unforced at the commit point");

            // the crash itself, then recovery: every row's files hold what the row says
            assertEquals(List.of(), disk.crash());
            t.closeStaging();
            t.recover();
            for (DocumentRow r : t.rows()) {
                assertEquals(r.sha256(), Hashing.sha256Hex(t.file(r.rawPath())), r.rawPath());
                assertTrue(Files.size(t.file(r.sourcePath())) > 0, r.sourcePath());
            }
            t.assertAtRest();
        }
    }

    /**
     * A group whose files cannot be forced fails whole and is not retried one by one: after an
     * fsync reported a write-back error, Linux returns 0 for the next one while the data stays lost.
     */
    @Test
    void aGroupWhoseFilesCannotBeForcedFailsWholeAndIsNotRetried() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            int[] fsyncs = {0};
            FileOps failsOnce = new dev.kb.core.fs.ForwardingFileOps(FileOps.REAL) {
                @Override
                public void fsync(Path file) throws IOException {
                    if (fsyncs[0]++ == 3) {
                        throw new IOException("Input/output error");
                    }
                    super.fsync(file);
                }
            };
            List<Outcome> out = t.coordinator(failsOnce).commit(t.lock, group(t));
            assertEquals(20, out.size());
            assertTrue(out.stream().allMatch(o -> o.status() == Outcome.Status.FAILED
                    && o.reason().contains("Input/output error")), out.toString());
            assertEquals(List.of(), t.rows());
            t.closeStaging();
            t.recover();
            t.assertAtRest();
        }
    }

    @Test
    void withoutTheGroupsBarrierTheSameCrashLosesTheCommittedFiles() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha, first version"));
            UnsyncedWritesFileOps disk = disk(t).skipGroupSync();
            t.coordinator(disk).commit(t.lock, group(t));

            List<String> atCommit = disk.lossBeforeAtomicWrite(markAfterCommitPoint(t, disk));
            List<String> committed = filesOf(t.rows());
            assertEquals(40, committed.size());
            assertTrue(atCommit.containsAll(committed), "every file of the group is unforced: " + atCommit);
        }
    }
}
