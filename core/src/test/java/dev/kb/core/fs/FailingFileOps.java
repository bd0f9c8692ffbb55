package dev.kb.core.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FileOps} that counts every call and fails the N-th one (1-based), the way a full disk or
 * a yanked device would. Three ways of failing, because real I/O errors come in all three:
 * <ul>
 *   <li>{@link Mode#BEFORE}: the N-th call throws without doing anything;</li>
 *   <li>{@link Mode#AFTER}: the N-th call does its work and then throws (a rename that happened but
 *       whose directory fsync failed);</li>
 *   <li>{@link Mode#FROM_N_ON}: the N-th call and every later one throw, so the in-process rollback
 *       fails too.</li>
 * </ul>
 * A second failure point, {@code crashAt}, stands for the process dying: from that call on every
 * call throws without doing anything. With the first failure in publish, it puts the crash at any
 * step of the rollback that failure started.
 */
public final class FailingFileOps implements FileOps {

    public enum Mode { BEFORE, AFTER, FROM_N_ON }

    private final FileOps delegate;
    private final int failAt;
    private final Mode mode;
    private final int crashAt;
    private int calls;
    private final List<String> log = new ArrayList<>();

    public FailingFileOps(FileOps delegate, int failAt, Mode mode) {
        this(delegate, failAt, mode, Integer.MAX_VALUE, true);
    }

    /** Fails the {@code failAt}-th call as {@code mode} says, and every call from {@code crashAt} on. */
    public FailingFileOps(FileOps delegate, int failAt, Mode mode, int crashAt) {
        this(delegate, failAt, mode, crashAt, true);
        if (crashAt <= failAt) {
            throw new IllegalArgumentException("the crash comes after the first failure: " + crashAt + " <= " + failAt);
        }
    }

    private FailingFileOps(FileOps delegate, int failAt, Mode mode, int crashAt, boolean unchecked) {
        this.delegate = delegate;
        this.failAt = failAt;
        this.mode = mode;
        this.crashAt = crashAt;
    }

    /** True once the failing call was reached. */
    public synchronized boolean reached() {
        return calls >= failAt;
    }

    /** True once the crash point was reached. */
    public synchronized boolean crashed() {
        return calls >= crashAt;
    }

    public synchronized int calls() {
        return calls;
    }

    /** Every call made, in order, for failure messages. */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    private interface Op {
        void run() throws IOException;
    }

    private synchronized void call(String what, Op op) throws IOException {
        calls++;
        log.add(calls + ": " + what);
        boolean crash = calls >= crashAt;
        boolean fail = crash || (mode == Mode.FROM_N_ON ? calls >= failAt : calls == failAt);
        if (fail && mode == Mode.AFTER && !crash) {
            op.run();
        }
        if (fail) {
            throw new IOException("injected failure at call " + calls + " (" + what + ")");
        }
        op.run();
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        call("move " + source + " -> " + target, () -> delegate.move(source, target));
    }

    @Override
    public void delete(Path path) throws IOException {
        call("delete " + path, () -> delegate.delete(path));
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        call("truncate " + file + " to " + size, () -> delegate.truncate(file, size));
    }

    @Override
    public void fsync(Path file) throws IOException {
        call("fsync " + file, () -> delegate.fsync(file));
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        call("fsyncDirectory " + dir, () -> delegate.fsyncDirectory(dir));
    }

    @Override
    public void writeAtomically(Path target, byte[] data) throws IOException {
        call("writeAtomically " + target, () -> delegate.writeAtomically(target, data));
    }

    @Override
    public void append(Path file, byte[] data) throws IOException {
        call("append " + file, () -> delegate.append(file, data));
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        call("createDirectories " + dir, () -> delegate.createDirectories(dir));
    }
}
