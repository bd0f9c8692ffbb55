package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kb.core.app.Init;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.journal.FileDocumentStore;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.AddPlanner;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.mutation.Storage;
import dev.kb.core.mutation.WriterSession;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.ForwardingRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.store.RegistrySnapshot;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryCache;
import dev.kb.core.summary.SummaryFile;
import dev.kb.core.wiki.WikiHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A real knowledge base in a temporary directory, opened the way a writer opens it: the writer
 * lock held, the registry open for writing, a private staging area. Test support, not a fake:
 * everything underneath is the production code on real files and real SQLite.
 */
public final class TestKb implements AutoCloseable {
    public final KnowledgeBase kb;
    public final Registry registry;
    public final WriterLock lock;
    public final List<String> warnings = new ArrayList<>();
    private StagingArea staging;

    private TestKb(KnowledgeBase kb) {
        this.kb = kb;
        this.lock = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb test", m -> { });
        this.registry = SqliteRegistry.open(kb.registryFile());
        this.staging = StagingArea.create(kb);
    }

    public static TestKb create(Path dir) {
        Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        return new TestKb(KnowledgeBase.open(dir));
    }

    public StagingArea staging() {
        if (staging == null) {
            staging = StagingArea.create(kb);
        }
        return staging;
    }

    /** Closes this process's staging area (as a writer does when its batch ends). */
    public void closeStaging() {
        for (WriterSession s : sessions) {
            s.close();
        }
        sessions.clear();
        realAdder = null;
        if (staging != null) {
            staging.close();
            staging = null;
        }
    }

    /**
     * A document staged the way {@code FileSource} stages one: the raw bytes and a Markdown file
     * with front matter in the staging folder. The content is fixed, so two runs give equal files.
     */
    public Prepared doc(String uri, String stem, String body) {
        return doc(uri, stem, body, "md");
    }

