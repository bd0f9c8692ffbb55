package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Halt;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.mutation.WriterSession;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.staging.StagingOwner;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.Summary;
import dev.kb.core.summary.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code kb recover --rebuild-registry}: makes the registry again from {@code raw/} and the front
 * matter of {@code wiki/sources/} (see {@link RowsFromFiles} for what each row is made of) when
 * it is missing, empty (zero bytes, no schema, or no documents) or damaged. The old file is kept
 * aside, never deleted. Nothing in {@code raw/} or {@code wiki/} is changed by the rebuild itself.
 *
 * <h2>Protocol, all under the writer lock</h2>
 * <ol>
 *   <li><b>Refuse</b> while another kb process is at work (a writer keeps the registry open across
 *       its groups and would go on committing into the file kept aside: exit 75), when the
 *       registry is sound and holds documents (nothing to rebuild; {@code kb recover} verifies
 *       it), or when its schema is newer than this kb.</li>
 *   <li><b>Settle the pending journals</b> without a registry to ask: see
 *       {@link Recovery#settleWithoutRegistry}. A journal marked committed stays for step 6; one
 *       that provably never reached its commit point is rolled back; one that may have is kept as
 *       published and quarantined with its backups. None is rolled back because the new registry
 *       does not know its id.</li>
 *   <li><b>Write</b> the rows into {@code .kb/registry.db.rebuild.kbtmp} (what an interrupted
 *       rebuild left there is removed first), committed and forced, with a revision one above
 *       both the old registry's (when it can still be read) and the cached summary's: a rebuilt
 *       registry counting from 0 again would one day reach the revision of a summary cached from
 *       the old rows, and status would serve that summary as current.
 *       <i>Crash here:</i> the old registry is untouched; the next rebuild starts over.</li>
 *   <li><b>Keep the old one aside:</b> {@code registry.db}, then its {@code -wal}, {@code -shm}
 *       and {@code -journal} files, are renamed to {@code registry.db.damaged-<stamp>} (plus the
 *       same suffixes, so SQLite finds them if someone opens the copy). None may stay: SQLite
 *       would apply an old database's log to the new one. <i>Crash here:</i> the registry is
 *       missing or still there with some of its files aside; every command points to the rebuild,
 *       which moves the rest aside (under a new stamp) and starts over.</li>
 *   <li><b>Replace:</b> the new file is renamed to {@code registry.db} and {@code .kb/} is forced.
 *       <i>Crash before the rename:</i> the registry is missing and the rebuild runs again from
 *       scratch; the rebuilt rows depend only on the files.</li>
 *   <li><b>Then</b> {@code kb recover} runs as usual on the new registry: it finishes the journals
 *       marked committed (backups discarded, log block written), removes orphaned staging,
 *       verifies every row against its files and rebuilds {@code wiki/index.md}.</li>
 * </ol>
 * Test halting points ({@link Halt}): {@code rebuild-written}, {@code rebuild-kept-aside}.
 */
public final class RebuildRegistry {
    /** Suffixes SQLite gives the files that belong to a database. */
    private static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

    /**
     * What a rebuild did.
     *
     * @param was          what the old registry was: "missing", "empty: it is zero bytes", "damaged: it ..."
     * @param documents    rows written
     * @param keptAside    KB-relative path of the old registry, or null when there was none
     * @param notRebuilt   pages and raw files that yielded no row, one line each, with the reason
     * @param journals     what became of the pending journals before the rebuild
     * @param webDocuments rows of URL documents, whose HTTP validators (ETag, Last-Modified) are lost
     */
    public record Result(String was, long documents, String keptAside, List<String> notRebuilt,
                         Recovery.Settled journals, long webDocuments) {
    }

    private RebuildRegistry() {
    }

    public static Result run(KnowledgeBase kb, Duration wait, WriterSession.Events events) {
        try (WriterLock lock = FcntlWriterLock.acquire(kb, wait, "kb recover --rebuild-registry",
                events::waitingForLock)) {
            refuseWhileAnotherKbRuns(kb);
            Path registry = kb.registryFile();
            SqliteRegistry.Health health = SqliteRegistry.health(registry, true);
            String was = describe(registry, health);
            Recovery.Settled settled = Recovery.settleWithoutRegistry(kb, FileOps.REAL, lock, events::warning);
            Path temp = kb.metaDir().resolve(registry.getFileName() + ".rebuild" + KnowledgeBase.TEMP_SUFFIX);
            removeWithCompanions(temp);
            long[] counts = new long[2];
            List<String> notRebuilt;
            long revision = revisionAbove(kb, registry);
            try (SqliteRegistry.Rebuild rebuild = SqliteRegistry.rebuild(temp)) {
                notRebuilt = RowsFromFiles.scan(kb, row -> {
                    Optional<String> refused = rebuild.add(row);
                    if (refused.isEmpty()) {
                        counts[0]++;
                        counts[1] += isWeb(row.sourceUri()) ? 1 : 0;
                    }
                    return refused;
                });
                rebuild.seed(revision, new CommitNote("recover --rebuild-registry", (int) Math.min(Integer.MAX_VALUE,
                        counts[0]), 0, 0, 0));
                rebuild.finish();
            }
            FileOps.REAL.fsync(temp);
            Halt.at("rebuild-written");
            // The lock file may have been removed while the files were read: another writer could
            // then be at work, and would never see the registry change under it.
            lock.assertHeld();
            Path aside = keepAside(kb, registry);
            Halt.at("rebuild-kept-aside");
            FileOps.REAL.move(temp, registry); // ===== THE REPLACEMENT POINT =====
            // fsync .kb/, or a crash can lose the rename and leave no registry at all
            FileOps.REAL.fsyncDirectory(kb.metaDir());
            return new Result(was, counts[0], aside == null ? null : kb.relative(aside), List.copyOf(notRebuilt),
                    settled, counts[1]);
        } catch (IOException e) {
            throw KbException.unusable("cannot rebuild the registry of " + kb + " (nothing was replaced)", e);
        }
    }

    /** A revision above every one the old registry or a summary cached from it reached. */
    private static long revisionAbove(KnowledgeBase kb, Path registry) {
        long seen = Math.max(0, SqliteRegistry.lastRevision(registry));
        Optional<Summary> cached = SummaryFile.read(kb.summaryFile()).summary();
        if (cached.isPresent()) {
            seen = Math.max(seen, cached.get().revision());
        }
        return seen + 1;
    }

    private static void refuseWhileAnotherKbRuns(KnowledgeBase kb) throws IOException {
        Optional<StagingOwner> other = StagingOwner.anotherLiveProcess(kb);
        if (other.isPresent()) {
            StagingOwner o = other.get();
            throw new KbException(KbException.Kind.LOCK_BUSY, "another kb process ("
                    + (o.state() == StagingOwner.State.UNKNOWN ? "which cannot be probed: " + o.why() : o.describePid())
                    + ") is at work in " + kb + " and may still write to the registry it opened; nothing was rebuilt:"
                    + " let it finish, then run 'kb recover --rebuild-registry' again");
        }
    }

    /** What the registry is, for the report; throws when it is not one to rebuild. */
    private static String describe(Path registry, SqliteRegistry.Health h) {
        return switch (h.condition()) {
            case MISSING -> "missing";
            case UNINITIALISED -> "empty: it " + h.detail();
            case DAMAGED -> "damaged: it " + h.detail();
            case NEWER -> throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + registry + " "
                    + h.detail() + "; it is not rebuilt");
            case SOUND -> {
                if (h.documents() > 0) {
                    throw new KbException(KbException.Kind.USAGE, "registry " + registry + " is sound and holds "
                            + h.documents() + " document(s): --rebuild-registry only replaces a missing, empty or"
                            + " damaged one ('kb recover' checks this one against the files)");
                }
                yield "empty: it holds no documents";
            }
        };
    }

    /**
     * Renames the registry and its companion files aside, the database first; returns the first
     * one moved (the database, unless only a log of it was left), or null when there was nothing.
     */
    private static Path keepAside(KnowledgeBase kb, Path registry) throws IOException {
        String base = registry.getFileName() + ".damaged-" + Sweeper.stamp();
        Path aside = registry.resolveSibling(base);
        for (int i = 1; taken(aside); i++) {
            aside = registry.resolveSibling(base + "-" + i);
        }
        Path first = null;
        if (Files.exists(registry, LinkOption.NOFOLLOW_LINKS)) {
            FileOps.REAL.move(registry, aside);
            first = aside;
        }
        for (String suffix : COMPANIONS) {
            Path companion = registry.resolveSibling(registry.getFileName() + suffix);
            if (Files.exists(companion, LinkOption.NOFOLLOW_LINKS)) {
                Path to = aside.resolveSibling(aside.getFileName() + suffix);
                FileOps.REAL.move(companion, to);
                first = first == null ? to : first;
            }
        }
        FileOps.REAL.fsyncDirectory(kb.metaDir());
        return first;
    }

    private static boolean taken(Path aside) {
        if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        for (String suffix : COMPANIONS) {
            if (Files.exists(aside.resolveSibling(aside.getFileName() + suffix), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /** What an interrupted rebuild left: a copy of what the files say, never the only copy of anything. */
    private static void removeWithCompanions(Path temp) throws IOException {
        FileOps.REAL.delete(temp);
        for (String suffix : COMPANIONS) {
            FileOps.REAL.delete(temp.resolveSibling(temp.getFileName() + suffix));
        }
    }

    private static boolean isWeb(String uri) {
        return uri.startsWith("http://") || uri.startsWith("https://");
    }
}
