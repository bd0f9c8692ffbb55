package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.lock.LockHolder;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kb status}: a snapshot read without the writer lock, so it answers at once even while a
 * writer runs (SQLite's WAL lets it read the last committed state).
 */
public record Status(Path kb, long documents, int pendingJournals, int stagingOrphans, Optional<LockHolder> lock) {

    public static Status of(KnowledgeBase kb) {
        long docs;
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            docs = r.count();
        }
        try {
            Set<String> ids = new HashSet<>();
            JournalStore journals = new JournalStore(kb, FileOps.REAL);
            for (Path p : journals.list()) {
                ids.add(JournalStore.idOf(p));
            }
            int orphans = Sweeper.countOrphans(kb, ids);
            return new Status(kb.root(), docs, ids.size(), orphans, FcntlWriterLock.currentHolder(kb));
        } catch (IOException e) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot read " + kb.metaDir() + ": " + e.getMessage(), e);
        }
    }
}
