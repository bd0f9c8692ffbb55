package dev.kb.core.store;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The document registry: one row per document, the ids of committed journals, a revision and a
 * short history of commits. Its {@link #commit} is the single commit point of every mutation (see
 * {@link dev.kb.core.store}). A registry opened for writing is used only under the writer lock; one
 * opened for reading never blocks a writer and sees the last commit.
 */
public interface Registry extends AutoCloseable {
    /** How many commits the history keeps (older ones are dropped by the commit that adds one). */
    int HISTORY = 100;

    Optional<DocumentRow> bySourceUri(String uri);

    Optional<DocumentRow> bySha256(String sha);

    Optional<DocumentRow> byName(String name);

    /** True when a document already uses this name, compared the way file systems may compare it. */
    boolean nameTaken(String name);

    /*
     * The same look-ups for a whole commit group at once: the committing thread is the one part
     * of a batch that does not run in parallel, and one query per document there (a statement
     * prepared, every column's name fetched, for each) was a quarter of its time on a bulk add.
     */

    /** {@link #bySourceUri} of each URI: the rows found, by URI. */
    default Map<String, DocumentRow> bySourceUris(Collection<String> uris) {
        Map<String, DocumentRow> out = new java.util.HashMap<>();
        for (String u : uris) {
            bySourceUri(u).ifPresent(r -> out.put(u, r));
        }
        return out;
    }

    /** {@link #bySha256} of each hash: the name of the document found, by hash. */
    default Map<String, String> namesBySha256(Collection<String> shas) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String s : shas) {
            bySha256(s).ifPresent(r -> out.put(s, r.docName()));
        }
        return out;
    }

    /** The names among {@code names} that {@link #nameTaken} says are taken. */
    default Set<String> namesTaken(Collection<String> names) {
        Set<String> out = new java.util.HashSet<>();
        for (String n : names) {
            if (nameTaken(n)) {
                out.add(n);
            }
        }
        return out;
    }

    boolean isCommitted(String journalId);

    long count();

    /** Whether the registry holds no document (one row read at most, in a KB of any size). */
    default boolean isEmpty() {
        return count() == 0;
    }

    /**
     * The revision: 0 for a new registry, one more after every {@link #commit} (never after one
     * that failed), so two reads that return the same number saw the same rows. -1 when the
     * registry predates revisions (a reader opened an older schema, which only a writer upgrades).
     * One row read: it costs the same in a KB of any size.
     */
    long revision();

    /** The revision and the number of documents, from one commit, at a cost that does not grow with the KB. */
    record Head(long revision, long documents) {
    }

    Head head();

    /** Documents and bytes by type and the latest {@code recent} commits, all from one commit. */
    RegistrySnapshot snapshot(int recent);

    /** Every row, in the order the documents were added (the index's order). */
    void forEach(Consumer<DocumentRow> action);

    /**
     * Every row in name order, streamed (never all in memory), optionally only those of one type.
     *
     * @param type a {@code type} value, or null for all
     */
    void forEachByName(String type, Consumer<DocumentRow> action);

    /**
     * THE COMMIT POINT. Atomically: insert or replace {@code upserts}, delete the rows named in
     * {@code removals}, record {@code journalId}, add one to the {@link #revision} and record
     * {@code note} in the history under the new revision. When this returns the mutation is durable
     * and recovery finishes it; when it throws, {@link #isCommitted} says whether it went through
     * anyway (and the revision moved exactly when it did).
     */
    void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals, CommitNote note)
            throws IOException;

    /**
     * THE COMMIT POINT, also writing the stat-cache entries of rows it upserts ({@link FileStat}),
     * in the same transaction: an entry can then never vouch for content its row does not have,
     * whatever crash comes when. A registry that keeps no stat cache commits without them (they
     * are hints: without one the file is read).
     */
    default void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                        CommitNote note, Collection<FileStat> stats) throws IOException {
        commit(journalId, upserts, removals, note);
    }

    /**
     * {@link #commit(String, Collection, Collection, CommitNote, Collection)} in two halves, so
     * that the registry's writing overlaps the publishing of the files its rows name: this begins
     * the transaction and its statements (on another thread where the registry can), and
     * {@link Staged#commit} waits for them and commits, THE COMMIT POINT. Until then nothing of it
     * is visible or durable, and {@link Staged#close} undoes it. The default does all of it in
     * {@code commit}.
     */
    default Staged stage(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                         CommitNote note, Collection<FileStat> stats) {
        return new Staged() {
            @Override
            public void commit() throws IOException {
                Registry.this.commit(journalId, upserts, removals, note, stats);
            }

            @Override
            public void close() {
            }
        };
    }

    /** A transaction begun by {@link #stage}. */
    interface Staged extends AutoCloseable {
        /**
         * THE COMMIT POINT: waits for the statements and commits them, as {@code commit} would,
         * with its failures. Called at most once, and only once the files the rows name are published.
         */
        void commit() throws IOException;

        /** Rolls back a transaction not committed (waiting for its statements first); after a commit, nothing. */
        @Override
        void close();
    }

    /**
     * The stat-cache entries of the files in directory {@code dir} (see {@link FileStat#directory}),
     * by {@code source_uri}, with their rows' document names; only entries whose row has the content
     * they vouch for. Empty where the registry keeps none (an older schema, another backend).
     */
    default Map<String, FileStat> fileStats(String dir) {
        return Map.of();
    }

    /**
     * Records stat-cache entries of files read again and found unchanged, outside any commit, on
     * a registry opened for writing and under the writer lock. Each is written only when its row
     * has its content at that moment (in the same transaction), so it vouches for nothing the
     * row does not have; none changes a row, the revision or the history. Best effort: a hint
     * that cannot be written is dropped (the next add reads the file again).
     */
    default void recordFileStats(Collection<FileStat> stats) {
    }

    /** Forgets journal ids whose journals are gone, so the table does not grow with every add. */
    void forgetCommits(Collection<String> journalIds);

    List<String> committedIds();

    @Override
    void close();
}
