package dev.kb.core.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.TestKb;
import dev.kb.core.store.ForwardingRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.store.RegistrySnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When status serves the cached summary, serves it stale, or rebuilds it; real SQLite and real
 * files. In every case the summary served equals the registry's snapshot at the revision it
 * claims. (The end-to-end {@code SummaryCacheTest} does the same with real processes.)
 */
class SummaryCacheTest {
    @TempDir
    Path tmp;

    private static Summary cached(TestKb t) {
        return SummaryFile.read(t.kb.summaryFile()).summary().orElseThrow();
    }

    /** Two documents committed, the summary refreshed by the writer: what the registry says at R. */
    private static RegistrySnapshot twoCommits(TestKb t) {
        t.add(t.doc("/in/a.md", "a", "alpha"));
        t.add(t.doc("/in/b.md", "b", "bravo"), t.doc("/in/c.md", "c", "charlie"));
        RegistrySnapshot at = t.registry.snapshot(SummaryCache.RECENT);
        assertEquals(2, at.revision());
        return at;
    }

    /**
     * A third commit whose post-commit refresh has not run yet (the writer is between its commit
     * point and the refresh): the file is put back as it was at R.
     */
    private static void commitWithoutRefresh(TestKb t) throws Exception {
        byte[] before = Files.readAllBytes(t.kb.summaryFile());
        t.add(t.doc("/in/d.md", "d", "delta"));
        Files.write(t.kb.summaryFile(), before);
        assertEquals(3, t.registry.revision());
    }

    @Test
    void theWriterRefreshesTheSummaryAfterEachCommit() {
        try (TestKb t = TestKb.create(tmp)) {
            assertEquals(0, cached(t).revision(), "kb init leaves the summary of the new registry");
            RegistrySnapshot at = twoCommits(t);
            assertEquals(at, cached(t).registry());
            assertEquals(3, at.documents());
            assertEquals("add (test)", at.lastCommit().note().command(), "the command the session was opened with");
            assertEquals(2, at.lastCommit().note().added());
        }
    }

