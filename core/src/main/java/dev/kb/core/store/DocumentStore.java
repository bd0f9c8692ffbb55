package dev.kb.core.store;

import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The documents' bytes ({@code raw/}, {@code wiki/sources/}), changed only by carrying out a
 * journal's entries. Used only under the writer lock. Every method is idempotent, so a crash in
 * the middle of one is repaired by calling it again (see {@link dev.kb.core.store} for what an
 * implementation must guarantee).
 */
public interface DocumentStore {

    /** Whether something (a file, a folder, a link) is at this KB-relative path. */
    boolean exists(String path);

    /**
     * Begins making durable a group's staged files (written and closed; those it will not publish
     * too), before the lock is taken and the group planned: {@link #makeDurable} waits for it.
     * Nothing is trusted until then. This default begins nothing.
     */
    default FileOps.Pending beginDurable(Collection<Path> staged) {
        return FileOps.Pending.NONE;
    }

    /**
     * Forces every staged file the entries publish: stagers write without forcing, and the
     * group's files are made durable here together, before the journal names them. What
     * {@code begun} covers is waited for rather than forced again ({@link FileOps.Pending#NONE}: nothing begun).
     */
    void makeDurable(Journal journal, FileOps.Pending begun) throws IOException;

    /**
     * Carries out every entry in order: a live target is parked at its backup, a staged file takes
     * its place; durable when this returns.
     */
    void publish(Journal journal) throws IOException;

    /** Undoes whatever part of {@link #publish} happened, in reverse order; durable when it returns. */
    void rollback(Journal journal) throws IOException;

    /**
     * False when the disk proves that {@link #publish} of this journal had not finished: an entry
     * whose staged file is still staged, or whose retired target is still in place. The commit
     * point follows the last entry's publish, so such a journal was never committed; true means
     * only that it may have been. Recovery without a registry to ask decides by this.
     */
    boolean publishMayHaveFinished(Journal journal);

    /** After the commit: the parked files are no longer needed. */
    void discardBackups(Journal journal) throws IOException;
}
