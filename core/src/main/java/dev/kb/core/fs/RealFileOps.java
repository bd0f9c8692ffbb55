package dev.kb.core.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;

/**
 * The real file operations: POSIX rename, fsync of files and directories. Not final only so a
 * test in this package can watch which directories {@link #createDirectories} and
 * {@link #append} force.
 */
class RealFileOps implements FileOps {

    /** Suffix of the temporary siblings written by {@link #writeAtomically}; recovery sweeps them. */
    static final String TMP_SUFFIX = dev.kb.core.kb.KnowledgeBase.TEMP_SUFFIX;

    @Override
    public void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Staging lives inside the KB, so this only happens if someone mounted a file system
            // over part of it; a copy would not be atomic, so refuse rather than risk a torn file.
            throw new IOException("cannot rename atomically from " + source + " to " + target
                    + " (different file systems?)", e);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            // force with metadata: the length is metadata, and losing it would bring the torn
            // fragment back from under the block appended after it
            ch.force(true);
        }
    }

    @Override
    public void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    @Override
    public void fsyncAll(Collection<Path> files) throws IOException {
        GroupSync.sync(files);
    }

    @Override
    public Pending startFsyncAll(Collection<Path> files) {
        return GroupSync.start(files);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            // Some platforms refuse to open a directory at all (Windows); there the rename itself
            // is the best durability on offer, and failing the commit would help nobody.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            return;
        }
        // An error from force() itself is not tolerated: it is the device saying the entries may
        // not be on disk (EIO), and going on would let the commit, or the deletion of a journal
        // whose backups are gone, rest on a rename that a crash can still undo.
        try (ch) {
            ch.force(true);
        }
    }

    @Override
    public void writeAtomically(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + UniqueNames.next() + TMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        // fsync the directory, or a crash can lose the rename and bring back the old content
        fsyncDirectory(dir);
    }

    @Override
    public void append(Path file, byte[] data) throws IOException {
        boolean created = !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        if (created) {
            // fsync the directory, or a crash can lose the new file's name and with it every line
            // just forced into it (the log's block of a commit that did happen)
            fsyncDirectory(file.toAbsolutePath().getParent());
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        // Look first: mkdir of an existing folder still locks its parent, which the threads
        // creating staged files in the same tree then queue on. So an existing folder costs one
        // stat: no mkdir, no fsync.
        if (Files.isDirectory(dir)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        if (missing.isEmpty()) {
            throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
        }
        for (Path p : missing) { // top-down: each parent exists when its child is made
            try {
                Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
                // another thread made it; its fsync may not have happened yet, so do ours
            }
            // fsync the parent, or a crash can lose the new folder and with it every file renamed
            // into it, even though each of those renames was itself made durable in the folder
            fsyncDirectory(p.getParent());
        }
    }
}
