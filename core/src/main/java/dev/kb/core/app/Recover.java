package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.wiki.WikiHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code kb recover}: finishes or undoes interrupted mutations, removes orphaned staging, then
 * verifies the registry against the files (every row's files exist and match its hash; every file
 * under {@code raw/} and {@code wiki/sources/} belongs to a row) and rebuilds the derived index.
 * Verification only reports: it never deletes a file a person may want.
 */
public final class Recover {

    /** What recovery did and what verification found. */
    public record Result(Recovery.Report recovery, long documents, List<String> problems) {
    }

    private Recover() {
    }

    public static Result run(KnowledgeBase kb, Duration wait, Consumer<String> onWait, Consumer<String> warn) {
        try (WriterLock lock = FcntlWriterLock.acquire(kb, wait, "kb recover", onWait);
             Registry registry = SqliteRegistry.open(kb.registryFile())) {
            WikiHooks hooks = new WikiHooks(kb, registry, FileOps.REAL);
            Recovery.Report report = new Recovery(kb, registry, FileOps.REAL, hooks, warn).run(lock);
            List<String> problems = new ArrayList<>();
            for (String k : report.kept()) {
                problems.add(k + "; fix that and run 'kb recover' again");
            }
            Set<String> owned = new HashSet<>();
            Set<String> names = new HashSet<>();
            long[] count = {0};
            registry.forEach(row -> {
                count[0]++;
                names.add(row.docName());
                owned.add(row.sourcePath());
                if (row.rawPath() != null) {
                    owned.add(row.rawPath());
                }
                String hashed = row.rawPath() != null ? row.rawPath() : row.sourcePath();
                for (String rel : row.rawPath() == null ? List.of(row.sourcePath()) : List.of(row.rawPath(), row.sourcePath())) {
                    if (!Files.isRegularFile(kb.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                        problems.add(row.docName() + ": " + rel + " is missing");
                    }
                }
                Path h = kb.resolve(hashed);
                if (Files.isRegularFile(h, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        if (!Hashing.sha256Hex(h).equals(row.sha256())) {
                            problems.add(row.docName() + ": " + hashed + " does not match its sha256 (changed outside kb?)");
                        }
                    } catch (IOException e) {
                        problems.add(row.docName() + ": cannot read " + hashed + ": " + e.getMessage());
                    }
                }
            });
            for (Path dir : List.of(kb.rawDir(), kb.sourcesDir())) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files.filter(f -> !Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS))::iterator) {
                        String rel = kb.relative(p);
                        if (!owned.contains(rel) && !isArtifact(kb, p, names)) {
                            problems.add(rel + " belongs to no document in the registry");
                        }
                    }
                }
            }
            hooks.rebuildIndex();
            return new Result(report, count[0], problems);
        } catch (IOException e) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot verify " + kb + ": " + e.getMessage(), e);
        }
    }

    /** {@code wiki/sources/<name>/…} or {@code wiki/sources/<name>.<ext…>} of a registered name. */
    private static boolean isArtifact(KnowledgeBase kb, Path p, Set<String> names) {
        if (!p.startsWith(kb.sourcesDir())) {
            return false;
        }
        Path rel = kb.sourcesDir().relativize(p);
        if (rel.getNameCount() > 1) {
            return names.contains(rel.getName(0).toString());
        }
        String file = rel.toString();
        for (int dot = file.indexOf('.'); dot > 0; dot = file.indexOf('.', dot + 1)) {
            if (names.contains(file.substring(0, dot))) {
                return true;
            }
        }
        return false;
    }
}
