package dev.kb.core.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.fs.TestKb;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingAreaTest {

    @TempDir
    Path tmp;

    KnowledgeBase kb;

    @BeforeEach
    void init() {
        Init.run(tmp, Duration.ZERO, m -> { }, m -> { });
        kb = KnowledgeBase.open(tmp);
    }

    @Test
    void aFailedPreparationGivesBackEverythingItStaged() throws Exception {
        try (StagingArea s = StagingArea.create(kb)) {
            Path kept = s.write(".md", "another document's".getBytes());
            List<Path> made = new ArrayList<>();
            IOException full = new IOException("No space left on device");
            IOException thrown = assertThrows(IOException.class, () -> s.prepare(() -> {
                made.add(s.write(".raw", new byte[100_000]));
                Path scratch = s.newDirectory(".scratch");
                Files.writeString(scratch.resolve("buffer"), "half written");
                made.add(scratch);
                made.add(s.newPath(".md")); // handed out, never created
                throw full;
            }));
            assertSame(full, thrown, "the failure is passed on unchanged");
            for (Path p : made) {
                assertFalse(Files.exists(p), p + " is still there");
            }
            assertEquals(List.of(kept.getFileName().toString()), TestKb.list(kept.getParent()),
                    "only the failed preparation's files are removed");
        }
    }

    @Test
    void eachThreadStagesIntoItsOwnLaneInsideTheFolder() throws Exception {
        try (StagingArea s = StagingArea.create(kb)) {
            Path mine = s.write(".raw", "a".getBytes());
            Path again = s.write(".md", "b".getBytes());
            Path[] theirs = new Path[1];
            Thread other = new Thread(() -> {
                try {
                    theirs[0] = s.write(".raw", "c".getBytes());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            other.start();
            other.join();
            assertEquals(mine.getParent(), again.getParent(), "one thread keeps its lane");
            assertFalse(mine.getParent().equals(theirs[0].getParent()), "two threads never share a folder to create in");
            for (Path p : List.of(mine, again, theirs[0])) {
                assertEquals(s.dir(), p.getParent().getParent(), p + " lies in a lane of the process's folder");
                assertTrue(Files.isRegularFile(p));
            }
            assertTrue(StagingOwner.of(kb, theirs[0]).state() == StagingOwner.State.THIS_PROCESS,
                    "a file in a lane is still known as this process's");
        }
        assertTrue(TestKb.list(kb.stagingDir()).isEmpty(), "closing removes the lanes with the folder");
    }

    @Test
    void aSuccessfulPreparationKeepsItsStagedFiles() throws Exception {
        try (StagingArea s = StagingArea.create(kb)) {
            Path staged = s.prepare(() -> s.write(".raw", "bytes".getBytes()));
            assertTrue(Files.isRegularFile(staged));
            // and a later failure on the same thread does not take it along
            assertThrows(IllegalStateException.class, () -> s.prepare(() -> {
                throw new IllegalStateException("converter bug");
            }));
            assertTrue(Files.isRegularFile(staged));
        }
    }
}
