package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kb.core.KbException;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.TestKb;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A file rewritten while kb copies it must never be stored as a mix of two versions. The copy
 * hook rewrites the file between two reads of the copy (after its first 64 KiB), the way an
 * editor saving in place or a program appending to a log does, at a point no timing decides.
 */
class ChangedWhileReadTest {
    private static final int SIZE = 300 * 1024; // several reads of the copy's 64 KiB buffer

    @TempDir
    Path tmp;

    Path file;
    byte[] v1;

    @BeforeEach
    void write() throws IOException {
        file = tmp.resolve("notes.md");
        v1 = version('a', SIZE);
        Files.write(file, v1);
    }

    /** The ways a file changes under a reader. */
    enum Change {
        /** Same size, new bytes written over the old ones. */
        IN_PLACE,
        /** Same size, new bytes, and the modification time set back to what it was ({@code touch -r}). */
        IN_PLACE_MTIME_RESTORED,
        /** More bytes appended. */
        APPENDED,
        /** Cut short and written anew, shorter. */
        TRUNCATED,
        /** Another file renamed over it (an editor's atomic save): the copy read the old one whole. */
        REPLACED;

        /** Makes the change, turning the file into {@code next}. */
        void apply(Path file, Path tmp, byte[] next) throws IOException {
            FileTime mtime = Files.getLastModifiedTime(file);
            switch (this) {
                case IN_PLACE, IN_PLACE_MTIME_RESTORED -> {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.write(ByteBuffer.wrap(next), 0);
                    }
                    if (this == IN_PLACE_MTIME_RESTORED) {
                        Files.setLastModifiedTime(file, mtime);
                    }
                }
                case APPENDED, TRUNCATED -> Files.write(file, next); // opens with TRUNCATE_EXISTING
                case REPLACED -> {
                    Path t = tmp.resolve("notes.md.new");
                    Files.write(t, next);
                    Files.move(t, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                default -> throw new IllegalStateException();
            }
        }

        byte[] next(char fill) {
            return switch (this) {
                case APPENDED -> version(fill, SIZE + 100 * 1024);
                case TRUNCATED -> version(fill, SIZE - 100 * 1024);
                default -> version(fill, SIZE);
            };
        }
    }

    /** Text of {@code size} bytes, each line naming its version, so a mix shows as two fills. */
    static byte[] version(char fill, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) fill);
        for (int i = 63; i < size; i += 64) {
            b[i] = '\n';
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void aFileChangedDuringTheCopyIsReadAgainAndStoredWhole(Change change) throws Exception {
        byte[] v2 = change.next('b');
        List<Integer> attempts = new ArrayList<>();
        FileSource.ReadHook hook = (attempt, copied) -> {
            if (attempts.isEmpty() || attempts.get(attempts.size() - 1) != attempt) {
                attempts.add(attempt);
                if (attempt == 1) {
                    change.apply(file, tmp, v2); // after the first read of the first copy only
                }
            }
        };
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = prepare(t, hook);
            assertArrayEquals(v2, Files.readAllBytes(p.stagedRaw()), "the new version whole, not a mix");
            assertEquals(List.of(1, 2), attempts, "copied once more");
            assertEquals(Hashing.sha256Hex(v2), p.sha256());
            assertEquals(v2.length, p.size());
            assertEquals(List.of(p.stagedRaw()), staged(t, ".raw"), "the first copy is gone");
            assertEquals(Outcome.Status.ADDED, t.add(p).get(0).status());
            assertEquals(Hashing.sha256Hex(v2), Hashing.sha256Hex(t.file("raw/notes.md")));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @ParameterizedTest
    @EnumSource(Change.class)
    void aFileThatChangesDuringBothCopiesFailsAndLeavesNothingStaged(Change change) throws Exception {
        List<Integer> attempts = new ArrayList<>();
        FileSource.ReadHook hook = (attempt, copied) -> {
            if (!attempts.contains(attempt)) {
                attempts.add(attempt);
                change.apply(file, tmp, change.next(attempt == 1 ? 'b' : 'c'));
            }
        };
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            KbException e = assertThrows(KbException.class, () -> prepare(t, hook));
            assertEquals(KbException.Kind.INPUT_FAILED, e.kind());
            assertEquals("changed while being read (twice in a row); add it again once nothing writes it",
                    e.getMessage());
            assertEquals(List.of(1, 2), attempts, "one retry, not more");
            assertEquals(List.of(), staged(t, ".raw"), "no copy of either version is kept");
            assertEquals(List.of(), t.rows());
        }
    }

    @Test
    void anUnchangedFileIsCopiedOnce() throws Exception {
        List<Integer> attempts = new ArrayList<>();
        FileSource.ReadHook hook = (attempt, copied) -> {
            if (!attempts.contains(attempt)) {
                attempts.add(attempt);
            }
        };
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = prepare(t, hook);
            assertEquals(List.of(1), attempts);
            assertArrayEquals(v1, Files.readAllBytes(p.stagedRaw()));
        }
    }

    private Prepared prepare(TestKb t, FileSource.ReadHook hook) throws Exception {
        Source.Prep prep = new FileSource(file, "notes.md", Long.MAX_VALUE, hook)
                .prepare(new PrepareContext(t.staging(), t.registry));
        assertNotNull(prep.prepared(), "prepared, not decided early: " + prep.early());
        return prep.prepared();
    }

    private static List<Path> staged(TestKb t, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(t.kb.stagingDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }
}
