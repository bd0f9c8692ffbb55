package dev.kb.core.fs;

import java.io.IOException;
import java.nio.file.Path;

/** Hands every operation to {@code delegate}; a test overrides only the one it wants to break. */
public class ForwardingFileOps implements FileOps {
    private final FileOps delegate;

    public ForwardingFileOps(FileOps delegate) {
        this.delegate = delegate;
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        delegate.move(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        delegate.delete(path);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        delegate.truncate(file, size);
    }

    @Override
    public void fsync(Path file) throws IOException {
        delegate.fsync(file);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        delegate.fsyncDirectory(dir);
    }

    @Override
    public void writeAtomically(Path target, byte[] data) throws IOException {
        delegate.writeAtomically(target, data);
    }

    @Override
    public void append(Path file, byte[] data) throws IOException {
        delegate.append(file, data);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        delegate.createDirectories(dir);
    }
}
