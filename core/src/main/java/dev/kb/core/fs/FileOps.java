package dev.kb.core.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Every file-system mutation the journal, the publisher and recovery make goes through this seam,
 * so a test can fail the N-th operation and check that recovery still restores or completes the
 * mutation. Production code uses {@link #REAL}.
 */
public interface FileOps {

    FileOps REAL = new RealFileOps();

    /** Atomic rename within one file system; replaces {@code target} if it exists. */
    void move(Path source, Path target) throws IOException;

    /** Removes a file or an empty directory if it exists. */
    void delete(Path path) throws IOException;

    /**
     * Cuts a file back to its first {@code size} bytes (nothing happens when it is not longer) and
     * forces it, for taking a torn append off the end of the log.
     */
    void truncate(Path file, long size) throws IOException;

    /** Forces a file's content and metadata to the device. */
    void fsync(Path file) throws IOException;

    /**
     * Forces the content and metadata of every file in {@code files}, written without forcing
     * (the staged files of one commit group), as {@link #fsync} of each would: the real
     * operations use one barrier for the whole group where the system has one ({@code syncfs}).
     */
    default void fsyncAll(Collection<Path> files) throws IOException {
        for (Path f : files) {
            fsync(f);
        }
    }

    /**
     * Begins {@link #fsyncAll} of files that are written and closed, so that waiting for the disk
     * overlaps other work (taking the lock, planning the group); {@link Pending#await} finishes
     * it. What it makes durable is what the files held when it began: nothing may write to them
     * before {@code await}. This default begins nothing and forces them all in {@code await}.
     */
    default Pending startFsyncAll(Collection<Path> files) {
        List<Path> these = List.copyOf(files);
        return new Pending() {
            @Override
            public Collection<Path> await() throws IOException {
                fsyncAll(these);
                return these;
            }

            @Override
            public void close() {
            }
        };
    }

    /** An {@link #fsyncAll} begun by {@link #startFsyncAll}. */
    interface Pending extends AutoCloseable {
        /** Begins nothing, and makes nothing durable. */
        Pending NONE = new Pending() {
            @Override
            public Collection<Path> await() {
                return List.of();
            }

            @Override
            public void close() {
            }
        };

        /**
         * Waits until the files are durable, or throws as {@link #fsyncAll} would, and returns
         * the files it covered. Called at most once.
         */
        Collection<Path> await() throws IOException;

        /** Lets what was begun end (a group that published nothing); trusts none of it. Idempotent. */
        @Override
        void close();
    }

    /** Forces a directory's entries to the device, so renames and creations inside it survive a crash. */
    void fsyncDirectory(Path dir) throws IOException;

    /**
     * Replaces {@code target} with {@code data} atomically: a temporary sibling is written and
     * forced, renamed over the target, and the directory forced. A crash leaves either the old
     * content or the new one, never a mix; at worst a {@code .kbtmp} sibling that recovery removes.
     */
    void writeAtomically(Path target, byte[] data) throws IOException;

    /** Appends bytes to a file and forces them (for the append-only log). */
    void append(Path file, byte[] data) throws IOException;

    void createDirectories(Path dir) throws IOException;
}
