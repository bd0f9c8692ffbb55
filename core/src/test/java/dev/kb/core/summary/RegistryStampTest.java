package dev.kb.core.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.TestKb;
import dev.kb.core.store.RegistrySnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A status serves the cached summary without opening the registry only while the registry's
 * files are exactly as a status found them when it last verified that summary against the
 * registry; real SQLite, real files. A clock "now" a few seconds ahead stands for a registry
 * that has not changed for a while (the files' own times are what a stamp is judged by).
 */
class RegistryStampTest {
    @TempDir
    Path tmp;

    private static RegistrySnapshot twoCommits(TestKb t) {
        t.add(t.doc("/in/a.md", "a", "alpha"));
        t.add(t.doc("/in/b.md", "b", "bravo"), t.doc("/in/c.md", "c", "charlie"));
        return t.registry.snapshot(SummaryCache.RECENT);
    }

    private static Optional<RegistryStamp> stamp(TestKb t) {
        return RegistryStamp.of(t.kb.registryFile());
    }

    /** The latest modification or change time of the registry's files: when they last changed. */
    private static Instant lastChange(TestKb t) throws Exception {
        Instant last = Instant.EPOCH;
        for (Path p : new Path[] {t.kb.registryFile(), t.kb.registryFile().resolveSibling("registry.db-wal")}) {
            if (Files.exists(p)) {
                for (String a : new String[] {"lastModifiedTime", "unix:ctime"}) {
                    Instant at = ((FileTime) Files.getAttribute(p, a, LinkOption.NOFOLLOW_LINKS)).toInstant();
                    last = at.isAfter(last) ? at : last;
                }
            }
        }
        return last;
    }

    /** A status of a settled registry: it reads the registry once, and stores the stamp it saw. */
    private static SummaryCache.Served verifiedStatus(TestKb t) throws Exception {
        Instant now = lastChange(t).plus(RegistryStamp.SETTLED).plusSeconds(1);
        Optional<RegistryStamp> before = stamp(t);
        assertTrue(before.isPresent(), "this file system has the POSIX attributes");
        return SummaryCache.serve(t.kb, t.registry, false, now, before);
    }

    @Test
    void aSettledRegistrysSummaryIsServedUnopenedOnceAStatusHasVerifiedIt() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            RegistrySnapshot at = twoCommits(t);
            SummaryFile.Read writers = SummaryFile.read(t.kb.summaryFile());
            assertTrue(writers.stamp().isEmpty(), "the writer stores its summary unstamped: its files just changed");
            assertTrue(SummaryCache.serveUnopened(writers, stamp(t)).isEmpty());

            SummaryCache.Served first = verifiedStatus(t);
            assertEquals(at, first.summary().registry());
            SummaryFile.Read stored = SummaryFile.read(t.kb.summaryFile());
            assertEquals(stamp(t), stored.stamp(), "the stamp it saw, stored with the summary");
            assertEquals(writers.summary(), stored.summary(), "the writer's summary itself, built at the same time");

            SummaryCache.Served next = SummaryCache.serveUnopened(stored, stamp(t)).orElseThrow();
            assertEquals(at, next.summary().registry(), "the summary of exactly the rows of the revision it claims");
            assertEquals(2, next.revision());
            assertEquals(3, next.documents());
            assertFalse(next.stale());
        }
    }

    @Test
    void aCommitVoidsTheStampEvenWithTheOldFileBack() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            verifiedStatus(t);
            byte[] stamped = Files.readAllBytes(t.kb.summaryFile());
            t.add(t.doc("/in/d.md", "d", "delta"));
            Files.write(t.kb.summaryFile(), stamped); // as if the writer died before its refresh
            assertTrue(SummaryCache.serveUnopened(SummaryFile.read(t.kb.summaryFile()), stamp(t)).isEmpty());
            SummaryCache.Served s = verifiedStatus(t);
            assertEquals(3, s.revision(), "read from the registry: the commit is seen");
            assertEquals(t.registry.snapshot(SummaryCache.RECENT), s.summary().registry());
        }
    }

    @Test
    void aRegistryThatJustChangedGetsNoStamp() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            Files.delete(t.kb.summaryFile());
            // within the settling time of the last write, a commit in the same clock tick could
            // leave every attribute as it is
            Instant now = lastChange(t).plus(RegistryStamp.SETTLED).minusMillis(1);
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, false, now, stamp(t));
            assertEquals(2, s.revision());
            SummaryFile.Read stored = SummaryFile.read(t.kb.summaryFile());
            assertTrue(stored.summary().isPresent(), "the rebuilt summary is stored");
            assertTrue(stored.stamp().isEmpty(), "but not vouched for by the files");
        }
    }

    @Test
    void aCommitDuringTheReadGetsNoStamp() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            Optional<RegistryStamp> before = stamp(t);
            t.add(t.doc("/in/d.md", "d", "delta")); // after the stamp was taken, before the revision is read
            Instant now = lastChange(t).plus(RegistryStamp.SETTLED).plusSeconds(1);
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, false, now, before);
            assertEquals(3, s.revision());
            assertTrue(SummaryFile.read(t.kb.summaryFile()).stamp().isEmpty(),
                    "the stamp taken before the commit must not vouch for revision 3");
        }
    }

    @Test
    void anEditedSummaryLosesItsStamp() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            verifiedStatus(t);
            String text = Files.readString(t.kb.summaryFile());
            assertTrue(text.contains("\ntype\tmarkdown\t3\t"), text);
            Files.writeString(t.kb.summaryFile(), text.replace("\ntype\tmarkdown\t3\t", "\ntype\tmarkdown\t9\t"));
            SummaryFile.Read edited = SummaryFile.read(t.kb.summaryFile());
            assertEquals(9, edited.summary().orElseThrow().registry().documents(), "still a summary");
            assertTrue(edited.stamp().isEmpty(), "whose stamp no longer vouches for it");
            assertTrue(SummaryCache.serveUnopened(edited, stamp(t)).isEmpty());
            assertEquals(3, verifiedStatus(t).documents(), "the registry is read, and its count shown");
        }
    }

    @Test
    void aStampLineWithABadChecksumOrFormIsNoStamp() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            verifiedStatus(t);
            String text = Files.readString(t.kb.summaryFile());
            String line = text.lines().filter(l -> l.startsWith("files\t")).findFirst().orElseThrow();
            // a line after the stamp line is one its CRC does not cover
            String after = "commit\t1\t2026-01-01T00:00:00Z\tadd\t1\t0\t0\t0";
            for (String bad : new String[] {line.substring(0, line.length() - 1) + (line.endsWith("0") ? "1" : "0"),
                                            line + "\textra", "files\t" + line.split("\t")[2], line + "\n" + after}) {
                Files.writeString(t.kb.summaryFile(), text.replace(line, bad));
                SummaryFile.Read r = SummaryFile.read(t.kb.summaryFile());
                assertTrue(r.summary().isPresent(), bad);
                assertTrue(r.stamp().isEmpty(), bad);
            }
        }
    }

    /**
     * SQLite deletes the log when its last connection closes, and a reader creates an empty one:
     * neither changes what is committed, so neither changes the stamp. A log with frames does.
     */
    @Test
    void anEmptyOrMissingLogIsNoLog() throws Exception {
        Path db = Files.createDirectories(tmp.resolve("kb")).resolve("registry.db");
        Files.write(db, "database bytes".getBytes(StandardCharsets.UTF_8));
        Path wal = tmp.resolve("kb/registry.db-wal");
        RegistryStamp none = RegistryStamp.of(db).orElseThrow();
        Files.createFile(wal);
        assertEquals(none, RegistryStamp.of(db).orElseThrow());
        Files.write(wal, new byte[32]);
        assertNotEquals(none, RegistryStamp.of(db).orElseThrow());
        assertTrue(RegistryStamp.of(tmp.resolve("kb/missing.db")).isEmpty(), "no registry, no stamp");
    }

    /**
     * A registry.db that is a link: SQLite keeps the log beside the file it names, and a commit
     * writes there, so that is where the stamp looks.
     */
    @Test
    void aLinkedRegistryIsStampedWhereSqliteWritesIt() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path real = Files.write(elsewhere.resolve("registry.db"), "database bytes".getBytes(StandardCharsets.UTF_8));
        Path db = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("kb")).resolve("registry.db"), real);
        RegistryStamp before = RegistryStamp.of(db).orElseThrow();
        Files.write(elsewhere.resolve("registry.db-wal"), new byte[32]); // a commit, in the log beside the file
        assertNotEquals(before, RegistryStamp.of(db).orElseThrow());
        RegistryStamp withLog = RegistryStamp.of(db).orElseThrow();
        Path other = Files.write(elsewhere.resolve("other.db"), "database bytes".getBytes(StandardCharsets.UTF_8));
        Files.delete(db);
        Files.createSymbolicLink(db, other);
        assertNotEquals(withLog, RegistryStamp.of(db).orElseThrow(), "the link pointed at another file");
    }

    @Test
    void aStampIsSettledOnlyWhenEveryTimeInItIsOldEnough() throws Exception {
        Path db = Files.createDirectories(tmp.resolve("kb")).resolve("registry.db");
        Files.write(db, "database bytes".getBytes(StandardCharsets.UTF_8));
        Instant changed = ((FileTime) Files.getAttribute(db, "unix:ctime")).toInstant();
        RegistryStamp s = RegistryStamp.of(db).orElseThrow();
        assertTrue(s.settledBefore(changed.plus(RegistryStamp.SETTLED)));
        assertFalse(s.settledBefore(changed.plus(RegistryStamp.SETTLED).minusNanos(1)));
        // a modification time set back (an old backup copied with its times) leaves the change time
        Files.setLastModifiedTime(db, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        RegistryStamp backdated = RegistryStamp.of(db).orElseThrow();
        assertNotEquals(s, backdated);
        Instant rechanged = ((FileTime) Files.getAttribute(db, "unix:ctime")).toInstant();
        assertFalse(backdated.settledBefore(rechanged.plus(RegistryStamp.SETTLED).minusNanos(1)));
    }
}
