package dev.kb.core.staging;

import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Finds and removes staging entries that nobody owns any more. */
public final class Sweeper {
    private static final String JOURNAL_PREFIX = "j-";

    private Sweeper() {
    }

    /** The folder in which a journal parks the live files it replaces. */
    public static String backupDirName(String journalId) {
        return JOURNAL_PREFIX + journalId;
    }

    /** Counts orphans without removing anything (for {@code kb status}). */
    public static int countOrphans(KnowledgeBase kb, Set<String> liveJournalIds) throws IOException {
        return orphans(kb, liveJournalIds).size();
    }

    /**
     * Removes orphaned staging entries. Call only under the writer lock and after every journal
     * has been finished or rolled back (so no journal still needs a staged file).
     *
     * <p>A journal's backup folder ({@code j-<id>}) that no journal owns is removed only when it is
     * empty. Rollback moves every backup back and a commit deletes them, both before the journal
     * itself is deleted, so a normal run leaves at most an empty folder. One that still holds files
     * lost its journal some other way (a quarantine cut short, a deletion a power cut half undid)
     * and may hold the only copy of a replaced document: it is moved to {@code .kb/quarantine/}
     * and reported through {@code warn}, never deleted.
     *
     * @return how many top-level entries left the staging folder (removed or quarantined)
     */
    public static int removeOrphans(KnowledgeBase kb, FileOps ops, Set<String> liveJournalIds,
                                    Consumer<String> warn) throws IOException {
        List<Path> orphans = orphans(kb, liveJournalIds);
        for (Path p : orphans) {
            String name = p.getFileName().toString();
            if (name.startsWith(StagingArea.PREFIX)) {
                String base = name.endsWith(StagingArea.OWNER_SUFFIX)
                        ? name.substring(0, name.length() - StagingArea.OWNER_SUFFIX.length()) : name;
                Path owner = p.resolveSibling(base + StagingArea.OWNER_SUFFIX);
                // Hold the owner lock while deleting: a process between creating this owner file
                // and locking it then blocks until the file is gone, sees that, and starts over,
                // instead of working in a folder whose owner file we are about to remove.
                try (Claim claim = Claim.of(owner)) {
                    if (claim == null) {
                        continue; // it came alive since the listing
                    }
                    deleteTree(p.resolveSibling(base), ops);
                    ops.delete(owner);
                }
            } else if (name.startsWith(JOURNAL_PREFIX) && !isEmptyDirectory(p)) {
                Path moved = quarantine(kb, ops, p, name + "." + stamp());
                warn.accept("staging folder " + kb.relative(p) + " holds files of a journal that no longer exists"
                        + " (they may be the only copy of replaced documents); moved to " + kb.relative(moved)
                        + " for inspection");
            } else {
                deleteTree(p, ops);
            }
        }
        if (!orphans.isEmpty()) {
            ops.fsyncDirectory(kb.stagingDir());
        }
        return orphans.size();
    }

    /**
     * Moves a file or folder into {@code .kb/quarantine/} as {@code name} (with a numeric suffix if
     * that is taken: a rename replaces what it lands on) and makes the move durable in both
     * directories before returning. A caller that moves two things whose pairing matters (a
     * journal and its backups) relies on that: without both fsyncs a power cut can keep a later
     * move and lose this one.
     */
    public static Path quarantine(KnowledgeBase kb, FileOps ops, Path p, String name) throws IOException {
        Path dir = kb.quarantineDir();
        ops.createDirectories(dir);
        Path target = dir.resolve(name);
        for (int i = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); i++) {
            target = dir.resolve(name + "-" + i);
        }
        ops.move(p, target);
        ops.fsyncDirectory(dir);
        ops.fsyncDirectory(p.getParent());
        return target;
    }

    /** A time stamp usable in a file name on every file system (no ':'). */
    public static String stamp() {
        return Instant.now().toString().replace(':', '-');
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
            return !ds.iterator().hasNext();
        }
    }

    private static List<Path> orphans(KnowledgeBase kb, Set<String> liveJournalIds) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(kb.stagingDir())) {
            return out;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(kb.stagingDir())) {
            ds.forEach(entries::add);
        }
        entries.sort(null);
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (name.startsWith(JOURNAL_PREFIX)) {
                if (!liveJournalIds.contains(name.substring(JOURNAL_PREFIX.length()))) {
                    out.add(p);
                }
            } else if (name.startsWith(StagingArea.PREFIX)) {
                String base = name.endsWith(StagingArea.OWNER_SUFFIX)
                        ? name.substring(0, name.length() - StagingArea.OWNER_SUFFIX.length()) : name;
                Path owner = p.resolveSibling(base + StagingArea.OWNER_SUFFIX);
                if (name.endsWith(StagingArea.OWNER_SUFFIX)) {
                    // an owner file is listed on its own only when its folder is gone
                    if (!Files.exists(p.resolveSibling(base), LinkOption.NOFOLLOW_LINKS) && !ownedByLiveProcess(owner)) {
                        out.add(p);
                    }
                } else if (!ownedByLiveProcess(owner)) {
                    out.add(p);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** The owner lock of an orphan, held by the sweeper; null when a live process holds it. */
    private record Claim(FileChannel channel, FileLock lock) implements AutoCloseable {
        static Claim of(Path owner) throws IOException {
            if (StagingArea.HELD.contains(owner)) {
                return null;
            }
            if (!Files.exists(owner, LinkOption.NOFOLLOW_LINKS)) {
                return new Claim(null, null);
            }
            FileChannel ch = FileChannel.open(owner, StandardOpenOption.WRITE);
            try {
                FileLock l = ch.tryLock();
                if (l == null) {
                    ch.close();
                    return null;
                }
                return new Claim(ch, l);
            } catch (OverlappingFileLockException e) {
                ch.close();
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close(); // releases the lock
            }
        }
    }

    /** True when a live process (this one included) holds the owner lock. */
    static boolean ownedByLiveProcess(Path owner) {
        // an owner that cannot be told is kept: a person can remove it with the next recover
        return StagingOwner.probe(owner).state() != StagingOwner.State.NONE;
    }

    static void deleteTree(Path p) throws IOException {
        deleteTree(p, FileOps.REAL);
    }

    /** Removes a file or a whole folder, bottom-up, without following links. */
    public static void deleteTree(Path p, FileOps ops) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    deleteTree(c, ops);
                }
            }
        }
        ops.delete(p);
    }
}
