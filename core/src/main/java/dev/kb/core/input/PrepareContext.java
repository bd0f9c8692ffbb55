package dev.kb.core.input;

import dev.kb.core.cache.SourceCaches;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link Source} may use while preparing: its process's staging area, read-only registry
 * look-ups (answers may be stale by commit time; the coordinator re-checks under the lock), and
 * the run's source caches, if any.
 */
public final class PrepareContext {
    private final StagingArea staging;
    private final Registry reader;
    private final SourceCaches caches;

    public PrepareContext(StagingArea staging, Registry reader) {
        this(staging, reader, null);
    }

    /** @param caches the run's source caches, or null when none is configured */
    public PrepareContext(StagingArea staging, Registry reader, SourceCaches caches) {
        this.staging = staging;
        this.reader = reader;
        this.caches = caches;
    }

    public StagingArea staging() {
        return staging;
    }

    /** The run's source caches, or null: a run without caches loads none of their classes. */
    public SourceCaches caches() {
        return caches;
    }

    public synchronized Optional<DocumentRow> bySourceUri(String uri) {
        return reader.bySourceUri(uri);
    }

    /** The row registered under the first of {@code keys} that has one (see {@link Prepared#aliases}). */
    public synchronized Optional<DocumentRow> bySource(List<String> keys) {
        for (String k : keys) {
            Optional<DocumentRow> r = reader.bySourceUri(k);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    public synchronized Optional<DocumentRow> bySha256(String sha) {
        return reader.bySha256(sha);
    }

    /**
     * The early verdict for content with this hash from this source: skipped when the KB already
     * has it (unchanged, or the same bytes under another source), else empty.
     */
    public Optional<Outcome> knownContent(String input, String sourceUri, String sha256) {
        return knownContent(input, List.of(sourceUri), sha256);
    }

    /** The same for a source that may be registered under any of {@code keys}, best first. */
    public Optional<Outcome> knownContent(String input, List<String> keys, String sha256) {
        Optional<DocumentRow> same = bySource(keys);
        if (same.isPresent()) {
            return same.get().sha256().equals(sha256)
                    ? Optional.of(Outcome.skipped(input, same.get().docName(), "unchanged"))
                    : Optional.empty();
        }
        return bySha256(sha256).map(r -> Outcome.skipped(input, r.docName(), "same content as " + r.docName()));
    }
}
