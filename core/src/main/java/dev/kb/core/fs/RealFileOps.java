package dev.kb.core.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** The real file operations: POSIX rename, fsync of files and directories. */
final class RealFileOps implements FileOps {

    /** Suffix of the temporary siblings written by {@link #writeAtomically}; recovery sweeps them. */
    static final String TMP_SUFFIX = ".kbtmp";

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
    public void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
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
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TMP_SUFFIX);
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
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        // Look first: mkdir of an existing folder still locks its parent, which the threads
        // creating staged files in the same tree then queue on.
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
    }
}