    @Test
    void aCurrentSummaryIsServedFromTheFile() {
        try (TestKb t = TestKb.create(tmp)) {
            RegistrySnapshot at = twoCommits(t);
            Summary file = cached(t);
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, false, file.builtAt().plus(Duration.ofHours(1)));
            assertFalse(s.stale());
            assertEquals(file, s.summary(), "served as read (a rebuild would be built an hour later)");
            assertEquals(at, s.summary().registry());
            assertEquals(2, s.revision());
            assertEquals(3, s.documents());
        }
    }

    @Test
    void whileAWriterRunsAnOlderSummaryIsServedStale() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            RegistrySnapshot at = twoCommits(t);
            commitWithoutRefresh(t);
            Summary file = cached(t);
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, true, file.builtAt().plusSeconds(300));
            assertTrue(s.stale());
            assertEquals(file, s.summary());
            assertEquals(at, s.summary().registry(), "the summary of the revision it claims, 2");
            assertEquals(3, s.revision(), "the registry's revision now");
            assertEquals(4, s.documents(), "the registry's count now");
            assertEquals(file, cached(t), "a stale summary is left for the writer to replace");
        }
    }

    @Test
    void aStaleSummaryOlderThanFiveMinutesIsRebuiltEvenWhileAWriterRuns() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            commitWithoutRefresh(t);
            Instant now = cached(t).builtAt().plus(SummaryCache.MAX_STALE_AGE).plusSeconds(1);
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, true, now);
            assertRebuiltAndStored(t, s, now);
        }
    }

    @Test
    void aStaleSummaryBuiltInTheFutureIsRebuiltWhileAWriterRuns() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            commitWithoutRefresh(t);
            Summary file = cached(t);
            // a clock set back a day since it was built (or a file from another machine)
            Instant now = file.builtAt().minus(Duration.ofDays(1));
            SummaryFile.write(t.kb.summaryFile(), file);
            assertRebuiltAndStored(t, SummaryCache.serve(t.kb, t.registry, true, now), now);
        }
    }

    @Test
    void aSummaryOfTheCurrentRevisionWithAnotherCountIsRebuilt() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            RegistrySnapshot at = twoCommits(t);
            Summary file = cached(t);
            java.util.SortedMap<String, RegistrySnapshot.TypeTotals> edited = new java.util.TreeMap<>(at.byType());
            edited.put("markdown", new RegistrySnapshot.TypeTotals(9999, 1));
            SummaryFile.write(t.kb.summaryFile(),
                    new Summary(new RegistrySnapshot(at.revision(), edited, at.recent()), file.builtAt()));
            Instant now = file.builtAt().plusSeconds(1);
            assertRebuiltAndStored(t, SummaryCache.serve(t.kb, t.registry, false, now), now);
        }
    }

    @Test
    void withoutAWriterAStaleSummaryIsRebuilt() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            commitWithoutRefresh(t);
            Instant now = cached(t).builtAt().plusSeconds(1);
            assertRebuiltAndStored(t, SummaryCache.serve(t.kb, t.registry, false, now), now);
        }
    }

    @Test
    void aDeletedSummaryIsRebuilt() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            Files.delete(t.kb.summaryFile());
            Instant now = Instant.now();
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, true, now);
            assertEquals(0, s.notes().size(), "a missing file is no problem to report: " + s.notes());
            assertRebuiltAndStored(t, s, now);
        }
    }

    @Test
    void aCorruptSummaryIsIgnoredSaidSoAndRebuilt() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            twoCommits(t);
            Files.write(t.kb.summaryFile(), "revision\t2\nend\n".getBytes(StandardCharsets.UTF_8));
            Instant now = Instant.now();
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, true, now);
            assertEquals(1, s.notes().size(), s.notes().toString());
            assertTrue(s.notes().get(0).contains(".kb/summary.txt"), s.notes().get(0));
            assertRebuiltAndStored(t, s, now);
        }
    }

    /** A writer committed while status rebuilt: status must not replace the writer's newer summary. */
    @Test
    void aRebuiltSummaryIsNotStoredWhenTheRevisionMovedMeanwhile() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            RegistrySnapshot at = twoCommits(t);
            Files.delete(t.kb.summaryFile());
            Registry moving = new ForwardingRegistry(t.registry, false) {
                @Override
                public long revision() {
                    return delegate.revision() + 1; // as if a commit landed after the snapshot
                }
            };
            SummaryCache.Served s = SummaryCache.serve(t.kb, moving, false, Instant.now());
            assertEquals(at, s.summary().registry());
            assertFalse(Files.exists(t.kb.summaryFile()));
        }
    }

    /**
     * The refresh comes after the commit point: when the summary cannot be stored (here its path
     * is a folder with something in it), the commits stand and the batch warns once, not per group.
     */
    @Test
    void aSummaryThatCannotBeStoredIsOneWarningAndUndoesNothing() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            Files.delete(t.kb.summaryFile());
            Files.createDirectories(t.kb.summaryFile().resolve("in-the-way"));
            t.add(t.doc("/in/a.md", "a", "alpha"));
            t.add(t.doc("/in/b.md", "b", "bravo"));
            t.add(t.doc("/in/c.md", "c", "charlie"));
            assertEquals(3, t.registry.revision());
            assertEquals(3, t.rows().size());
            assertEquals(1, t.warnings.size(), t.warnings.toString());
            assertTrue(t.warnings.get(0).contains("could not update the cached summary .kb/summary.txt"),
                    t.warnings.get(0));
            SummaryCache.Served s = SummaryCache.serve(t.kb, t.registry, false, Instant.now());
            assertEquals(t.registry.snapshot(SummaryCache.RECENT), s.summary().registry(), "status still answers");
            assertEquals(2, s.notes().size(), "and says, with --verbose, that it cannot read it, nor keep one: "
                    + s.notes());
            s.notes().forEach(n -> assertTrue(n.contains(".kb/summary.txt") && !n.contains("\n"), n));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    private static void assertRebuiltAndStored(TestKb t, SummaryCache.Served s, Instant now) {
        RegistrySnapshot current = t.registry.snapshot(SummaryCache.RECENT);
        assertFalse(s.stale());
        assertEquals(current, s.summary().registry());
        assertEquals(now.toEpochMilli(), s.summary().builtAt().toEpochMilli(), "built now");
        assertEquals(current.revision(), s.revision());
        assertEquals(current.documents(), s.documents());
        assertEquals(s.summary(), cached(t), "stored for the next status");
    }
}
