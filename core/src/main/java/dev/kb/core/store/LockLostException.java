package dev.kb.core.store;

import dev.kb.core.KbException;
import java.nio.file.Path;

/**
 * The lock file this process locked is no longer the one at its path: a person removed
 * {@code .kb/ingest.lock} (or replaced it) while it was held. The OS lock is on the old file, so it
 * no longer keeps anyone out: a second writer can lock a fresh file at the same path. Whoever sees
 * this must not commit, and must not undo either (that needs the lock as much): it stops, and
 * leaves what it was doing as a crash would, for the next recovery under a real lock.
 */
public final class LockLostException extends KbException {

    public LockLostException(Path lockFile, String what, Throwable cause) {
        super(Kind.KB_UNUSABLE, "the writer lock file " + lockFile + " " + what + " while this kb process held it,"
                + " so another kb process may be writing to the knowledge base too; stopped without committing the"
                + " group in progress. Never remove .kb/ingest.lock (a stale lock never needs it); once no other kb"
                + " process is running, 'kb recover' cleans up", cause);
    }
}
