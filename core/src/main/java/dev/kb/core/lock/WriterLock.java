package dev.kb.core.lock;

import dev.kb.core.KbException;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The exclusive writer lock of one KB. Acquire with {@link #acquire}, release with {@link #close}.
 * While held, {@link #assertHeld()} guards the code that must only run under it.
 */
public final class WriterLock implements AutoCloseable {

    /** Threads of this JVM; the OS lock only keeps other processes out. */
    private static final Map<Path, Semaphore> IN_JVM = new ConcurrentHashMap<>();

    /** Poll interval while waiting: short enough to feel immediate, long enough to cost nothing. */
    private static final long POLL_MILLIS = 25;

    private final Path lockFile;
    private final Semaphore guard;
    private FileChannel channel;
    private FileLock lock;
    private final LockHolder holder;

    private WriterLock(Path lockFile, Semaphore guard, FileChannel channel, FileLock lock, LockHolder holder) {
        this.lockFile = lockFile;
        this.guard = guard;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /**
     * Takes the lock, waiting up to {@code wait}. {@code onWait} is told once who holds it when we
     * have to wait. Throws {@link KbException.Kind#LOCK_BUSY} naming the holder when the wait runs out.
     */
    public static WriterLock acquire(KnowledgeBase kb, Duration wait, String command, Consumer<String> onWait) {
        Path file = kb.lockFile();
        long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
        Semaphore guard = IN_JVM.computeIfAbsent(file, f -> new Semaphore(1));
        boolean told = false;
        try {
            if (!guard.tryAcquire()) {
                told = tell(onWait, file, told);
                long left = deadline - System.nanoTime();
                if (left <= 0 || !guard.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    throw busy(kb, wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.LOCK_BUSY, "interrupted while waiting for the writer lock of " + kb);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    throw new IllegalStateException("lock file held twice in one JVM despite the guard: " + file, e);
                }
                if (l != null) {
                    LockHolder me = LockHolder.current(command);
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap(me.toBytes()), 0);
                    ch.force(false);
                    WriterLock wl = new WriterLock(file, guard, ch, l, me);
                    ch = null;
                    return wl;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw busy(kb, wait);
                }
                told = tell(onWait, file, told);
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        } catch (IOException e) {
            guard.release();
            throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot open the lock file " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            guard.release();
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.LOCK_BUSY, "interrupted while waiting for the writer lock of " + kb);
        } catch (RuntimeException e) {
            guard.release();
            throw e;
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing a channel we never locked cannot lose anything
                }
            }
        }
    }

    private static boolean tell(Consumer<String> onWait, Path file, boolean told) {
        if (!told && onWait != null) {
            onWait.accept(LockHolder.readLive(file).map(LockHolder::describe).orElse("another kb process"));
        }
        return true;
    }

    private static KbException busy(KnowledgeBase kb, Duration wait) {
        String who = LockHolder.readLive(kb.lockFile()).map(LockHolder::describe).orElse("another kb process");
        return new KbException(KbException.Kind.LOCK_BUSY, "the knowledge base " + kb + " is busy: " + who
                + " holds the writer lock; gave up after " + human(wait) + " (use --wait to wait longer)");
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
    }

    /** The holder as this JVM knows it, when this JVM holds the lock of {@code kb}. */
    public LockHolder holder() {
        return holder;
    }

    public void assertHeld() {
        if (lock == null || !lock.isValid()) {
            throw new IllegalStateException("writer lock of " + lockFile + " is not held");
        }
    }

    public boolean isHeld() {
        return lock != null && lock.isValid();
    }

    /**
     * Releases the lock. The holder text is cleared first so that readers do not report a holder
     * that has gone; a crash skips this and readers fall back to the liveness check.
     */
    @Override
    public void close() {
        if (lock == null) {
            return;
        }
        try {
            channel.truncate(0);
        } catch (IOException ignored) {
            // the liveness check covers a holder text that could not be cleared
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock whatever happened before
        } finally {
            lock = null;
            channel = null;
            guard.release();
        }
    }

    /** For {@code kb status}: the live holder, or empty, without touching the lock. */
    public static Optional<LockHolder> currentHolder(KnowledgeBase kb) {
        return LockHolder.readLive(kb.lockFile());
    }
}
