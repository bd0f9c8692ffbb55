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
     * Ends network work in progress at once, failing the preparation that waits on it (the batch
     * is being cancelled: Ctrl-C, SIGTERM). Called from another thread; local sources have none.
     */
    default void abort() {
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

    /** A prepared document, or an outcome decided without staging anything. */
    record Prep(Prepared prepared, Outcome early) {
        public static Prep of(Prepared p) {
            return new Prep(p, null);
        }

        public static Prep done(Outcome o) {
            return new Prep(null, o);
        }
    }
}
