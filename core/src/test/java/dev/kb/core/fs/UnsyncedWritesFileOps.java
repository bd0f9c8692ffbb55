package dev.kb.core.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A disk that loses what was never forced: real operations, plus a record of each file's content
 * as of the last time kb made it durable (an fsync of it, one {@link #fsyncAll} naming it, an
 * atomic write or an append through this seam), carried along by renames. What a crash would
 * take is every file under the watched folders whose content is not that record: a file written
 * and renamed but never forced comes back empty after a crash on ext4 (delayed allocation), or
 * with any part of its data missing.
 *
 * <p>Files this seam never sees being forced lose their content in {@link #crash}; SQLite's
 * files are not watched (SQLite forces them itself, and the registry is the commit point).
 *
 * <p>{@link #skipGroupSync} makes {@link #fsyncAll} and {@link #startFsyncAll} do nothing, the way a kb that forgot the
 * group's barrier would behave: a test that cannot tell the difference proves nothing.
 */
public final class UnsyncedWritesFileOps extends ForwardingFileOps {
    private final List<Path> watched;
    private final Map<Path, byte[]> durable = new HashMap<>();
    private final List<Path> atomicWrites = new ArrayList<>();
    private final List<List<String>> lossAtAtomicWrite = new ArrayList<>();
    private final Path root;
    private boolean skipGroupSync;
    private int begunBarriers;

    /** @param root the KB's root, against which lost files are named; {@code watched} the folders a crash can hit */
    public UnsyncedWritesFileOps(FileOps delegate, Path root, List<Path> watched) {
        super(delegate);
        this.root = root;
        this.watched = List.copyOf(watched);
    }

    public UnsyncedWritesFileOps skipGroupSync() {
        this.skipGroupSync = true;
        return this;
    }

    private static Path key(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private void record(Path p) {
        try {
            durable.put(key(p), Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void fsync(Path file) throws IOException {
        super.fsync(file);
        record(file);
    }

    @Override
    public void fsyncAll(Collection<Path> files) throws IOException {
        if (skipGroupSync) {
            return;
        }
        for (Path f : files) {
            fsync(f);
        }
    }

    /**
     * A barrier makes durable what the files held when it began: their content is taken now and
     * becomes the durable record only once it is awaited. A kb that wrote to a staged file after
     * beginning its barrier, or published before awaiting it, would lose that file in {@link #crash}.
     */
    @Override
    public Pending startFsyncAll(Collection<Path> files) {
        Map<Path, byte[]> atStart = new HashMap<>();
        if (!skipGroupSync) {
            for (Path f : files) {
                try {
                    atStart.put(key(f), Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        List<Path> these = List.copyOf(files);
        begunBarriers++;
        return new Pending() {
            @Override
            public Collection<Path> await() {
                durable.putAll(atStart);
                return these;
            }

            @Override
            public void close() {
            }
        };
    }

    /** How many barriers were begun ahead of their group's planning ({@link #startFsyncAll}). */
    public int begunBarriers() {
        return begunBarriers;
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        super.move(source, target);
        byte[] content = durable.remove(key(source));
        if (content != null) {
            durable.put(key(target), content);
        } else {
            durable.remove(key(target)); // replaced by a file never forced
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        super.delete(path);
        durable.remove(key(path));
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        super.truncate(file, size);
        record(file);
    }

    /** Before the write, what a crash at this moment would take (one list per atomic write, in order). */
    @Override
    public void writeAtomically(Path target, byte[] data) throws IOException {
        atomicWrites.add(key(target));
        lossAtAtomicWrite.add(wouldLose());
        super.writeAtomically(target, data);
        durable.put(key(target), data.clone());
    }

    @Override
    public void append(Path file, byte[] data) throws IOException {
        super.append(file, data);
        record(file);
    }

    /** The targets of the atomic writes so far, in order. */
    public List<Path> atomicWrites() {
        return List.copyOf(atomicWrites);
    }

    /** What a crash right before the {@code n}-th atomic write (from 0) would have taken, KB-relative. */
    public List<String> lossBeforeAtomicWrite(int n) {
        return lossAtAtomicWrite.get(n);
    }

    /** The files under the watched folders, KB-relative, whose content a crash now would take. */
    public List<String> wouldLose() {
        TreeSet<String> lost = new TreeSet<>();
        for (Path dir : watched) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    byte[] d = durable.get(key(p));
                    if (d == null || !Arrays.equals(d, Files.readAllBytes(p))) {
                        lost.add(root.relativize(p).toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(lost);
    }

    /** The crash: every file that {@link #wouldLose} comes back empty. Returns their KB-relative paths. */
    public List<String> crash() {
        List<String> lost = wouldLose();
        for (String rel : lost) {
            try {
                Files.write(root.resolve(rel), new byte[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lost;
    }
}
