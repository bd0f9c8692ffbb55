package dev.kb.core.summary;

import dev.kb.core.store.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the registry's files look like on disk: device, inode, size, modification and change time
 * of {@code registry.db} and of its write-ahead log. Every commit writes one of the two (the log,
 * or the database file when SQLite checkpoints), so while a stamp still matches, nothing has been
 * committed since it was taken, and {@code kb status} can serve the summary stored with it without
 * loading SQLite at all (about 80 ms of a 150 ms status; see {@link SummaryCache#serveUnopened}).
 *
 * <p>What makes that sound, and what each part prevents:
 * <ul>
 *   <li><b>Settled files only.</b> A file system stamps a write with a coarse clock (a kernel tick
 *       on Linux, a second on HFS+, two on FAT): a commit in the same tick as the write before it
 *       leaves the time unchanged, and a log rewritten from its start (after a checkpoint) keeps
 *       its size. A stamp is therefore stored only when every time in it is at least
 *       {@link #SETTLED} older than a clock read before the stamp was taken: any later write then
 *       carries a later time.</li>
 *   <li><b>The change time too.</b> The modification time can be set back ({@code touch -d},
 *       {@code cp -p} of an old backup over the file); the change time cannot.</li>
 *   <li><b>An empty or missing log is no log.</b> SQLite deletes the log when its last connection
 *       closes and a reader creates an empty one; neither changes what is committed, and a stamp
 *       that told them apart would never match twice.</li>
 *   <li><b>Taken twice around the read it vouches for</b> ({@link SummaryCache#serve}): a stamp is
 *       stored with a summary only if it was the same before the registry was opened and after its
 *       revision was read, so no commit fell in between.</li>
 *   <li><b>Only of a KB at rest</b> ({@link dev.kb.core.app.Status}): no writer holds the lock, none
 *       has live progress, no journal is pending. SQLite makes a commit visible after it has
 *       written and synced the log: a sync that takes seconds leaves settled files whose commit is
 *       not visible yet, and a writer killed in between leaves one that the next connection to
 *       rebuild the log's index makes visible; either way without a file changing. Every commit is
 *       made under the lock and journalled until its post-commit steps are done.</li>
 * </ul>
 * Where the attributes cannot be read (a file system without the POSIX ones), there is no stamp
 * and every status reads the registry.
 *
 * <p>A class, not a record: a record's {@code equals} is bootstrapped through
 * {@code java.lang.runtime.ObjectMethods} on first use, which spins method handles that JDK 17's
 * class-data archive cannot keep (10 ms of the status that compares stamps to save 80).
 */
public final class RegistryStamp {
    /**
     * How much older than the clock every time in a stored stamp must be: the file systems'
     * granularity the stat cache allows for too ({@link FileStat#GRANULARITY_NS}).
     */
    public static final Duration SETTLED = Duration.ofNanos(FileStat.GRANULARITY_NS);

    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    private final String text;

    public RegistryStamp(String text) {
        if (text.isEmpty() || text.indexOf('\t') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("not a registry stamp: " + text);
        }
        this.text = text;
    }

    /** The stamp as the summary file keeps it. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryStamp other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** The stamp of the registry at {@code db} now; empty when its attributes cannot be read. */
    public static Optional<RegistryStamp> of(Path db) {
        try {
            StringBuilder b = new StringBuilder();
            // A registry.db that is a link: SQLite opens the file it names and keeps the log
            // beside that file, so that is the pair stamped (the link's own attributes and a log
            // looked for beside it would never change). A link pointed elsewhere names another inode.
            db = db.toRealPath();
            Map<String, Object> a = Files.readAttributes(db, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            append(b, a);
            Path wal = db.resolveSibling(db.getFileName() + "-wal");
            Map<String, Object> w;
            try {
                w = Files.readAttributes(wal, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                w = null;
            }
            if (w == null || (Long) w.get("size") == 0) {
                b.append(",-");
            } else {
                b.append(',');
                append(b, w);
            }
            return Optional.of(new RegistryStamp(b.toString()));
        } catch (IOException | RuntimeException e) {
            // no POSIX attributes here (UnsupportedOperationException), or no registry file: the
            // registry is read, and says what is wrong with it
            return Optional.empty();
        }
    }

    private static void append(StringBuilder b, Map<String, Object> a) {
        b.append(a.get("dev")).append(':').append(a.get("ino")).append(':').append(a.get("size")).append(':')
                .append(nanos((FileTime) a.get("lastModifiedTime"))).append(':').append(nanos((FileTime) a.get("ctime")));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /**
     * Whether every time in this stamp is at least {@link #SETTLED} before {@code clock}, a time
     * read before the stamp was taken. A time after the clock (one set back, a file from another
     * machine) is not settled either.
     */
    boolean settledBefore(Instant clock) {
        long limit = TimeUnit.SECONDS.toNanos(clock.getEpochSecond()) + clock.getNano() - SETTLED.toNanos();
        for (String file : text.split(",")) {
            if (file.equals("-")) {
                continue;
            }
            String[] f = file.split(":");
            if (f.length != 5) {
                return false;
            }
            try {
                if (Long.parseLong(f[3]) > limit || Long.parseLong(f[4]) > limit) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
