package dev.kb.core.progress;

import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Publishes one batch's {@link BatchProgress} under {@code .kb/progress/} from a thread of its own
 * until {@link #close}; see the package documentation for the files and the liveness rule. Never
 * throws and never stops the batch: whatever goes wrong is one warning at most.
 */
public final class ProgressPublisher implements AutoCloseable {
    static final int WRITES_PER_SECOND = 4;
    private static final long INTERVAL_MILLIS = 1000 / WRITES_PER_SECOND;
    /** With nothing new, still rewritten this often: the rate falls and {@code updated_at} moves on. */
    private static final long IDLE_MILLIS = 1000;
    private static final String TEMP = KnowledgeBase.PROGRESS_SUFFIX + KnowledgeBase.TEMP_SUFFIX;
    private static final int CREATE_ATTEMPTS = 5;

    /**
     * Lock files this JVM holds. A reader or sweeper in this JVM must never open one: closing any
     * descriptor of a file drops all of the process's fcntl locks on it, ours included.
     */
    static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private static final ProgressPublisher INERT = new ProgressPublisher(null, null, null, null, null, null, null);

    private final BatchProgress progress;
    private final Path dir;
    private final Path json;
    private final Path temp;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private Consumer<String> warn;
    private boolean closed;
    private long written = -1;
    private long writtenAt;
    /** Files written so far (for the test that the throttle holds). */
    private int writes;
    private Thread thread;
    private Thread hook;

    private ProgressPublisher(BatchProgress progress, Path dir, Path json, Path lockFile, FileChannel channel,
                              FileLock lock, Consumer<String> warn) {
        this.progress = progress;
        this.dir = dir;
        this.json = json;
        this.temp = json == null ? null : json.resolveSibling(json.getFileName() + KnowledgeBase.TEMP_SUFFIX);
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
        this.warn = warn;
        this.closed = progress == null;
    }

    /**
     * Starts publishing {@code progress}: the file is there when this returns. {@code warn} is told
     * once if the progress cannot be published; a KB this process cannot write is left alone
     * silently (the command reports that itself, in one line).
     */
    public static ProgressPublisher start(KnowledgeBase kb, BatchProgress progress, Consumer<String> warn) {
        if (!Files.isWritable(kb.metaDir())) {
            return INERT;
        }
        Path dir = kb.progressDir();
        String stem = ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
        Path lockFile = dir.resolve(stem + KnowledgeBase.PROGRESS_LOCK_SUFFIX);
        ProgressPublisher p;
        try {
            p = lock(progress, dir, dir.resolve(stem + KnowledgeBase.PROGRESS_SUFFIX), lockFile, warn);
        } catch (IOException | RuntimeException e) {
            warn.accept("cannot publish progress for 'kb status' in " + dir + ": " + Causes.oneLine(e));
            return INERT;
        }
        sweep(dir, stem);
        p.begin();
        return p;
    }

    /**
     * Creates and locks the lock file. Another writer's {@link #sweep} may find it unlocked between
     * the create and the lock and delete it, and a writer ending may remove the directory just
     * made: then the lock would be on a file nobody finds, and readers would call this batch dead.
     * The name is new, so "still there once locked" means "still ours".
     */
    private static ProgressPublisher lock(BatchProgress progress, Path dir, Path json, Path lockFile,
                                          Consumer<String> warn) throws IOException {
        IOException last = null;
        for (int i = 0; i < CREATE_ATTEMPTS; i++) {
            FileChannel ch = null;
            try {
                Files.createDirectories(dir);
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock l = ch.lock();
                if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                    HELD.add(lockFile);
                    ProgressPublisher p = new ProgressPublisher(progress, dir, json, lockFile, ch, l, warn);
                    ch = null;
                    return p;
                }
            } catch (NoSuchFileException e) {
                last = e; // the directory went between createDirectories and the open: again
            } finally {
                if (ch != null) {
                    ch.close();
                }
            }
        }
        throw last != null ? last : new IOException(lockFile + " keeps being removed");
    }

    private void begin() {
        synchronized (this) {
            write();
        }
        thread = new Thread(this::loop, "kb-progress");
        thread.setDaemon(true);
        thread.start();
        // Ctrl-C, SIGTERM: a batch's own hook closes it after its last group; this covers the rest
        hook = new Thread(this::close, "kb-progress-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            hook = null;
        }
    }

    private synchronized void loop() {
        while (!closed) {
            try {
                wait(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed && (progress.changes() != written || System.nanoTime() - writtenAt >= IDLE_MILLIS * 1_000_000)) {
                write();
            }
        }
    }

    /** Temp file, then rename: a reader sees the old text or the new, never half of one. No fsync. */
    private void write() {
        long changes = progress.changes();
        try {
            Files.write(temp, progress.snapshot().toJson());
            Files.move(temp, json, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            if (warn != null) {
                warn.accept("cannot publish progress for 'kb status' in " + json + ": " + Causes.oneLine(e)
                        + " (the batch goes on)");
                warn = null; // once: a full disk must not add a line per write
            }
        }
        written = changes;
        writtenAt = System.nanoTime();
        writes++;
    }

    synchronized int writes() {
        return writes;
    }

    /** Stops publishing and removes the files (the directory too when no other batch uses it). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        // no write can start now, and one in progress held the monitor until it was done
        try {
            Files.deleteIfExists(json);
            Files.deleteIfExists(temp);
            // deleted before it is unlocked, so no reader finds it unlocked beside a live JSON file
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            // left for the next writer's sweep; readers see an unlocked lock file: not live
        } finally {
            HELD.remove(lockFile);
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock in any case
            }
        }
        try {
            Files.delete(dir);
        } catch (IOException e) {
            // another batch's files are in it (not empty), or it is gone already
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook finds the publisher closed
            }
        }
    }

    /**
     * Removes what dead writers left (killed, halted): every set whose lock file is missing or can
     * be locked. A live writer's lock cannot be taken, so its files stay.
     */
    static void sweep(Path dir, String mine) {
        Set<String> stems = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                int dot = name.indexOf('.');
                if (dot > 0) {
                    stems.add(name.substring(0, dot));
                }
            }
        } catch (IOException | RuntimeException e) {
            return; // nothing to sweep, or not now: the next writer tries again
        }
        stems.remove(mine);
        for (String stem : stems) {
            sweepOne(dir, stem);
        }
    }

    private static void sweepOne(Path dir, String stem) {
        Path lockFile = dir.resolve(stem + KnowledgeBase.PROGRESS_LOCK_SUFFIX);
        if (HELD.contains(lockFile)) {
            return;
        }
        Path json = dir.resolve(stem + KnowledgeBase.PROGRESS_SUFFIX);
        Path temp = dir.resolve(stem + TEMP);
        // A shared lock, as readers probe: an exclusive one, held while deleting, would make a
        // reader probing at that moment take the dead writer's file for a live one.
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
            if (l == null) {
                return; // a live writer
            }
            Files.deleteIfExists(json);
            Files.deleteIfExists(temp);
            Files.deleteIfExists(lockFile);
            l.release();
        } catch (NoSuchFileException noLock) {
            // no lock file: a writer locks before it first writes, so these belong to no live one
            try {
                Files.deleteIfExists(json);
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the next sweep
            }
        } catch (OverlappingFileLockException | IOException e) {
            // being probed by this JVM right now, or not ours to touch: leave it
        }
    }

    /** For tests: the JSON file this publisher writes, null when inert. */
    Path file() {
        return json;
    }

    /** Whether {@link #start} could not publish at all. */
    public boolean inert() {
        return progress == null;
    }
}
