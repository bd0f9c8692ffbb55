package dev.kb.core.input;

/**
 * One input to ingest (a file, a URL, a cloud document). {@link #prepare} runs outside the writer
 * lock, possibly on a worker thread, and does the slow part: reading, downloading, converting.
 */
public interface Source {
    /** The input as the user gave it (or the path found in a directory). */
    String input();

    /**
     * Stages the document, or decides early that it is a skip (e.g. its content is already in the
     * KB). Throws {@link dev.kb.core.KbException} with a one-line cause when the input fails.
     */
    Prep prepare(PrepareContext ctx) throws Exception;

    /**
     * The outcome decided without reading or staging anything, cheaply enough for the batch's own
     * thread to ask before handing the input to a preparer: a local file whose stat-cache entry
     * vouches for it. Null when only {@link #prepare} can tell; it may throw only what would stop
     * the batch (a registry that cannot be read).
     */
    default Prep unread(PrepareContext ctx) {
        return null;
    }

    /**
     * Ends network work in progress at once, failing the preparation that waits on it (the batch
     * is being cancelled: Ctrl-C, SIGTERM). Called from another thread; local sources have none.
     */
    default void abort() {
    }

    /**
     * Whether preparing waits mostly on the network (a download, a cloud API) rather than on this
     * machine's cores and disk. The batch gives such inputs a pool larger than the core count;
     * local files get about one preparer per core, since more only queue for the same cores.
     */
    default boolean waitsOnNetwork() {
        return true;
    }

    /**
     * What the document's name will be derived from, when that is known before preparing (a local
     * file's stem); null when only preparing tells (a URL's Content-Disposition, a cloud name).
     * The batch uses it to keep names deterministic when it commits ready documents ahead of a
     * slow one.
     */
    default String knownNameHint() {
        return null;
    }

    /**
     * A prepared document, or an outcome decided without staging anything.
     *
     * @param hint with an early outcome: a stat-cache entry to record for its document (a file
     *             read again and found unchanged, whose entry was missing, mismatched or racy);
     *             null when there is none
     */
    record Prep(Prepared prepared, Outcome early, dev.kb.core.store.FileStat hint) {
        public static Prep of(Prepared p) {
            return new Prep(p, null, null);
        }

        public static Prep done(Outcome o) {
            return new Prep(null, o, null);
        }

        public static Prep done(Outcome o, dev.kb.core.store.FileStat hint) {
            return new Prep(null, o, hint);
        }
    }
}
