package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.lock.LockHolder;
import dev.kb.core.progress.LiveProgress;
import dev.kb.core.progress.Progress;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.Registry;
import dev.kb.core.summary.Summary;
import dev.kb.core.summary.RegistryStamp;
import dev.kb.core.summary.SummaryCache;
import dev.kb.core.summary.SummaryFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kb status}: a snapshot read without the writer lock, so it answers at once even while a
 * writer runs (SQLite's WAL lets it read the last committed state). The summary comes from the
 * cache in {@code .kb/} when its revision is current (see {@link dev.kb.core.summary}); while the
 * registry's files are as they were when a status last verified that, without opening the
 * registry at all.
 *
 * @param documents   the registry's documents now (of {@code revision})
 * @param revision    the registry's revision now; 0 for a registry that predates revisions
 * @param summary     the core section: of {@code revision}, unless {@code stale}
 * @param stale       whether {@code summary} is of an older revision: a writer is committing
 * @param quarantinedJournals journals in {@code .kb/quarantine/}, counted now
 * @param at          when this status was taken (the summary's age is counted to it)
 * @param notes       what went wrong with the cached summary, one line each (for {@code --verbose})
 * @param progress    the batches running now, the one that started first first (read once: it
 *                    also says whether a writer runs, for the summary)
 */
public record Status(Path kb, long documents, int pendingJournals, int stagingOrphans, Optional<LockHolder> lock,
                     long revision, Summary summary, boolean stale, int quarantinedJournals, Instant at,
                     List<String> notes, List<Progress> progress) {

    public static Status of(KnowledgeBase kb) {
        // the holder first: a summary found stale is served as such only while a writer runs
        Optional<LockHolder> holder = FcntlWriterLock.currentHolder(kb);
        Instant now = Instant.now();
        // a batch holds the lock only while it commits a group; between groups its live
        // progress file says it is still running, and will revalidate at its next commit
        List<Progress> live = LiveProgress.read(kb);
        Set<String> ids = new HashSet<>();
        try {
            JournalStore journals = new JournalStore(kb, FileOps.REAL);
            for (Path p : journals.list()) {
                ids.add(JournalStore.idOf(p));
            }
        } catch (IOException e) {
            throw unreadable(kb, e);
        }
        boolean writing = holder.isPresent() || !live.isEmpty();
        // the clock before the stamp, the stamp before the registry is opened; and one stored only
        // of a KB at rest, no commit under way or cut short (see RegistryStamp)
        Optional<RegistryStamp> stamp = RegistryStamp.of(kb.registryFile());
        SummaryCache.Served served = SummaryCache.serveUnopened(SummaryFile.read(kb.summaryFile()), stamp)
                .orElse(null);
        if (served == null) {
            try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
                served = SummaryCache.serve(kb, r, writing, now, writing || !ids.isEmpty() ? Optional.empty() : stamp);
            }
        }
        try {
            int orphans = Sweeper.countOrphans(kb, ids);
            return new Status(kb.root(), served.documents(), ids.size(), orphans, holder, served.revision(),
                    served.summary(), served.stale(), JournalStore.countQuarantined(kb), now,
                    List.copyOf(served.notes()), live);
        } catch (IOException e) {
            throw unreadable(kb, e);
        }
    }

    private static KbException unreadable(KnowledgeBase kb, IOException e) {
        return new KbException(KbException.Kind.KB_UNUSABLE, "cannot read " + kb.metaDir() + ": " + e.getMessage(), e);
    }

    /** How old the summary shown is. */
    public Duration summaryAge() {
        return summary.age(at);
    }
}
