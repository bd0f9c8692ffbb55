package dev.kb.core.store;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The document registry: one row per document, and the ids of committed journals. Its
 * {@link #commit} is the single commit point of every mutation (see {@link dev.kb.core.store}).
 * A registry opened for writing is used only under the writer lock; one opened for reading never
 * blocks a writer and sees the last commit.
 */
public interface Registry extends AutoCloseable {

    Optional<DocumentRow> bySourceUri(String uri);

    Optional<DocumentRow> bySha256(String sha);

    Optional<DocumentRow> byName(String name);

    /** True when a document already uses this name, compared the way file systems may compare it. */
    boolean nameTaken(String name);

    boolean isCommitted(String journalId);

    long count();

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
     * {@code removals}, and record {@code journalId}. When this returns the mutation is durable and
     * recovery finishes it; when it throws, {@link #isCommitted} says whether it went through anyway.
     */
    void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals) throws IOException;

    /** Forgets journal ids whose journals are gone, so the table does not grow with every add. */
    void forgetCommits(Collection<String> journalIds);

    List<String> committedIds();

    @Override
    void close();
}
