package dev.kb.core.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Makes the staged files of one commit group durable together ({@link FileOps#fsyncAll}): one
 * barrier for the whole group where the system gives one, else the fsyncs issued in parallel.
 *
 * <p>Why: every staged file forced on its own cost two fsyncs per document, each of which on
 * ext4 also writes the file's new directory entry and, without a journal, flushes the device's
 * cache. A bulk add of 7,425 small pages spent a third of its time there.
 *
 * <p>The barrier is {@code syncfs(2)} of the file system the files are on, run as
 * {@code sync -f DIR} (coreutils and BusyBox; Java has no call for it). It writes every dirty
 * page and inode of that file system, and then flushes the device once. Since Linux 5.8 it also
 * reports a write-back error of any file there that nobody has been told of: a failure is not
 * known to be ours, so the files are then forced one by one, and an error there fails the group.
 * It is used only on Linux and for a group large enough to repay starting a process (a one-file
 * add forces its two files as before); anywhere else, or when {@code sync} cannot be run, the
 * files are forced in parallel.
 *
 * <p>The cost it does not hide: {@code syncfs} waits for other processes' unwritten data on the
 * same file system too (a large copy running beside kb lengthens each group's barrier).
 *
 * <p>What a successful barrier does not promise, where a per-file fsync would: an error that
 * another {@code syncfs} caller on the same file system already saw is not reported again; a
 * BusyBox {@code sync} built without {@code -f} ignores its arguments, syncs and exits 0; on FUSE
 * and CIFS, {@code syncfs} writes pages to the server without the flush an fsync sends. An
 * allow-list of local file systems would close the last; it is not built.
 */
final class GroupSync {
    /** From this many files on, one barrier is cheaper than the fsyncs (starting {@code sync} costs a few ms). */
    static final int BARRIER_FROM = 16;

    private static final String[] SYNC_PATHS = {"/bin/sync", "/usr/bin/sync"};
    /** The {@code sync} program, or null where there is no barrier to use (not Linux, none found, or it failed to start). */
    private static volatile String syncProgram = findSync();

    /** Barriers that succeeded in this process (for a test: which way a group went). */
    static final java.util.concurrent.atomic.AtomicInteger BARRIERS = new java.util.concurrent.atomic.AtomicInteger();

    /** Daemon threads for the parallel fsyncs, made on first use; one fsync waits on the disk, not the CPU. */
    private static final class Pool {
        static final ExecutorService FSYNCS = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "kb-fsync");
            t.setDaemon(true);
            return t;
        });
    }

    private GroupSync() {
    }

    /** Whether this process would take the barrier for a large enough group (for a test). */
    static boolean barrierAvailable() {
        return syncProgram != null;
    }

    /**
     * Only Linux 5.8 or later: before it, {@code syncfs} reported no write-back error at all, so
     * a failed write would pass for a durable one.
     */
    private static String findSync() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                || !reportsErrors(System.getProperty("os.version", ""))) {
            return null;
        }
        for (String p : SYNC_PATHS) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /** Whether a Linux kernel of this version ("6.1.0-13-amd64") is 5.8 or later. */
    static boolean reportsErrors(String version) {
        int[] parts = new int[2];
        int i = 0;
        for (int k = 0; k < 2; k++) {
            int start = i;
            while (i < version.length() && Character.isDigit(version.charAt(i)) && i - start < 6) {
                parts[k] = parts[k] * 10 + (version.charAt(i++) - '0');
            }
            if (i == start || (k == 0 && (i >= version.length() || version.charAt(i++) != '.'))) {
                return false;
            }
        }
        return parts[0] > 5 || (parts[0] == 5 && parts[1] >= 8);
    }

    /** Forces every file in {@code files} (regular files, written by this process and closed). */
    static void sync(Collection<Path> files) throws IOException {
        if (files.isEmpty()) {
            return;
        }
        String program = syncProgram;
        if (program != null && files.size() >= BARRIER_FROM && barrier(program, files.iterator().next())) {
            BARRIERS.incrementAndGet();
            return;
        }
        forceAll(files);
    }

    /**
     * {@link #sync}, begun now and finished by {@link FileOps.Pending#await}: the barrier runs on a
     * helper thread from here on (starting its process costs the thread that starts it ~3 ms, and
     * its wait for the disk a few ms more per group), overlapping whatever the caller does until
     * then. A barrier covers what was written before it began, so the files must be written and
     * closed already. When there is no barrier to take, or it fails, {@code await} forces the
     * files one by one.
     */
    static FileOps.Pending start(Collection<Path> files) {
        List<Path> these = List.copyOf(files);
        String program = syncProgram;
        Future<Boolean> begun = program != null && these.size() >= BARRIER_FROM
                ? Pool.FSYNCS.submit(() -> barrier(program, these.get(0))) : null;
        return new FileOps.Pending() {
            private boolean ended;

            @Override
            public Collection<Path> await() throws IOException {
                if (ended) {
                    throw new IllegalStateException("a barrier is awaited once");
                }
                ended = true;
                if (begun == null) {
                    sync(these);
                } else if (succeeded(begun)) {
                    BARRIERS.incrementAndGet();
                } else {
                    forceAll(these);
                }
                return these;
            }

            @Override
            public void close() {
                if (!ended && begun != null) {
                    succeeded(begun); // not trusted, but not left running past kb either: a few ms at most
                }
                ended = true;
            }
        };
    }

    /** Whether the barrier begun succeeded; an interrupt counts as a failure (the files are then forced). */
    private static boolean succeeded(Future<Boolean> barrier) {
        try {
            return barrier.get();
        } catch (InterruptedException e) {
            barrier.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** {@code syncfs} of the file system holding {@code file}; false when it failed or could not be run. */
    private static boolean barrier(String program, Path file) {
        Process p = launch(program, file);
        return p != null && finish(p);
    }

    /** Starts {@code sync -f} on the file system of {@code file}; null when it cannot be run. */
    private static Process launch(String program, Path file) {
        try {
            return new ProcessBuilder(program, "-f", "--", file.toAbsolutePath().toString())
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            syncProgram = null; // not runnable here (a sandbox, no fork): fsyncs from now on
            return null;
        }
    }

    /** Whether the barrier's process succeeded; a failure stops later groups from taking one. */
    private static boolean finish(Process p) {
        try {
            if (p.waitFor() == 0) {
                return true;
            }
            // An old sync without -f, or a write-back error: this group's files are forced one
            // by one, and so are every later group's (a barrier that failed once is not trusted)
            syncProgram = null;
            return false;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** fsync of each file, in parallel: the first error is thrown once all have ended. */
    static void forceAll(Collection<Path> files) throws IOException {
        if (files.size() <= 2) {
            for (Path f : files) {
                force(f);
            }
            return;
        }
        List<Future<?>> running = new ArrayList<>(files.size());
        for (Path f : files) {
            running.add(Pool.FSYNCS.submit(() -> {
                force(f);
                return null;
            }));
        }
        IOException first = null;
        for (Future<?> r : running) {
            try {
                r.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while forcing staged files", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void force(Path file) throws IOException {
        // WRITE, as RealFileOps.fsync: Windows flushes nothing through a read-only handle
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
