package dev.kb.core.staging;

import dev.kb.core.KbException;
import dev.kb.core.fs.UniqueNames;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One process's private staging folder; see the package documentation for the ownership rule. */
public final class StagingArea implements AutoCloseable {
    static final String PREFIX = "p-";
    static final String OWNER_SUFFIX = ".owner";

    /** Owner files this JVM holds: never probe them (closing a probe channel would drop our lock). */
    static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path ownerFile;
    private final FileChannel ownerChannel;
    private final FileLock ownerLock;
    private final AtomicLong seq = new AtomicLong();
    /**
     * This thread's lane: a sub-folder of {@link #dir} that only it creates files in. Creating a
     * file takes its folder's lock exclusively; with every preparer in one folder, each create
     * waited for (and the kernel spun on) the other core's, 12% of all CPU in a bulk add.
     */
    private final ThreadLocal<Path> lane = new ThreadLocal<>();
    private final AtomicLong lanes = new AtomicLong();
    /** What the preparation running on this thread has been handed; see {@link #prepare}. */
    private final ThreadLocal<List<Path>> task = new ThreadLocal<>();
    private volatile boolean closed;

    private StagingArea(Path dir, Path ownerFile, FileChannel ch, FileLock lock) {
        this.dir = dir;
        this.ownerFile = ownerFile;
        this.ownerChannel = ch;
        this.ownerLock = lock;
    }

    public static StagingArea create(KnowledgeBase kb) {
        try {
            Files.createDirectories(kb.stagingDir());
            while (true) {
                String name = PREFIX + UniqueNames.next();
                Path owner = kb.stagingDir().resolve(name + OWNER_SUFFIX);
                FileChannel ch = FileChannel.open(owner, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileLock lock = ch.lock();
                // A sweeper may have found the file unlocked between create and lock, and deleted
                // it: then our lock is on an unlinked inode that protects nothing. The name is a
                // fresh name (UniqueNames) that nobody else creates, so "still there" means "still ours".
                if (!Files.exists(owner, LinkOption.NOFOLLOW_LINKS)) {
                    ch.close();
                    continue;
                }
                HELD.add(owner);
                writePid(ch);
                Path dir = kb.stagingDir().resolve(name);
                Files.createDirectory(dir);
                return new StagingArea(dir, owner, ch, lock);
            }
        } catch (IOException e) {
            throw KbException.unusable("cannot create a staging folder in " + kb.stagingDir(), e);
        }
    }

    /**
     * Only for messages: recovery names the process when it finds one of its journals while it
     * runs (see {@link StagingOwner}). The lock, not this text, says the owner is alive, so a write
     * that fails (a full disk) costs nothing but the pid in that message.
     */
    private static void writePid(FileChannel ch) {
        try {
            ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            // "pid unknown" in that message
        }
    }

    public Path dir() {
        return dir;
    }

    /** A fresh path inside the folder, in this thread's lane (the path is not created; the lane is). */
    public Path newPath(String suffix) throws IOException {
        if (closed) {
            throw new IllegalStateException("staging area " + dir + " is closed");
        }
        Path p = lane().resolve(seq.incrementAndGet() + suffix);
        List<Path> made = task.get();
        if (made != null) {
            made.add(p);
        }
        return p;
    }

    private Path lane() throws IOException {
        Path l = lane.get();
        if (l == null) {
            l = Files.createDirectory(dir.resolve("t" + lanes.incrementAndGet()));
            lane.set(l);
        }
        return l;
    }

    /**
     * Runs one document's preparation on this thread and, if it throws, removes everything it
     * staged before passing the failure on. A failed input gives its disk space back at once:
     * a large file half-copied onto a nearly full disk must not make every later input fail too.
     */
    public <T> T prepare(Callable<T> work) throws Exception {
        List<Path> made = new ArrayList<>();
        task.set(made);
        try {
            return work.call();
        } catch (Exception | Error e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                try {
                    Sweeper.deleteTree(made.get(i));
                } catch (IOException ignored) {
                    // left for close(), or the next writer's sweep
                }
            }
            throw e;
        } finally {
            task.remove();
        }
    }

    /** A fresh empty sub-folder, e.g. scratch space for a converter. */
    public Path newDirectory(String suffix) throws IOException {
        return Files.createDirectory(newPath(suffix));
    }

    /**
     * Writes a new staged file, unforced: the commit that publishes it forces its group's staged
     * files together first ({@link dev.kb.core.store.DocumentStore#makeDurable}).
     */
    public Path write(String suffix, byte[] data) throws IOException {
        Path p = newPath(suffix);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        return p;
    }

    /** Writes the content of a staged file into its channel (positioned at 0; it may truncate). */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * Writes a new staged file by streaming into it, unforced as {@link #write(String, byte[])}: a
     * page of any size without holding it (a 1 GB Markdown file's page, read whole, took several
     * times its size in heap).
     */
    public Path write(String suffix, Content content) throws IOException {
        Path p = newPath(suffix);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            content.writeTo(ch);
        }
        return p;
    }

    /** Removes the folder and releases ownership. Staged files still in it were never published. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Sweeper.deleteTree(dir);
            Files.deleteIfExists(ownerFile);
        } catch (IOException e) {
            // a folder we could not remove is an orphan the next writer sweeps
        } finally {
            HELD.remove(ownerFile);
            try {
                ownerLock.release();
                ownerChannel.close();
            } catch (IOException ignored) {
                // closing releases the lock in any case
            }
        }
    }
}
