package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.app.Remove;
import dev.kb.core.fs.FileOps;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.mutation.Batch;
import dev.kb.core.mutation.RemovePlanner;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.Registry;
import dev.kb.core.store.WriterLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stat cache on real files and a real registry, through the batch a {@code kb add} runs: an
 * unchanged file is a skip without being opened; a changed one, one whose modification time was
 * forged back, and one whose entry is racily clean are read; a file changed too recently gets no
 * entry; removing, moving and upgrading behave as without a cache.
 *
 * <p>Entries are trusted only for files last changed more than {@link FileStat#GRANULARITY_NS}
 * before they were read, and a file's change time cannot be set back; so the files these tests
 * need trusted are written once for the class and the class waits (polling the clock, never a
 * blind sleep) until they are that old. Each test has its own folder of them.
 */
@Timeout(120)
class StatCacheTest {
    private static final long MAX = 1 << 20;

    /** Files written before the tests and aged past the racy window; one folder per test. */
    @TempDir
    static Path aged;

    @TempDir
    Path tmp;

    private static final List<String> CASES = List.of("unread", "changed", "forged", "racy", "refresh", "removed",
            "moved", "movedKb", "upgrade", "rebuilt");

    @BeforeAll
    static void writeAndAge() throws IOException {
        for (String c : CASES) {
            for (String n : List.of("a", "b", "c")) {
                write(aged.resolve(c).resolve(n + ".md"), "# " + c + " " + n + "\n\nthe note " + n + " of " + c + "\n");
            }
        }
        long newest = 0;
        try (Stream<Path> all = Files.walk(aged)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                FileStat.Stamp s = FileSource.Stamp.of(p).stat();
                newest = Math.max(newest, Math.max(s.modifiedNs(), s.changedNs()));
            }
        }
        long until = newest + FileStat.GRANULARITY_NS + 100_000_000L;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.currentTimeMillis() * 1_000_000L <= until) {
            assertTrue(System.nanoTime() < deadline, "the clock did not pass " + until);
            try {
                Thread.sleep(20); // polling the clock for the condition above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private KnowledgeBase newKb(String name) {
        Init.run(tmp.resolve(name), Duration.ZERO, m -> { }, m -> { });
        return KnowledgeBase.open(tmp.resolve(name));
    }

    /** One {@code kb add} batch of these items; its events in order. */
    private static List<Outcome> add(KnowledgeBase kb, List<Inputs.Item> items) {
        List<Outcome> events = new ArrayList<>();
        new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add", 4, 50, FileOps.REAL), new Batch.Listener() {
            @Override
            public void outcome(Outcome o) {
                events.add(o);
            }

            @Override
            public void warning(String message) {
                throw new AssertionError("warning: " + message);
            }

            @Override
            public void waitingForLock(String holder) {
            }
        }).run(items);
        return events;
    }

    /** {@code kb add DIR}: the directory walked as the command walks it. */
    private static List<Outcome> addDir(KnowledgeBase kb, Path dir) {
        return add(kb, Inputs.expand(List.of(dir.toString()), dir, kb, a -> null, MAX));
    }

    /** {@code kb add FILE} of a file that fails if anything opens it to read. */
    private static List<Outcome> addUnreadable(KnowledgeBase kb, Path file) {
        return add(kb, List.of(new Inputs.Item(new FileSource(file, file.toString(), MAX, (attempt, copied) -> {
            throw new IOException("the file was read");
        }), null)));
    }

    /** "status checked" per event, e.g. "skipped stat". */
    private static List<String> verdicts(List<Outcome> events) {
        return events.stream().map(o -> o.status().word() + " " + o.checked()).toList();
    }

    /** The entries the registry hands out for the files of {@code dir}. */
    private static Map<String, FileStat> entries(KnowledgeBase kb, Path dir) throws IOException {
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            return r.fileStats(dir.toRealPath().toString());
        }
    }

    private static String uri(Path file) {
        return SourcePaths.identity(file);
    }

    /** Records entries as a writer does, under the lock: a test's way to set up a racily clean one. */
    private static void record(KnowledgeBase kb, FileStat entry) {
        try (WriterLock lock = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb test", m -> { });
             Registry w = SqliteRegistry.open(kb.registryFile())) {
            lock.assertHeld();
            w.recordFileStats(List.of(entry));
        }
    }

    @Test
    void anUnchangedFileIsSkippedWithoutBeingOpened() throws IOException {
        Path dir = aged.resolve("unread");
        KnowledgeBase kb = newKb("kb");
        assertEquals(List.of("added null", "added null", "added null"), verdicts(addDir(kb, dir)));
        assertEquals(3, entries(kb, dir).size(), "each committed with its entry");

        List<Outcome> again = addDir(kb, dir);
        assertEquals(List.of("skipped stat", "skipped stat", "skipped stat"), verdicts(again));
        assertEquals(List.of("a", "b", "c"), again.stream().map(Outcome::doc).toList());
        assertEquals(List.of("unchanged", "unchanged", "unchanged"), again.stream().map(Outcome::reason).toList());

        // named on its own, with a read that fails: the skip never came near it
        assertEquals(List.of("skipped stat"), verdicts(addUnreadable(kb, dir.resolve("a.md"))));
        // the same read in a KB that has no entry for it: that is what reading it looks like
        List<Outcome> read = addUnreadable(newKb("other"), dir.resolve("a.md"));
        assertEquals(Outcome.Status.FAILED, read.get(0).status());
        assertTrue(read.get(0).reason().contains("the file was read"), read.get(0).reason());
    }

    @Test
    void aChangedFileIsReadAndOnlyItIsUpdated() throws IOException {
        Path dir = aged.resolve("changed");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        write(dir.resolve("b.md"), "# changed b\n\nnew words, another size\n");
        List<Outcome> again = addDir(kb, dir);
        assertEquals(List.of("skipped stat", "updated null", "skipped stat"), verdicts(again));
        assertEquals("b", again.get(1).doc());
        // changed a moment ago: its new entry could not tell a change in this same tick, so there is none
        assertEquals(List.of(uri(dir.resolve("a.md")), uri(dir.resolve("c.md"))),
                entries(kb, dir).keySet().stream().sorted().toList());
        assertEquals(List.of("skipped stat", "skipped content", "skipped stat"), verdicts(addDir(kb, dir)));
    }

    /** Same size, modification time set back to what the entry says: the change time still tells. */
    @Test
    void aChangeHiddenBehindAForgedModificationTimeIsSeen() throws IOException {
        Path dir = aged.resolve("forged");
        Path a = dir.resolve("a.md");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        FileStat entry = entries(kb, dir).get(uri(a));
        String before = Files.readString(a);
        String after = before.replace("note a", "NOTE A");
        assertEquals(before.length(), after.length());
        Files.writeString(a, after);
        Files.setLastModifiedTime(a, FileTime.from(entry.stamp().modifiedNs(), java.util.concurrent.TimeUnit.NANOSECONDS));
        FileStat.Stamp now = FileSource.Stamp.of(a).stat();
        assertEquals(entry.stamp().size(), now.size());
        assertEquals(entry.stamp().modifiedNs(), now.modifiedNs(), "the forged time, to the nanosecond");
        assertEquals(entry.stamp().inode(), now.inode());

        List<Outcome> again = addDir(kb, dir);
        assertEquals(List.of("updated null", "skipped stat", "skipped stat"), verdicts(again));
    }

    /**
     * Git's "racily clean" file: changed in the same tick of the clock as the stat that recorded
     * it, so that a later change can keep every time and the size. Such a stat leaves an entry
     * that matches the file's stamp but vouches for content the file no longer has; here the
     * file is changed (same size) and exactly that entry is recorded, at the moment of the last
     * change and within the granularity after it. It must not be trusted. One recorded safely
     * later is trusted (and so believed, lie and all): the timing is all that tells them apart.
     */
    @Test
    void aRacilyCleanEntryIsNotTrusted() throws IOException {
        Path dir = aged.resolve("racy");
        Path a = dir.resolve("a.md");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        List<String> spellings = List.of("NOTE A", "nOtE a", "NoTe A");
        for (int i = 0; i < spellings.size(); i++) {
            String committed = entriesOrRow(kb, a);
            String before = Files.readString(a);
            Files.writeString(a, before.replaceAll("(?i)note a", spellings.get(i)));
            FileStat.Stamp now = FileSource.Stamp.of(a).stat();
            assertEquals(before.length(), now.size(), "the same size");
            long lastChange = Math.max(now.modifiedNs(), now.changedNs());
            long recorded = switch (i) {
                case 0 -> lastChange; // mtime and ctime equal the recorded time
                case 1 -> lastChange + FileStat.GRANULARITY_NS / 2;
                default -> lastChange + FileStat.GRANULARITY_NS + 1_000_000_000L;
            };
            record(kb, new FileStat(uri(a), null, committed, now, recorded));
            assertEquals(now, entries(kb, dir).get(uri(a)).stamp(), "the lying entry is in place");
            List<Outcome> again = add(kb, List.of(new Inputs.Item(new FileSource(a, a.toString(), MAX), null)));
            assertEquals(i < 2 ? List.of("updated null") : List.of("skipped stat"), verdicts(again),
                    "entry recorded " + (recorded - lastChange) + " ns after the last change");
        }
    }

    /** The content the row of {@code file} has (what an entry for it must vouch for to be recorded). */
    private static String entriesOrRow(KnowledgeBase kb, Path file) {
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            return r.bySourceUri(uri(file)).orElseThrow().sha256();
        }
    }

    /** A racy entry of a file that did not change: the file is read, found unchanged, and the entry made anew. */
    @Test
    void aRacyEntryOfAnUnchangedFileIsRefreshed() throws IOException {
        Path dir = aged.resolve("refresh");
        Path a = dir.resolve("a.md");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        FileStat good = entries(kb, dir).get(uri(a));
        assertFalse(good.racy());
        long lastChange = Math.max(good.stamp().modifiedNs(), good.stamp().changedNs());
        record(kb, new FileStat(uri(a), null, good.sha256(), good.stamp(), lastChange));
        assertTrue(entries(kb, dir).get(uri(a)).racy());

        assertEquals(List.of("skipped content", "skipped stat", "skipped stat"), verdicts(addDir(kb, dir)));
        FileStat refreshed = entries(kb, dir).get(uri(a));
        assertFalse(refreshed.racy(), "recorded anew, now that the file is old: " + refreshed);
        assertEquals(good.stamp(), refreshed.stamp());
        assertEquals(List.of("skipped stat", "skipped stat", "skipped stat"), verdicts(addDir(kb, dir)));
    }

    /** A file added within the granularity of its last change gets no entry: it is read again next time. */
    @Test
    void aFileChangedJustBeforeItsAddGetsNoEntry() throws IOException {
        Path dir = tmp.resolve("fresh");
        Path x = dir.resolve("x.md");
        write(x, "# fresh\n\njust written\n");
        KnowledgeBase kb = newKb("kb");
        assertEquals(List.of("added null"), verdicts(addDir(kb, dir)));
        List<Outcome> again = addDir(kb, dir);
        FileStat.Stamp s = FileSource.Stamp.of(x).stat();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.currentTimeMillis() * 1_000_000L - s.changedNs() < FileStat.GRANULARITY_NS,
                "this machine took longer than the granularity for two adds");
        assertEquals(List.of("skipped content"), verdicts(again));
        assertEquals(Map.of(), entries(kb, dir));
    }

    /** Every entry in the table, whatever its row says: what is stored, not only what is handed out. */
    private static List<String> stored(KnowledgeBase kb) {
        List<String> uris = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + kb.registryFile());
             Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT source_uri FROM file_stats ORDER BY source_uri")) {
            while (rs.next()) {
                uris.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return uris;
    }

    @Test
    void removingADocumentDropsItsEntry() throws IOException {
        Path dir = aged.resolve("removed");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        assertEquals(3, stored(kb).size());
        List<Outcome> removed = new ArrayList<>();
        new Remove(kb, Duration.ZERO, FileOps.REAL, new Batch.Listener() {
            @Override
            public void outcome(Outcome o) {
                removed.add(o);
            }

            @Override
            public void warning(String message) {
            }

            @Override
            public void waitingForLock(String holder) {
            }
        }).run(List.of(RemovePlanner.Target.of("b", dir)));
        assertEquals(Outcome.Status.REMOVED, removed.get(0).status());
        assertEquals(List.of(uri(dir.resolve("a.md")), uri(dir.resolve("c.md"))), stored(kb));
        assertEquals(List.of("skipped stat", "added null", "skipped stat"), verdicts(addDir(kb, dir)));
    }

    /** A file moved within its folder is a new path: read, and skipped as the content it is, as without a cache. */
    @Test
    void aMovedFileIsReadAsBefore() throws IOException {
        Path dir = aged.resolve("moved");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        Files.move(dir.resolve("a.md"), dir.resolve("d.md"));
        List<Outcome> again = addDir(kb, dir);
        assertEquals(List.of("skipped stat", "skipped stat", "skipped null"), verdicts(again));
        assertEquals("same content as a", again.get(2).reason());
    }

    /** Entries are of source files, not of the KB's own paths: a KB moved elsewhere keeps them. */
    @Test
    void aMovedKnowledgeBaseKeepsItsEntries() throws IOException {
        Path dir = aged.resolve("movedKb");
        addDir(newKb("kb"), dir);
        Files.move(tmp.resolve("kb"), tmp.resolve("elsewhere"));
        KnowledgeBase moved = KnowledgeBase.open(tmp.resolve("elsewhere"));
        assertEquals(List.of("skipped stat", "skipped stat", "skipped stat"), verdicts(addDir(moved, dir)));
    }

    /** A KB whose registry kb wrote before the stat cache: upgraded, read once, then skipped unread. */
    @Test
    void aVersionThreeKnowledgeBaseUpgradesAndRecordsOnTheFirstAdd() throws Exception {
        Path dir = aged.resolve("upgrade");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + kb.registryFile());
             Statement s = c.createStatement()) {
            for (String st : List.of("DROP TRIGGER file_stats_delete", "DROP TRIGGER file_stats_update",
                    "DROP INDEX file_stats_dir", "DROP TABLE file_stats", "PRAGMA user_version=3")) {
                s.execute(st);
            }
        }
        assertEquals(List.of("skipped content", "skipped content", "skipped content"), verdicts(addDir(kb, dir)));
        assertEquals(3, entries(kb, dir).size(), "recorded at the end of that batch");
        assertEquals(List.of("skipped stat", "skipped stat", "skipped stat"), verdicts(addDir(kb, dir)));
    }

    /** {@code kb recover --rebuild-registry} makes no entries (they are not on disk); the next add reads and makes them. */
    @Test
    void aRebuiltRegistryStartsWithoutEntries() throws IOException {
        Path dir = aged.resolve("rebuilt");
        KnowledgeBase kb = newKb("kb");
        addDir(kb, dir);
        for (String f : List.of("registry.db", "registry.db-wal", "registry.db-shm")) {
            Files.deleteIfExists(kb.registryFile().resolveSibling(f));
        }
        dev.kb.core.app.RebuildRegistry.run(kb, Duration.ZERO, new dev.kb.core.mutation.WriterSession.Events() {
            @Override
            public void warning(String message) {
            }

            @Override
            public void waitingForLock(String holder) {
            }
        });
        assertEquals(Map.of(), entries(kb, dir));
        assertEquals(List.of("skipped content", "skipped content", "skipped content"), verdicts(addDir(kb, dir)));
        assertEquals(List.of("skipped stat", "skipped stat", "skipped stat"), verdicts(addDir(kb, dir)));
    }
}
