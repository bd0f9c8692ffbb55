package dev.kb.core.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FileOps} that does the real work and records every call, with absolute normalised
 * paths, so a test can check the order of renames and directory fsyncs: a missing or early
 * fsync changes nothing a test can observe until the power goes out.
 */
public final class RecordingFileOps implements FileOps {

    /** One call: {@code op} is the method name; {@code target} is set for {@code move} only. */
    public record Call(String op, Path path, Path target) {
        @Override
        public String toString() {
            return op + " " + path + (target == null ? "" : " -> " + target);
        }
    }

    private final FileOps delegate;
    private final List<Call> calls = new ArrayList<>();

    public RecordingFileOps(FileOps delegate) {
        this.delegate = delegate;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    private synchronized void record(String op, Path path, Path target) {
        calls.add(new Call(op, norm(path), target == null ? null : norm(target)));
    }

    public static Path norm(Path p) {
        return p.toAbsolutePath().normalize();
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        record("move", source, target);
        delegate.move(source, target);
    }

    @Override
    public void delete(Path path) throws IOException {
        record("delete", path, null);
        delegate.delete(path);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        record("truncate", file, null);
        delegate.truncate(file, size);
    }

    @Override
    public void fsync(Path file) throws IOException {
        record("fsync", file, null);
        delegate.fsync(file);
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        record("fsyncDirectory", dir, null);
        delegate.fsyncDirectory(dir);
    }

    @Override
    public void writeAtomically(Path target, byte[] data) throws IOException {
        record("writeAtomically", target, null);
        delegate.writeAtomically(target, data);
    }

    @Override
    public void append(Path file, byte[] data) throws IOException {
        record("append", file, null);
        delegate.append(file, data);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        record("createDirectories", dir, null);
        delegate.createDirectories(dir);
    }
}
