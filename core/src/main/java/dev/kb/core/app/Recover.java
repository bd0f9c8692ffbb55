package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PageRegeneration;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Recovery;
import dev.kb.core.mutation.RepairPlanner;
import dev.kb.core.mutation.Storage;
import dev.kb.core.mutation.WriterSession;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import dev.kb.core.summary.SummaryCache;
import dev.kb.core.text.Causes;
import dev.kb.core.wiki.FrontMatter;
import dev.kb.core.wiki.WikiHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code kb recover}: finishes or undoes interrupted mutations, removes orphaned staging, then
 * verifies the registry against the files (every row's files exist and match its hash, every page
 * is its document's page; every file under {@code raw/} and {@code wiki/sources/} belongs to a
 * row) and rebuilds the derived index. Verification only reports: it never deletes a file a
 * person may want. With {@code --repair}, each page that is missing or damaged is made again from
 * the document's raw bytes and published through the coordinator like any other change.
 */
public final class Recover {

    /**
     * What recovery did, what verification found (after any repair), which pages were repaired,
     * and what a rebuild of the registry did (null without {@code --rebuild-registry}).
     */
    public record Result(Recovery.Report recovery, long documents, List<String> problems, List<String> repaired,
                         RebuildRegistry.Result rebuilt) {
    }

    /** What a user is told while recover runs. */
    public interface Events extends WriterSession.Events {
        /** A page was repaired, or could not be. */
        void outcome(Outcome o);

        /** Recover moves on to {@code phase} ("verifying", "repairing"), which has {@code total} steps. */
        default void phase(String phase, long total) {
        }

        /** A document was verified (for a live view only: it comes once per document). */
        default void checked(String doc) {
        }
    }

    private Recover() {
    }

    /** What one verification pass found, and the documents whose page a repair would make again. */
    private record Verified(Recovery.Report report, long documents, List<String> problems, List<DocumentRow> pages) {
    }

    public static Result run(KnowledgeBase kb, Duration wait, boolean repair, Events events) {
        return run(kb, wait, repair, false, events);
    }

    /**
     * @param rebuildRegistry first make the registry again from the files ({@link RebuildRegistry});
     *                        recovery and verification then run on the new one
     */
    public static Result run(KnowledgeBase kb, Duration wait, boolean repair, boolean rebuildRegistry, Events events) {
        kb.requireWritable();
        RebuildRegistry.Result rebuilt = rebuildRegistry ? RebuildRegistry.run(kb, wait, events) : null;
        Verified first = verify(kb, wait, events, rebuilt != null);
        if (!repair || first.pages().isEmpty()) {
            return new Result(first.report(), first.documents(), first.problems(), List.of(), rebuilt);
        }
        List<String> repaired = new ArrayList<>();
        List<String> unrepaired = new ArrayList<>();
        repair(kb, wait, first.pages(), events, repaired, unrepaired);
        Verified after = verify(kb, wait, events, false);
        List<String> problems = new ArrayList<>(after.problems());
        problems.addAll(unrepaired);
        return new Result(first.report(), after.documents(), problems, repaired, rebuilt);
    }

