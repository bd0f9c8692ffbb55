package dev.kb.core.mutation;

import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.FileDocumentStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.DocumentStore;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Which implementation sits behind each storage seam of one KB (see {@link dev.kb.core.store}):
 * the one place they are chosen. {@code ops} is the file-operation seam under journals, staging
 * and the local document store.
 *
 * @param writerRegistry opens the registry for writing; called under the writer lock, because
 *                       opening may upgrade its schema
 */
public record Storage(KnowledgeBase kb, FileOps ops, WriterLock.Factory locks, Supplier<Registry> writerRegistry,
                      DocumentStore documents) {

    /** Today's KB: SQLite, the local file system and an fcntl lock. */
    public static Storage local(KnowledgeBase kb, FileOps ops) {
        return new Storage(kb, ops, FcntlWriterLock.factory(kb), () -> SqliteRegistry.open(kb.registryFile()),
                new FileDocumentStore(kb, ops));
    }

    /** The same storage with its writer registry wrapped (a fault seam in tests). */
    public Storage withRegistry(UnaryOperator<Registry> wrap) {
        return new Storage(kb, ops, locks, () -> wrap.apply(writerRegistry.get()), documents);
    }

    public Storage withLocks(WriterLock.Factory other) {
        return new Storage(kb, ops, other, writerRegistry, documents);
    }
}
