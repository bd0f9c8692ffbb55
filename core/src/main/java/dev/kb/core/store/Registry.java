package dev.kb.core.store;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
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

    boolean isCommitted(String journalId);

    long count();

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

    /** Forgets journal ids whose journals are gone, so the table does not grow with every add. */
    void forgetCommits(Collection<String> journalIds);

    List<String> committedIds();

    @Override
    void close();
}
