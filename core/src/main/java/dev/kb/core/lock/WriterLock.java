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

    /**
     * What this JVM knows of each lock file, by {@link KnowledgeBase#lockFile()}: the semaphore that
     * keeps its threads apart (the OS lock only keeps other processes out), and its holder while
     * this JVM holds the OS lock.
     */
    private static final Map<Path, InJvm> IN_JVM = new ConcurrentHashMap<>();

    private static final class InJvm {
        final Semaphore guard = new Semaphore(1);

        /**
         * Non-null exactly while this JVM holds the OS lock; read and written only under this
         * object's monitor, which also covers every read of the lock file in this JVM.
         *
         * <p>Closing any file descriptor of a file drops all of the process's fcntl locks on it,
         * so reading the holder text from the file (open, read, close) while this JVM holds the
         * lock would silently let another process in while {@link WriterLock#isHeld()} still says true.
         * The holder is answered from here instead. Setting it in the same critical section as
         * {@code tryLock} matters: a read that opened the file just before the lock was taken
         * and closed it just after would drop the lock all the same.
         */
        LockHolder held;
    }

    /** Poll interval while waiting: short enough to feel immediate, long enough to cost nothing. */
    private static final long POLL_MILLIS = 25;

    private final Path lockFile;
    private final InJvm inJvm;
    private FileChannel channel;
    private FileLock lock;
    private final LockHolder holder;

    private WriterLock(Path lockFile, InJvm inJvm, FileChannel channel, FileLock lock, LockHolder holder) {
        this.lockFile = lockFile;
        this.inJvm = inJvm;
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
        InJvm inJvm = IN_JVM.computeIfAbsent(file, f -> new InJvm());
        Semaphore guard = inJvm.guard;
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
                LockHolder me = null;
                synchronized (inJvm) {
                    try {
                        l = ch.tryLock();
                    } catch (OverlappingFileLockException e) {
                        throw new IllegalStateException("lock file held twice in one JVM despite the guard: " + file, e);
                    }
                    if (l != null) {
                        me = LockHolder.current(command);
                        inJvm.held = me;
                    }
                }
                if (l != null) {
                    try {
                        writeHolder(ch, me);
                    } catch (IOException | RuntimeException e) {
                        // the finally closes ch, which releases the OS lock: stop answering from memory first
                        synchronized (inJvm) {
                            inJvm.held = null;
                        }
                        throw e;
                    }
                    WriterLock wl = new WriterLock(file, inJvm, ch, l, me);
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
            throw KbException.unusable("cannot open the lock file " + file, e);
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

    /**
     * Writes the holder text so that a reader in another process sees the whole of it or nothing:
     * the file is empty here ({@link #close} empties it), so one write at offset 0 turns it from
     * empty to complete. Truncating first and writing after, as before, left a window where
     * {@code kb status} read an empty or partial text and reported no holder. The truncate after
     * the write only cuts the tail of a longer text left by a holder that crashed; a reader that
     * catches the write half done sees text that does not parse and reads again (see
     * {@link LockHolder#readLive}).
     */
    private static void writeHolder(FileChannel ch, LockHolder me) throws IOException {
        ByteBuffer text = ByteBuffer.wrap(me.toBytes());
        while (text.hasRemaining()) {
            ch.write(text, text.position());
        }
        ch.truncate(text.limit());
        ch.force(false);
    }

    private static boolean tell(Consumer<String> onWait, Path file, boolean told) {
        if (!told && onWait != null) {
            onWait.accept(holderOf(file).map(LockHolder::describe).orElse("another kb process"));
        }
        return true;
    }

    private static KbException busy(KnowledgeBase kb, Duration wait) {
        String who = holderOf(kb.lockFile()).map(LockHolder::describe).orElse("another kb process");
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
            // readers in this JVM go back to the file only once the OS lock is gone with the channel
            synchronized (inJvm) {
                inJvm.held = null;
                try {
                    lock.release();
                } finally {
                    channel.close();
                }
            }
        } catch (IOException ignored) {
            // closing the channel releases the lock whatever happened before
        } finally {
            lock = null;
            channel = null;
            inJvm.guard.release();
        }
    }

    /** For {@code kb status}: the live holder, or empty, without touching the lock. */
    public static Optional<LockHolder> currentHolder(KnowledgeBase kb) {
        return holderOf(kb.lockFile());
    }

    /**
     * The live holder of {@code file}. The only way code in this JVM may read a lock file: from
     * memory while this JVM holds it, since opening and closing the file would release the lock
     * (see {@link InJvm#held}).
     */
    private static Optional<LockHolder> holderOf(Path file) {
        InJvm inJvm = IN_JVM.computeIfAbsent(file, f -> new InJvm());
        synchronized (inJvm) {
            return inJvm.held != null ? Optional.of(inJvm.held) : LockHolder.readLive(file);
        }
    }
}