    /**
     * Recovery, then verification, under the lock; the index is rebuilt from the registry.
     *
     * @param rebuilt whether the registry was just rebuilt: its revision moved without a writer's
     *                commit to refresh the cached summary, so this does (other runs leave the cache
     *                as they found it; status rebuilds what is out of date)
     */
    private static Verified verify(KnowledgeBase kb, Duration wait, Events events, boolean rebuilt) {
        try (WriterLock lock = FcntlWriterLock.acquire(kb, wait, "kb recover", events::waitingForLock);
             Registry registry = SqliteRegistry.open(kb.registryFile())) {
            WikiHooks hooks = new WikiHooks(kb, registry, FileOps.REAL);
            Recovery.Report report = new Recovery(kb, registry, FileOps.REAL, hooks, events::warning).run(lock);
            List<String> problems = new ArrayList<>();
            for (String k : report.kept()) {
                problems.add(k + "; fix that and run 'kb recover' again");
            }
            List<DocumentRow> pages = new ArrayList<>();
            Set<String> owned = new HashSet<>();
            Set<String> names = new HashSet<>();
            long[] count = {0};
            events.phase("verifying", registry.count());
            registry.forEach(row -> {
                count[0]++;
                names.add(row.docName());
                owned.add(row.sourcePath());
                if (row.rawPath() != null) {
                    owned.add(row.rawPath());
                }
                checkRow(kb, row, problems, pages);
                events.checked(row.docName());
            });
            int before = problems.size();
            strays(kb, owned, names, problems);
            if (count[0] == 0 && problems.size() > before) {
                problems.add("the registry holds no documents, but " + KnowledgeBase.RAW + "/ or "
                        + KnowledgeBase.SOURCES + "/ hold files: if it was lost or replaced by an empty one, "
                        + SqliteRegistry.REBUILD_HINT);
            }
            hooks.rebuildIndex();
            if (rebuilt) {
                SummaryCache.refresh(kb, registry).ifPresent(events::warning);
            }
            return new Verified(report, count[0], problems, pages);
        } catch (IOException e) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot verify " + kb + ": " + e.getMessage(), e);
        }
    }

    /** A row's files exist and match its hash, and its page is its own; a page that is not goes to {@code pages}. */
    private static void checkRow(KnowledgeBase kb, DocumentRow row, List<String> problems, List<DocumentRow> pages) {
        if (row.rawPath() != null) {
            Path raw = kb.resolve(row.rawPath());
            if (!Files.isRegularFile(raw, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(row.docName() + ": " + row.rawPath() + " is missing");
            } else if (!matches(raw, row.sha256(), row, problems)) {
                problems.add(row.docName() + ": " + row.rawPath() + " does not match its sha256 (changed outside kb?)");
            }
        }
        Optional<String> damage = pageDamage(kb, row);
        if (damage.isPresent()) {
            pages.add(row);
            problems.add(row.docName() + ": " + row.sourcePath() + " " + damage.get()
                    + (row.rawPath() == null ? "" : "; 'kb recover --repair' makes it again from " + row.rawPath()));
        }
    }

    /**
     * Why a row's page is not its document's page, or empty: missing; for a document with raw
     * bytes, front matter that names other content; for one without (a cloud import, hashed by
     * its page), bytes that no longer match.
     */
    private static final byte[] CLOSING_FENCE = "\n---\n".getBytes(StandardCharsets.US_ASCII);

    static Optional<String> pageDamage(KnowledgeBase kb, DocumentRow row) {
        Path page = kb.resolve(row.sourcePath());
        if (!Files.isRegularFile(page, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("is missing");
        }
        try {
            if (row.rawPath() == null) {
                return Hashing.sha256Hex(page).equals(row.sha256()) ? Optional.empty()
                        : Optional.of("does not match its sha256 (changed outside kb?)");
            }
            // Only the front matter counts, and only it is read: a 1 GB page read whole took
            // gigabytes of heap in 'kb status' and 'kb recover'.
            byte[] head;
            try (java.io.InputStream in = Files.newInputStream(page, LinkOption.NOFOLLOW_LINKS)) {
                head = in.readNBytes(FrontMatter.PAGE_HEAD_LIMIT);
            }
            int end = RowsFromFiles.indexOf(head, CLOSING_FENCE, 3);
            // not closed in the head: its first bytes are enough to say so, and the head's cut may split a character
            int length = end >= 0 ? end + CLOSING_FENCE.length
                    : head.length == FrontMatter.PAGE_HEAD_LIMIT ? Math.min(head.length, 4) : head.length;
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(head, 0, length)).toString();
            return FrontMatter.damage(text, row.sha256()).map(why -> "is damaged (" + why + ")");
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.of("is damaged (not UTF-8 text)");
        } catch (IOException e) {
            return Optional.of("cannot be read: " + Causes.oneLine(e));
        }
    }

    private static boolean matches(Path file, String sha256, DocumentRow row, List<String> problems) {
        try {
            return Hashing.sha256Hex(file).equals(sha256);
        } catch (IOException e) {
            problems.add(row.docName() + ": cannot read " + row.rawPath() + ": " + Causes.oneLine(e));
            return true; // reported above as unreadable, not as changed
        }
    }

    /** Every file under {@code raw/} and {@code wiki/sources/} that belongs to no row. */
    private static void strays(KnowledgeBase kb, Set<String> owned, Set<String> names, List<String> problems)
            throws IOException {
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
    }

    /**
     * Makes each page again from raw bytes outside the lock (in the session's private staging),
     * then publishes them in groups through the coordinator, which re-checks each under the lock.
     */
    private static void repair(KnowledgeBase kb, Duration wait, List<DocumentRow> rows, Events events,
                               List<String> repaired, List<String> unrepaired) {
        try (WriterSession session = WriterSession.open(Storage.local(kb, FileOps.REAL), wait, "kb recover --repair",
                events)) {
            List<RepairPlanner.Page> pages = new ArrayList<>();
            events.phase("repairing", rows.size());
            for (DocumentRow row : rows) {
                try {
                    pages.add(new RepairPlanner.Page(row, PageRegeneration.stage(kb, row, session.staging())));
                } catch (KbException | IOException e) {
                    String why = e instanceof KbException ? e.getMessage() : Causes.oneLine(e);
                    unrepaired.add(row.docName() + ": " + row.sourcePath() + " was not repaired: " + why);
                    events.outcome(Outcome.failed(row.docName(), why));
                }
            }
            RepairPlanner planner = new RepairPlanner(kb, row -> pageDamage(kb, row));
            for (int from = 0; from < pages.size(); from += 256) {
                for (Outcome o : session.commit(pages.subList(from, Math.min(pages.size(), from + 256)), planner)) {
                    events.outcome(o);
                    if (o.status() == Outcome.Status.REPAIRED) {
                        repaired.add(o.doc());
                    }
                }
            }
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
