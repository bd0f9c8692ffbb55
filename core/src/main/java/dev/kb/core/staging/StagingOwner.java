package dev.kb.core.staging;

import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Who owns the private staging folder a staged file lies in. Recovery asks, because a journal's
 * staged files lie in the folder of the process that wrote the journal: when that is another
 * process that is still running, the journal is a commit in progress under a writer lock that
 * was broken (its lock file removed by hand), not the leftover of a crash.
 *
 * @param state what is known of the owner
 * @param pid   the owner's pid as it wrote it into its owner file, or -1 when unknown
 * @param why   for {@link State#UNKNOWN}: why it cannot be told
 */
public record StagingOwner(State state, long pid, String why) {

    public enum State {
        /** This process owns the folder ({@link StagingArea#HELD}): its own journal, never a broken lock. */
        THIS_PROCESS,
        /** Another process that is still running holds the folder's owner lock. */
        OTHER_PROCESS,
        /** Nobody: the path is not in a process's staging folder, its owner file is gone or unlocked. */
        NONE,
        /** The owner file could not be probed. */
        UNKNOWN
    }

    private static final StagingOwner NOBODY = new StagingOwner(State.NONE, -1, null);

    /**
     * The owner of the staging folder {@code .kb/staging/p-…/} that {@code staged} lies in. Probing
     * opens another process's owner file and tries its lock; closing that probe drops only this
     * process's locks, so the owner keeps its own. This process's owner files are answered from
     * {@link StagingArea#HELD} and never opened, since closing a probe of them would drop ours.
     */
    public static StagingOwner of(KnowledgeBase kb, Path staged) {
        Path dir = kb.stagingDir();
        if (!staged.startsWith(dir) || staged.getNameCount() < dir.getNameCount() + 2) {
            return NOBODY;
        }
        String folder = staged.getName(dir.getNameCount()).toString();
        if (!folder.startsWith(StagingArea.PREFIX) || folder.endsWith(StagingArea.OWNER_SUFFIX)) {
            return NOBODY;
        }
        return probe(dir.resolve(folder + StagingArea.OWNER_SUFFIX));
    }

    /**
     * Another kb process at work in this KB, if any: every writer holds the owner lock of its
     * staging folder from start to end, also between the groups it commits, while it keeps the
     * registry open. Empty when no other process holds one; a folder whose owner cannot be probed
     * counts as held.
     */
    public static java.util.Optional<StagingOwner> anotherLiveProcess(KnowledgeBase kb) throws IOException {
        if (!Files.isDirectory(kb.stagingDir(), LinkOption.NOFOLLOW_LINKS)) {
            return java.util.Optional.empty();
        }
        String glob = StagingArea.PREFIX + "*" + StagingArea.OWNER_SUFFIX;
        try (var owners = Files.newDirectoryStream(kb.stagingDir(), glob)) {
            for (Path owner : owners) {
                StagingOwner o = probe(owner);
                if (o.state() == State.OTHER_PROCESS || o.state() == State.UNKNOWN) {
                    return java.util.Optional.of(o);
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** The owner of the staging folder whose owner file is {@code owner}. */
    static StagingOwner probe(Path owner) {
        if (StagingArea.HELD.contains(owner)) {
            return new StagingOwner(State.THIS_PROCESS, ProcessHandle.current().pid(), null);
        }
        if (!Files.exists(owner, LinkOption.NOFOLLOW_LINKS)) {
            return NOBODY;
        }
        try (FileChannel ch = FileChannel.open(owner, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return new StagingOwner(State.OTHER_PROCESS, pidIn(ch), null);
            }
            l.release();
            return NOBODY;
        } catch (NoSuchFileException gone) {
            return NOBODY;
        } catch (OverlappingFileLockException e) {
            // this JVM has it locked although it is not one of ours: a sweeper of this JVM is
            // probing it this very moment, and the real owner cannot be told
            return new StagingOwner(State.UNKNOWN, -1, "it is being probed by this process");
        } catch (IOException e) {
            return new StagingOwner(State.UNKNOWN, -1, e.getMessage());
        }
    }

    /** The pid {@link StagingArea#create} wrote, or -1 (not written yet, or an older kb's empty file). */
    private static long pidIn(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            ch.read(buf, 0);
            return Long.parseLong(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** "pid 1234", or "pid unknown". */
    public String describePid() {
        return pid < 0 ? "pid unknown" : "pid " + pid;
    }
}
