/**
 * The storage seams of a knowledge base: the {@link dev.kb.core.store.Registry} (the rows and the
 * commit point), the {@link dev.kb.core.store.DocumentStore} (the bytes of {@code raw/} and
 * {@code wiki/}) and the {@link dev.kb.core.store.WriterLock} (one writer at a time). The mutation
 * coordinator ({@link dev.kb.core.mutation}) talks only to these interfaces. Today's
 * implementations are SQLite ({@link dev.kb.core.registry.SqliteRegistry}), the local file system
 * ({@link dev.kb.core.journal.FileDocumentStore}) and an fcntl lock
 * ({@link dev.kb.core.lock.FcntlWriterLock}).
 *
 * <h2>What any implementation must guarantee</h2>
 * The protocol in {@link dev.kb.core.journal} is correct because of the first four properties, and
 * the cached status summary ({@link dev.kb.core.summary}) because of the fifth; a new backend is
 * correct when it keeps them:
 * <ol>
 *   <li><b>One commit point.</b> {@link dev.kb.core.store.Registry#commit} applies the row changes
 *       and records the journal id atomically: afterwards {@code isCommitted(id)} is true and every
 *       change is visible, or neither. When it reports a failure, {@code isCommitted} must still
 *       answer truthfully (the coordinator asks before it undoes anything).</li>
 *   <li><b>Exclusion with a fence.</b> While {@link dev.kb.core.store.WriterLock#assertHeld}
 *       passes, no other writer commits. A lock that can be lost without the holder knowing (a
 *       removed lock file, a network partition) must make {@code assertHeld} throw
 *       {@link dev.kb.core.store.LockLostException}, and the commit itself must refuse a holder
 *       that lost it.</li>
 *   <li><b>Publish is undoable until the commit point.</b> Every replaced or retired file is
 *       parked, not deleted, until the journal is discarded; publishing, undoing and discarding are
 *       idempotent, so a crash in any of them is repaired by running it again. The store can also
 *       tell from its own state when a journal's publish provably had not finished
 *       ({@link dev.kb.core.store.DocumentStore#publishMayHaveFinished}), which is how a journal is
 *       decided when the registry that would say is lost.</li>
 *   <li><b>Durable before the commit point.</b> When {@code publish} returns, what it did survives
 *       a power cut.</li>
 *   <li><b>The revision moves with the rows.</b> {@link dev.kb.core.store.Registry#commit} adds
 *       one to {@link dev.kb.core.store.Registry#revision} and records its
 *       {@link dev.kb.core.store.CommitNote} in the same atomic step, and nothing else moves it
 *       (but a rebuild, upwards): a summary cached at a revision is then exactly the summary of
 *       that revision's rows, and status can tell a current one with a single read.</li>
 * </ol>
 *
 * <p>The stat cache of local files ({@link dev.kb.core.store.FileStat}) is no guarantee but a
 * hint: a registry that keeps none (the interface's defaults) is correct, only slower on a re-add.
 * One that keeps it writes an upsert's entries in the commit's own atomic step, drops them with
 * their row, and hands an entry out only together with a row that has the content it vouches
 * for, so that no crash and no other writer can make a skip of content the KB does not have.
 *
 * <h2>How other backends would keep them (not built)</h2>
 * <ul>
 *   <li><b>PostgreSQL registry.</b> The commit is one transaction, as in SQLite. Exclusion is a
 *       transaction-scoped advisory lock ({@code pg_advisory_xact_lock} on a key derived from the
 *       KB's id) taken inside that very transaction, so it cannot outlive or predate the commit.
 *       Fencing: the registry holds a {@code revision} row; a writer reads it when it takes the
 *       lock and commits with {@code UPDATE ... SET revision = revision + 1 WHERE revision = :seen},
 *       failing the commit (zero rows) when another writer committed in between, e.g. after this
 *       one's session was presumed dead. The revision is the fencing token; the file lock becomes a
 *       local optimisation at most.</li>
 *   <li><b>S3-compatible document store.</b> Raw bytes are content-addressed
 *       ({@code raw/sha256/<hex>}) and written with a conditional PUT ({@code If-None-Match: *}):
 *       a second writer of the same bytes is a no-op, never an overwrite, so "publish" cannot
 *       destroy a live object and needs no backup. Names map to blobs only through registry rows,
 *       so the commit point stays the registry transaction. Retired blobs are deleted only after
 *       the journal is discarded and no row names them (a sweep, never inline), which is what
 *       "parked until discard" means without renames. Durability is the PUT's 200.</li>
 *   <li><b>Journals</b> of such a deployment live in the registry's own database (a table written
 *       in its own transaction before publishing), so recovery still reads "journal present, id
 *       committed or not" from one place.</li>
 * </ul>
 */
package dev.kb.core.store;
