package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryCache;
import dev.kb.core.wiki.WikiHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/** {@code kb init}: lays out a knowledge base; on an existing one it changes nothing. */
public final class Init {
    private Init() {
    }

    /**
     * @param warn told what recovery of an existing, interrupted KB had to say
     * @return true when something was created, false when the KB was already complete
     */
    public static boolean run(Path dir, Duration wait, Consumer<String> onWait, Consumer<String> warn) {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new KbException(KbException.Kind.USAGE, root + " exists and is not a directory");
        }
        boolean existed = Files.isDirectory(root.resolve(KnowledgeBase.META_DIR));
        if (!existed) {
            for (Path up = root.getParent(); up != null; up = up.getParent()) {
                if (Files.isDirectory(up.resolve(KnowledgeBase.META_DIR))) {
                    // the outer KB's `kb add` of a folder holding this one would ingest its wiki
                    warn.accept("note: " + root + " lies inside the knowledge base " + up);
                    break;
                }
            }
        }
        try {
            Files.createDirectories(root.resolve(KnowledgeBase.META_DIR));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // the exception names only the path: without this the line said no cause at all
            throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot create " + root + ": " + e.getFile()
                    + " exists and is not a directory", e);
        } catch (IOException e) {
            throw KbException.unusable("cannot create " + root, e);
        }
        KnowledgeBase kb = KnowledgeBase.open(root);
        if (existed && complete(kb)) {
            // Nothing to create, so no lock to wait for: `kb init $KB && kb add ...` in a cron job
            // must not fail with "busy" because another writer is at work.
            return false;
        }
        boolean created = !existed;
        try (WriterLock lock = FcntlWriterLock.acquire(kb, wait, "kb init", onWait)) {
            for (Path d : new Path[] {kb.rawDir(), kb.sourcesDir(), kb.journalDir(), kb.stagingDir()}) {
                if (!Files.isDirectory(d)) {
                    Files.createDirectories(d);
                    created = true;
                }
            }
            SqliteRegistry.Health health = SqliteRegistry.health(kb.registryFile(), false);
            if (health.condition() == SqliteRegistry.Condition.DAMAGED) {
                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + kb.registryFile() + " is damaged (it "
                        + health.detail() + "): " + SqliteRegistry.REBUILD_HINT);
            }
            // zero bytes or no schema: as good as missing, and as dangerous to make anew
            boolean freshRegistry = health.condition() == SqliteRegistry.Condition.MISSING
                    || health.condition() == SqliteRegistry.Condition.UNINITIALISED;
            if (freshRegistry && existed && holdsAnything(kb)) {
                // A registry made now would not know the documents or the committed journals here,
                // and recovery would then undo mutations that were committed.
                throw new KbException(KbException.Kind.KB_UNUSABLE, "registry " + kb.registryFile() + " is "
                        + (health.condition() == SqliteRegistry.Condition.MISSING ? "missing" : "empty (it "
                        + health.detail() + ")") + " but " + root + " holds documents or journals: "
                        + SqliteRegistry.REBUILD_HINT + " (or restore it from a backup)");
            }
            try (Registry registry = freshRegistry ? SqliteRegistry.create(kb.registryFile()) : SqliteRegistry.open(kb.registryFile())) {
                created |= freshRegistry;
                if (freshRegistry) {
                    // a summary left by a registry that was lost must not outlive it; a failure
                    // only costs the first status a rebuild
                    SummaryCache.refresh(kb, registry);
                }
                if (existed) {
                    // an existing KB whose init was interrupted: finish whatever else was too
                    new Recovery(kb, registry, FileOps.REAL, new WikiHooks(kb, registry, FileOps.REAL), warn)
                            .run(lock);
                }
            }
            created |= writeIfMissing(kb.indexFile(), WikiHooks.INDEX_HEADER);
            created |= writeIfMissing(kb.logFile(), WikiHooks.LOG_HEADER);
            FileOps.REAL.fsyncDirectory(kb.root());
            FileOps.REAL.fsyncDirectory(kb.metaDir());
        } catch (IOException e) {
            throw KbException.unusable("cannot initialise " + root, e);
        }
        return created;
    }

    private static boolean complete(KnowledgeBase kb) {
        for (Path d : new Path[] {kb.rawDir(), kb.sourcesDir(), kb.journalDir(), kb.stagingDir()}) {
            if (!Files.isDirectory(d)) {
                return false;
            }
        }
        if (!Files.exists(kb.indexFile()) || !Files.exists(kb.logFile())) {
            return false;
        }
        // a zero-byte or damaged registry is no complete KB: "already initialised" would send
        // the user back to the command that told them to run kb init
        SqliteRegistry.Condition c;
        try {
            c = SqliteRegistry.health(kb.registryFile(), false).condition();
        } catch (KbException cannotTell) {
            // it cannot be read here (a read-only KB, say), which says nothing against it: a KB
            // whose files are all there is left alone, as init always did
            return Files.isRegularFile(kb.registryFile());
        }
        return c == SqliteRegistry.Condition.SOUND || c == SqliteRegistry.Condition.NEWER;
    }

    /** Whether the KB has a journal, or a file under {@code raw/} or {@code wiki/sources/}. */
    private static boolean holdsAnything(KnowledgeBase kb) throws IOException {
        for (Path d : new Path[] {kb.journalDir(), kb.rawDir(), kb.sourcesDir()}) {
            try (var entries = Files.list(d)) {
                if (entries.findAny().isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean writeIfMissing(Path file, String content) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        FileOps.REAL.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
        return true;
    }
}
