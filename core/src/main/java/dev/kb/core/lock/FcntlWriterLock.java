package dev.kb.core.lock;

import dev.kb.core.KbException;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.LockLostException;
import dev.kb.core.store.WriterLock;
import dev.kb.core.text.Durations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The exclusive writer lock of one KB. Acquire with {@link #acquire}, release with {@link #close}.
 * While held, {@link #assertHeld()} guards the code that must only run under it.
 *
 * <p><b>The lock is on a file, not on a path.</b> An fcntl lock belongs to the inode: once
 * {@code .kb/ingest.lock} is removed (by hand: nothing in kb removes it), the next process creates a
 * fresh file there and locks it while the first still holds its lock on the unlinked one, and two
 * writers run at once. So the lock remembers the identity ({@link BasicFileAttributes#fileKey()}:
 * device and inode) of the file it locked, and {@link #assertHeld()} checks that the path still
 * names that file; a holder that finds otherwise throws {@link LockLostException} instead of
 * committing. It is a stat, never an open: opening the lock file again in this JVM and closing it
 * would drop the lock (see {@link InJvm#held}).
 *
 * <p>Java does not tell which file a channel has open, so the identity is tied to the channel
 * from outside: stat the path, open it, lock, stat again, and accept only when both stats name the
 * same existing file; otherwise let go and start over. <i>Residual race:</i> a path replaced and
 * then replaced back by a file that happens to get the first one's inode number, all between the
 * two stats, would go unnoticed; that takes two replacements within microseconds and an inode
 * number reused. Where the platform has no file keys (null) the check is skipped.
 */
public final class FcntlWriterLock implements WriterLock {

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
         * lock would silently let another process in while {@link #isHeld()} still says true.
         * The holder is answered from here instead. Setting it in the same critical section as
         * {@code tryLock} matters: a read that opened the file just before the lock was taken
         * and closed it just after would drop the lock all the same.
         */
        LockHolder held;
    }

    /** Poll interval while waiting: short enough to feel immediate, long enough to cost nothing. */
    private static final long POLL_MILLIS = 25;

    /**
     * How many times in a row the lock file may turn out not to be the file at its path before
     * acquiring gives up. Once is normal (the file did not exist and our open created it); more
     * means someone keeps removing or replacing it.
     */
    private static final int IDENTITY_ATTEMPTS = 20;

    /** {@link #identityAt} of a path where there is no file. */
    private static final Object MISSING = new Object();

    private final Path lockFile;
    private final InJvm inJvm;
    private FileChannel channel;
    private FileLock lock;
    private final LockHolder holder;
    /** The file key of the locked file; null where the platform has none (then it is not checked). */
    private final Object identity;

    private FcntlWriterLock(Path lockFile, InJvm inJvm, FileChannel channel, FileLock lock, LockHolder holder,
                       Object identity) {
        this.lockFile = lockFile;
        this.inJvm = inJvm;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
        this.identity = identity;
    }

    /**
     * Takes the lock, waiting up to {@code wait}. {@code onWait} is told once who holds it when we
     * have to wait. Throws {@link KbException.Kind#LOCK_BUSY} naming the holder when the wait runs out.
     */
    public static FcntlWriterLock acquire(KnowledgeBase kb, Duration wait, String command, Consumer<String> onWait) {
        Path file = kb.lockFile();
        long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
        InJvm inJvm = IN_JVM.computeIfAbsent(file, f -> new InJvm());
        boolean told = takeGuard(kb, inJvm, deadline, wait, onWait);
        try {
            return lockFile(kb, inJvm, deadline, wait, command, onWait, told);
        } catch (RuntimeException e) {
            inJvm.guard.release();
            throw e;
        }
    }

    /** Waits for this JVM's other threads to let go; returns whether {@code onWait} was told. */
    private static boolean takeGuard(KnowledgeBase kb, InJvm inJvm, long deadline, Duration wait,
                                     Consumer<String> onWait) {
        try {
            if (inJvm.guard.tryAcquire()) {
                return false;
            }
            tell(onWait, kb.lockFile(), false);
            long left = deadline - System.nanoTime();
            if (left <= 0 || !inJvm.guard.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                throw busy(kb, wait);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.LOCK_BUSY, "interrupted while waiting for the writer lock of " + kb);
        }
    }

    /** Takes the OS lock on the file at the lock path, polling until the deadline; holds the guard. */
    private static FcntlWriterLock lockFile(KnowledgeBase kb, InJvm inJvm, long deadline, Duration wait,
                                            String command, Consumer<String> onWait, boolean told) {
        Path file = kb.lockFile();
        FileChannel ch = null;
        try {
            Object opened = MISSING;
            int replaced = 0;
            while (true) {
                if (ch == null) {
                    // stat, then open: the stat after the lock below must find this same file
                    opened = identityAt(file);
                    ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                }
                Locked l = tryLock(ch, inJvm, file, command);
                if (l != null) {
                    Object now = identityAt(file);
                    if (opened == MISSING || !Objects.equals(opened, now)) {
                        // Our open created the file, or the path was removed or replaced since the
                        // stat (or while we waited): the lock may be on a file nobody else will
                        // find. Let go of it and start over on whatever the path names now.
                        release(inJvm, l.lock(), ch);
                        ch = null;
                        if (++replaced >= IDENTITY_ATTEMPTS) {
                            throw new KbException(KbException.Kind.KB_UNUSABLE, "the lock file " + file
                                    + " keeps being removed or replaced while kb locks it; is something deleting it?");
                        }
                        continue;
                    }
                    FcntlWriterLock wl = publishHolder(file, inJvm, ch, l, now);
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
            throw KbException.unusable("cannot open the lock file " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.LOCK_BUSY, "interrupted while waiting for the writer lock of " + kb);
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

    /** An OS lock just taken, and the holder this JVM now answers with. */
    private record Locked(FileLock lock, LockHolder holder) {
    }

    /**
     * One try for the OS lock; null when another process holds it. The holder is set in the same
     * critical section as {@code tryLock} (see {@link InJvm#held}).
     */
    private static Locked tryLock(FileChannel ch, InJvm inJvm, Path file, String command) throws IOException {
        synchronized (inJvm) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new IllegalStateException("lock file held twice in one JVM despite the guard: " + file, e);
            }
            if (l == null) {
                return null;
            }
            LockHolder me = LockHolder.current(command);
            inJvm.held = me;
            return new Locked(l, me);
        }
    }

    /** Writes the holder text into the locked file and makes the lock object. */
    private static FcntlWriterLock publishHolder(Path file, InJvm inJvm, FileChannel ch, Locked l, Object identity)
            throws IOException {
        try {
            writeHolder(ch, l.holder());
        } catch (IOException | RuntimeException e) {
            // the caller closes ch, which releases the OS lock: stop answering from memory first
            synchronized (inJvm) {
                inJvm.held = null;
            }
            throw e;
        }
        return new FcntlWriterLock(file, inJvm, ch, l.lock(), l.holder(), identity);
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
        // Not forced: readers in other processes see it through the page cache, and after a power
        // cut nobody holds the lock, so a holder text lost or stale is what readers handle anyway
        // (no text, or one whose process is gone). Forcing it cost an fdatasync per group.
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
                + " holds the writer lock; gave up after " + Durations.format(wait) + " (use --wait to wait longer)");
    }

    /** Locks of {@code kb}'s lock file, for code written against {@link WriterLock}. */
    public static WriterLock.Factory factory(KnowledgeBase kb) {
        return (wait, command, onWait) -> acquire(kb, wait, command, onWait);
    }

    /** The holder as this JVM knows it, when this JVM holds the lock of {@code kb}. */
    public LockHolder holder() {
        return holder;
    }

    /**
     * Guards code that must run under the lock. Not holding it is a bug ({@link IllegalStateException});
     * holding it on a file that is no longer at the lock file's path is not, and throws
     * {@link LockLostException}: another process may hold a lock on the file there now. One stat,
     * cheap enough for every group committed.
     */
    @Override
    public void assertHeld() {
        if (lock == null || !lock.isValid()) {
            throw new IllegalStateException("writer lock of " + lockFile + " is not held");
        }
        if (identity == null) {
            return; // no file keys on this platform: nothing to compare
        }
        Object now;
        try {
            now = identityAt(lockFile);
        } catch (IOException e) {
            throw new LockLostException(lockFile, "could not be checked (" + e.getMessage() + ")", e);
        }
        if (now == MISSING) {
            throw new LockLostException(lockFile, "was removed", null);
        }
        if (!identity.equals(now)) {
            throw new LockLostException(lockFile, "was replaced by another file", null);
        }
    }

    /**
     * The identity of the file at {@code file} (its file key: device and inode), {@link #MISSING}
     * when there is none, null when the platform has no file keys. A stat: it never opens the
     * file. It follows a symbolic link, as opening the lock file does.
     */
    private static Object identityAt(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    /** Lets go of a lock taken on a file that turned out not to be the one at the path. */
    private static void release(InJvm inJvm, FileLock l, FileChannel ch) throws IOException {
        synchronized (inJvm) {
            inJvm.held = null;
            try {
                l.release();
            } finally {
                ch.close();
            }
        }
    }

    @Override
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
