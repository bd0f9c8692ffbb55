package dev.kb.core.progress;

import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.LockHolder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * For {@code kb status}: the progress of the batches running now. Never waits, never writes, and
 * costs one directory listing when no batch runs; see the package documentation for why a file
 * counts only while its lock is held.
 */
public final class LiveProgress {
    private LiveProgress() {
    }

    /** The live batches, the one that started first first; empty when none runs (or none can be read). */
    public static List<Progress> read(KnowledgeBase kb) {
        Path dir = kb.progressDir();
        List<Progress> live = new ArrayList<>();
        // no glob: compiling one costs every 'kb status' a few classes more to load, for nothing
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path json : ds) {
                if (!json.getFileName().toString().endsWith(KnowledgeBase.PROGRESS_SUFFIX)) {
                    continue; // a lock file, or a temporary file being written
                }
                Progress p = readOne(json);
                if (p != null && alive(json, p)) {
                    live.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no batch has run since the last one ended (no directory), or it cannot be read:
            // the progress is advisory, and the rest of the status still answers
        }
        if (live.size() > 1) {
            live.sort(Comparator.comparing(Progress::startedAt, Comparator.nullsLast(Comparator.naturalOrder())));
        }
        return live;
    }

    private static Progress readOne(Path json) {
        try {
            return Progress.parse(Files.readAllBytes(json));
        } catch (IOException e) {
            return null; // the batch ended between the listing and the read
        }
    }

    /**
     * Whether the writer of {@code json} still runs: it holds the lock of the lock file beside it.
     * Probed with a shared lock on a read-only descriptor, which also works on a KB this user may
     * only read; closing the probe drops only this process's lock, never the writer's.
     */
    static boolean alive(Path json, Progress p) {
        String name = json.getFileName().toString();
        Path lockFile = json.resolveSibling(name.substring(0, name.length() - KnowledgeBase.PROGRESS_SUFFIX.length())
                + KnowledgeBase.PROGRESS_LOCK_SUFFIX);
        if (ProgressPublisher.HELD.contains(lockFile)) {
            return true; // this process's own batch: opening its lock file would drop the lock
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
            if (l == null) {
                return true;
            }
            l.release();
            return false; // nobody holds it: the writer is gone, however it ended
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            // cannot be probed (no read permission, a sweep of this JVM probing it right now):
            // the weaker test the lock holder's text is trusted by
            return LockHolder.isAlive(p.pid(), p.processStarted());
        }
    }
}