    /** The same with another raw extension (e.g. an update whose type changed). */
    public Prepared doc(String uri, String stem, String body, String rawExtension) {
        try {
            byte[] raw = body.getBytes(StandardCharsets.UTF_8);
            Path stagedRaw = staging().write(".raw", raw);
            String sha = Hashing.sha256Hex(raw);
            String md = "---\ntitle: " + stem + "\nsource: " + uri + "\nsha256: " + sha + "\n---\n\n" + body + "\n";
            Path stagedMd = staging().write(".md", md.getBytes(StandardCharsets.UTF_8));
            return new Prepared(uri, uri, stem, "markdown", stem, sha, raw.length, stagedRaw, rawExtension, stagedMd,
                    List.of(), null, null, true, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A PageIndex Cloud document staged the way {@code CloudSource} stages one: no raw file, the
     * page's hash as the document's, the section tree as a {@code .tree.json} artifact, and
     * {@code updates} false (the id alone is its identity).
     */
    public Prepared cloudDoc(String docId, String title, String body) {
        try {
            String uri = "pageindex-cloud:" + docId;
            byte[] md = ("---\ntitle: " + title + "\nsource: " + uri + "\n---\n\n" + body + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Path stagedMd = staging().write(".md", md);
            Path tree = staging().write(".tree.json",
                    ("{\"title\": \"" + title + "\", \"nodes\": []}\n").getBytes(StandardCharsets.UTF_8));
            return new Prepared(docId, uri, title, "pageindex-cloud", title, Hashing.sha256Hex(md), md.length, null,
                    null, stagedMd, List.of(new Prepared.Artifact(tree, ".tree.json")), null, null, false, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WikiHooks hooks(FileOps ops) {
        return new WikiHooks(kb, registry, ops);
    }

    /**
     * The storage of this KB as a writer session sees it, through {@code ops}, on this fixture's
     * held lock and open registry (lent: closing the session closes neither).
     */
    public Storage storage(FileOps ops) {
        WriterLock lent = new WriterLock() {
            @Override
            public void assertHeld() {
                lock.assertHeld();
            }

            @Override
            public boolean isHeld() {
                return lock.isHeld();
            }

            @Override
            public void close() {
            }
        };
        return new Storage(kb, ops, (wait, command, onWait) -> lent, () -> new ForwardingRegistry(registry, false),
                new FileDocumentStore(kb, ops));
    }

    /** A writer session on this KB, its warnings collected in {@link #warnings}. */
    public WriterSession session(Storage storage) {
        return WriterSession.open(storage, Duration.ZERO, "kb add (test)", new WriterSession.Events() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }

            @Override
            public void waitingForLock(String holder) {
            }
        });
    }

    /**
     * Commits groups of prepared documents as one {@code kb add} batch does: one writer session
     * (opened at the first group) for all of them, until {@link #closeStaging}.
     */
    public final class Adder {
        private final Storage storage;
        private WriterSession session;

        Adder(Storage storage) {
            this.storage = storage;
        }

        public List<Outcome> commit(WriterLock held, List<Prepared> group) {
            held.assertHeld();
            if (session == null) {
                session = session(storage);
                sessions.add(session);
            }
            return session.commit(group, new AddPlanner(kb));
        }
    }

    private final List<WriterSession> sessions = new ArrayList<>();
    private Adder realAdder;

    public Adder coordinator(FileOps ops) {
        if (ops == FileOps.REAL) {
            if (realAdder == null) {
                realAdder = new Adder(storage(ops));
            }
            return realAdder;
        }
        return new Adder(storage(ops));
    }

    public Adder coordinator(Storage storage) {
        return new Adder(storage);
    }

    public List<Outcome> add(Prepared... docs) {
        return coordinator(FileOps.REAL).commit(lock, List.of(docs));
    }

    public Recovery.Report recover() {
        return new Recovery(kb, registry, FileOps.REAL, hooks(FileOps.REAL), warnings::add).run(lock);
    }

    public Path file(String relative) {
        return kb.resolve(relative);
    }

    public String read(String relative) {
        try {
            return Files.readString(file(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<DocumentRow> rows() {
        List<DocumentRow> rows = new ArrayList<>();
        registry.forEach(rows::add);
        return rows;
    }

    /** What a user can observe: the registry's rows (without timestamps) and every document file's hash. */
    public record State(Map<String, String> rows, Map<String, String> files) {
        @Override
        public String toString() {
            return "rows=" + rows + "\nfiles=" + files;
        }
    }

    public State state() {
        Map<String, String> rows = new TreeMap<>();
        registry.forEach(r -> rows.put(r.docName(), String.join("|", r.sha256(), String.valueOf(r.rawPath()),
                r.sourcePath(), r.sourceUri(), String.valueOf(r.title()), String.valueOf(r.size()))));
        Map<String, String> files = new TreeMap<>();
        for (Path dir : List.of(kb.rawDir(), kb.sourcesDir())) {
            for (Path p : filesUnder(dir)) {
                try {
                    files.put(kb.relative(p), Hashing.sha256Hex(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new State(rows, files);
    }

    /**
     * The revision's invariant after any failure and its recovery: the revision moved once per
     * group committed since {@code revisionBefore} and never for one rolled back; the history has
     * one row for each of those revisions, whose counts add up to the {@code documentsChanged};
     * and the summary the writer cached is the registry's summary at the revision it claims,
     * which is the current one.
     */
    public void assertRevisionAgrees(long revisionBefore, int documentsChanged, String where) {
        RegistrySnapshot now = registry.snapshot(Registry.HISTORY);
        List<RegistrySnapshot.Commit> since = now.recent().stream().filter(c -> c.revision() > revisionBefore).toList();
        assertEquals(now.revision() - revisionBefore, since.size(), "one history row per revision: " + where);
        for (int i = 0; i < since.size(); i++) {
            assertEquals(now.revision() - i, since.get(i).revision(), "revisions without a gap: " + where);
        }
        assertEquals(documentsChanged, since.stream().mapToInt(c -> c.note().documents()).sum(),
                "the history counts the documents that changed: " + where);
        if (documentsChanged == 0) {
            assertEquals(revisionBefore, now.revision(), "a rolled-back group moved the revision: " + where);
        }
        SummaryFile.Read cached = SummaryFile.read(kb.summaryFile());
        assertEquals(null, cached.problem(), where);
        assertEquals(registry.snapshot(SummaryCache.RECENT), cached.summary().orElseThrow().registry(),
                "the cached summary is the registry's at the current revision: " + where);
    }

    /** How many lines of wiki/log.md say exactly this. */
    public long logLines(String line) {
        if (!Files.exists(kb.logFile())) {
            return 0;
        }
        return read("wiki/log.md").lines().filter(l -> l.startsWith(line)).count();
    }

    /**
     * The contract's "at rest": every row's files exist and match its hash; every file under raw/
     * and wiki/sources/ belongs to a row; .kb/journal/ and .kb/staging/ are empty. This process's
     * own staging area must be closed first.
     */
    public void assertAtRest() {
        Set<String> owned = new TreeSet<>();
        Set<String> names = new TreeSet<>();
        for (DocumentRow r : rows()) {
            names.add(r.docName());
            owned.add(r.sourcePath());
            assertTrue(Files.isRegularFile(file(r.sourcePath()), LinkOption.NOFOLLOW_LINKS), r.sourcePath() + " missing");
            String hashed = r.rawPath() != null ? r.rawPath() : r.sourcePath();
            if (r.rawPath() != null) {
                owned.add(r.rawPath());
                assertTrue(Files.isRegularFile(file(r.rawPath()), LinkOption.NOFOLLOW_LINKS), r.rawPath() + " missing");
            }
            try {
                assertEquals(r.sha256(), Hashing.sha256Hex(file(hashed)), hashed + " does not match its row's sha256");
            } catch (IOException e) {
                fail(e);
            }
        }
        for (Path dir : List.of(kb.rawDir(), kb.sourcesDir())) {
            for (Path p : filesUnder(dir)) {
                String rel = kb.relative(p);
                if (owned.contains(rel)) {
                    continue;
                }
                String inSources = p.startsWith(kb.sourcesDir()) ? kb.sourcesDir().relativize(p).toString() : null;
                boolean artifact = inSources != null && names.stream().anyMatch(
                        n -> inSources.startsWith(n + "/") || inSources.startsWith(n + "."));
                assertTrue(artifact, rel + " belongs to no row");
            }
        }
        assertEquals(List.of(), list(kb.journalDir()), ".kb/journal/ is not empty");
        assertEquals(List.of(), list(kb.stagingDir()), ".kb/staging/ is not empty");
    }

    public static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closeStaging();
        registry.close();
        lock.close();
    }
}
