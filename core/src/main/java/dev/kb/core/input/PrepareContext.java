package dev.kb.core.input;

import dev.kb.core.cache.SourceCaches;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.Registry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Source} may use while preparing: its process's staging area, read-only registry
 * look-ups (answers may be stale by commit time; the coordinator re-checks under the lock), and
 * the run's source caches, if any.
 */
public final class PrepareContext {
    private final StagingArea staging;
    private final Registry reader;
    /**
     * Stat-cache entries by directory, each directory loaded once, when the first of its files is
     * looked up (guarded by this object). Read once per batch: an entry is checked against its row
     * when loaded, and a row another writer changes later in the batch is met as a skip of the
     * content the KB had when the directory was loaded, as an early skip is now.
     */
    private final Map<String, Map<String, FileStat>> stats = new HashMap<>();
    /** The directory looked up last, and its entries. */
    private String lastDir;
    private Map<String, FileStat> lastStats;
    private final SourceCaches caches;
    /**
     * Whether the registry held no document when the batch began, asked once: then every
     * look-up answers "none" without a query. A first add into a new KB spent a tenth of its
     * preparing threads' time in SQLite, asking two or three questions per document of an empty
     * table. Another writer's documents committed meanwhile are met under the lock instead,
     * where the committer asks again: answers here may be stale by design.
     */
    private Boolean emptyAtStart;

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

    /**
     * The run's source caches, or null: a run without caches loads none of their classes (but
     * {@link dev.kb.core.cache.CacheKey}, the key an HTML or PDF page's origin is recorded under).
     */
    public SourceCaches caches() {
        return caches;
    }

    /** Guarded by this object. */
    private boolean emptyAtStart() {
        if (emptyAtStart == null) {
            emptyAtStart = reader.isEmpty();
        }
        return emptyAtStart;
    }

    public synchronized Optional<DocumentRow> bySourceUri(String uri) {
        return emptyAtStart() ? Optional.empty() : reader.bySourceUri(uri);
    }

    /** The row registered under the first of {@code keys} that has one (see {@link Prepared#aliases}). */
    public synchronized Optional<DocumentRow> bySource(List<String> keys) {
        if (emptyAtStart()) {
            return Optional.empty();
        }
        for (String k : keys) {
            Optional<DocumentRow> r = reader.bySourceUri(k);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    public synchronized Optional<DocumentRow> bySha256(String sha) {
        return emptyAtStart() ? Optional.empty() : reader.bySha256(sha);
    }

    /**
     * The stat-cache entry of the first of {@code keys} that has one (see {@link Prepared#aliases}),
     * checked against its row when its directory was loaded.
     */
    public synchronized Optional<FileStat> fileStat(List<String> keys) {
        if (emptyAtStart()) {
            return Optional.empty(); // an entry vouches only for a document's row
        }
        for (String k : keys) {
            String dir = FileStat.directory(k);
            if (!dir.equals(lastDir)) { // a walk asks for one directory's files in a row
                lastDir = dir;
                lastStats = stats.computeIfAbsent(dir, reader::fileStats);
            }
            FileStat f = lastStats.get(k);
            if (f != null) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The early verdict for content with this hash from this source: skipped when the KB already
     * has it (unchanged, or the same bytes under another source), else empty.
     */
    public Optional<Outcome> knownContent(String input, String sourceUri, String sha256) {
        return knownContent(input, bySource(List.of(sourceUri)), sha256);
    }

    /** The same for a source that may be registered under any of {@code keys}, best first. */
    public Optional<Outcome> knownContent(String input, List<String> keys, String sha256) {
        return knownContent(input, bySource(keys), sha256);
    }

    /** The same, {@code same} being the row of the source ({@link #bySource}), if it has one. */
    public Optional<Outcome> knownContent(String input, Optional<DocumentRow> same, String sha256) {
        if (same.isPresent()) {
            return same.get().sha256().equals(sha256)
                    ? Optional.of(Outcome.unchanged(input, same.get().docName(), Outcome.BY_CONTENT))
                    : Optional.empty();
        }
        return bySha256(sha256).map(r -> Outcome.skipped(input, r.docName(), "same content as " + r.docName()));
    }
}
