package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The summary {@code kb status} shows and its cache, {@code .kb/summary.txt}, with real processes:
 * fresh, stale while a real writer is paused after its commit point, stale with no writer (one
 * halted after its commit), deleted, corrupt, older than five minutes, on a KB this user cannot
 * write. In every case the summary shown equals the one rebuilt from outside, from the registry
 * ({@link RegistrySummary}), at the revision it claims.
 */
class StatusSummaryTest extends E2EBase {
    static final int HALTED = 86;

    private Path summaryFile() {
        return kb.resolve(".kb/summary.txt");
    }

    /**
     * The cache file's lines, less the registry stamp ({@code files}) a status adds to a summary it
     * verified once the registry's files have settled: a machine slow enough to take two seconds
     * between a commit and the status after it gets one, which serves the same summary.
     */
    private byte[] summaryBytes() throws Exception {
        return Files.readString(summaryFile(), StandardCharsets.UTF_8).replaceAll("(?m)^files\t.*\n", "")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Waits until the registry's files have not changed for {@code SETTLED} (two seconds): only
     * then may a status vouch for a summary with their stamp (a commit within the same tick of the
     * file system's clock could leave them looking the same). Waits on the files' own times.
     */
    private void awaitSettled() {
        Kb.awaitCondition(Duration.ofSeconds(30), "the registry's files to be two seconds old", () -> {
            Instant last = Instant.EPOCH;
            for (String name : new String[] {"registry.db", "registry.db-wal"}) {
                Path p = kb.resolve(".kb").resolve(name);
                try {
                    for (String a : new String[] {"lastModifiedTime", "unix:ctime"}) {
                        Instant at = ((java.nio.file.attribute.FileTime) Files.getAttribute(p, a)).toInstant();
                        last = at.isAfter(last) ? at : last;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // no log: the database file holds everything
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return Instant.now().isAfter(last.plusMillis(2100));
        });
    }

    /**
     * The status a script polls, of a registry that has not changed since a status verified its
     * summary: it loads neither SQLite nor picocli (PolledStatus), and shows what a status that
     * reads the registry shows. The next commit is seen at once.
     */
    @Test
    void aSettledRegistrysStatusOpensNeitherSqliteNorPicocli() throws Exception {
        threeCommits();
        // a writer killed after its commit point, before its post-commit steps: its journal is
        // pending, and no status vouches for the registry's files until recovery has run
        file("e.md", markdown("Echo", "killed"));
        Kb.run(work, Kb.env(home, "KB_TEST_HALT_AT", "committed"), "--kb", kb.toString(), "add", "e.md")
                .expect(HALTED);
        awaitSettled();
        assertEquals(4, status().get("revision").asLong());
        assertFalse(Files.readString(summaryFile()).contains("\nfiles\t"), "no stamp with a journal pending");
        kb("recover").expect(0);
        awaitSettled();
        JsonNode verified = status();
        assertTrue(Files.readString(summaryFile()).contains("\nfiles\t"), "the status stored the registry's stamp");
        // without the class-data archive: JDK 25's AOT cache loads every class it holds at start,
        // used or not, and the log would name them all
        Path log = tmp.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:file=" + log, "-jar",
                Kb.jar().toString(), "--kb", kb.toString(), "status", "--json"));
        Kb.Result r = Kb.startRaw(cmd, work, Kb.env(home)).await().expect(0);
        JsonNode polled = r.json().get(0);
        assertEquals(verified, polled);
        assertCurrent(polled, RegistrySummary.expected(kb));
        String loaded = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(loaded.contains("dev.kb.cli.PolledStatus"), "the log is of the status");
        // (two of picocli's exception classes are loaded to verify Main, which names them)
        assertEquals(List.of(), loaded.lines().filter(l -> l.contains(" org.sqlite.")
                || l.contains(" picocli.CommandLine source") || l.contains(" picocli.CommandLine$Model"))
                .limit(5).toList(), "classes of SQLite or of picocli's model a polled status loaded");

        byte[] stamped = Files.readAllBytes(summaryFile());
        file("d.md", markdown("Delta", "fourth"));
        kb("add", "d.md").expect(0);
        Files.write(summaryFile(), stamped); // as if the writer had died before its refresh
        JsonNode after = status();
        assertEquals(verified.get("revision").asLong() + 1, after.get("revision").asLong(), after.toString());
        assertCurrent(after, RegistrySummary.expected(kb));
    }

    /** The revision the cache file says it was built at. */
    private long cachedRevision() throws Exception {
        for (String line : Files.readAllLines(summaryFile(), StandardCharsets.UTF_8)) {
            if (line.startsWith("revision\t")) {
                return Long.parseLong(line.substring("revision\t".length()));
            }
        }
        throw new AssertionError("no revision line in " + summaryFile());
    }

    /** Three commits (one input each, so one group each: revisions 1 to 3): a.md, b.txt, c.html. */
    private void threeCommits() {
        init();
        file("a.md", markdown("Alpha", "first"));
        file("b.txt", "second, plain text\n");
        file("c.html", html("Charlie", "third"));
        kb("add", "a.md").expect(0);
        kb("add", "b.txt").expect(0);
        kb("add", "c.html").expect(0);
    }

    private static void assertCurrent(JsonNode st, JsonNode expected) {
        assertFalse(st.get("stale").asBoolean(), st.toString());
        assertEquals(expected.get("summary_revision").asLong(), st.get("revision").asLong(), st.toString());
        assertEquals(expected, RegistrySummary.shown(st));
        assertFalse(st.has("age_seconds"), "only a stale summary gives its age: " + st);
    }

    @Test
    void aCurrentSummaryIsServedFromTheCacheAndIsTheRegistrys() throws Exception {
        threeCommits();
        byte[] cached = summaryBytes();
        JsonNode st = status();
        JsonNode expected = RegistrySummary.expected(kb);
        assertCurrent(st, expected);
        assertEquals(3, st.get("revision").asLong(), "three commits, three revisions: " + st);
        assertEquals(3, st.get("documents").asInt());
        assertEquals(3, st.get("recent").size());
        assertEquals("add", st.get("last_commit").get("command").asText());
        assertEquals(1, st.get("last_commit").get("added").asInt());
        assertEquals(0, st.get("quarantined_journals").asInt());
        assertTrue(st.get("progress").isNull(), st.toString());
        assertArrayEquals(cached, summaryBytes(), "a current summary is served, not rebuilt");

        String human = kb("status").expect(0).out();
        assertTrue(human.contains("documents:        3 (html 1, markdown 1, text 1; "), human);
        assertTrue(human.contains("revision:         3\n"), human);
        assertTrue(human.lines().anyMatch(l -> l.startsWith("last commit:") && l.contains("  add  1 document (1 added)")),
                human);
        assertTrue(human.contains("recent activity:\n"), human);
    }

    /**
     * A real writer paused right after its commit point ({@code committed}: lock held, revision
     * moved, summary not yet refreshed): status serves the last summary marked stale, of the
     * revision it claims, with its age; once the writer goes on it stores the new one itself.
     */
    @Test
    void whileARealWriterIsPausedAfterItsCommitTheLastSummaryIsServedStale() throws Exception {
        threeCommits();
        JsonNode before = status();
        file("d.md", markdown("Delta", "fourth"));
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Kb.Running writer = pausedAfterCommit(pause, "d.md");
        try {
            JsonNode st = status();
            assertTrue(st.get("stale").asBoolean(), st.toString());
            assertEquals(writer.pid(), st.get("lock").get("pid").asLong(), st.toString());
            assertEquals(4, st.get("revision").asLong(), "the registry's revision now: " + st);
            assertEquals(RegistrySummary.expected(kb).get("summary_revision").asLong(), st.get("revision").asLong());
            assertEquals(4, st.get("documents").asInt(), "the count is the registry's now: " + st);
            assertEquals(3, st.get("summary_revision").asLong(), st.toString());
            assertEquals(RegistrySummary.shown(before), RegistrySummary.shown(st), "the summary of revision 3");
            assertTrue(st.get("age_seconds").isIntegralNumber() && st.get("age_seconds").asLong() >= 0, st.toString());
            assertEquals(3, cachedRevision(), "status leaves a stale summary for the writer to replace");

            Files.createFile(pause.resolve("resume"));
            writer.await().expect(0);
        } finally {
            if (writer.process.isAlive()) {
                writer.kill();
            }
        }
        assertEquals(4, cachedRevision(), "the writer refreshed the summary after its commit");
        byte[] refreshed = summaryBytes();
        assertCurrent(status(), RegistrySummary.expected(kb));
        assertArrayEquals(refreshed, summaryBytes());
    }

    /** Past five minutes a stale summary is rebuilt even while the writer is still paused. */
    @Test
    void aStaleSummaryOlderThanFiveMinutesIsRebuiltEvenWhileAWriterRuns() throws Exception {
        threeCommits();
        file("d.md", markdown("Delta", "fourth"));
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Kb.Running writer = pausedAfterCommit(pause, "d.md");
        try {
            builtAgo(Duration.ofSeconds(290));
            JsonNode young = status();
            assertTrue(young.get("stale").asBoolean(), "under five minutes a stale summary is served: " + young);
            assertTrue(young.get("age_seconds").asLong() >= 290, young.toString());

            builtAgo(Duration.ofSeconds(301));
            JsonNode st = status();
            assertCurrent(st, RegistrySummary.expected(kb));
            assertEquals(4, st.get("revision").asLong(), "rebuilt at the paused writer's committed revision");
            assertEquals(4, cachedRevision(), "and stored: the revision did not move meanwhile");

            Files.createFile(pause.resolve("resume"));
            writer.await().expect(0);
        } finally {
            if (writer.process.isAlive()) {
                writer.kill();
            }
        }
        assertCurrent(status(), RegistrySummary.expected(kb));
    }

    /** A writer halted after its commit (as a kill would stop it) never refreshed: the next status rebuilds. */
    @Test
    void withoutAWriterAStaleSummaryIsRebuiltAndStored() throws Exception {
        threeCommits();
        file("d.md", markdown("Delta", "fourth"));
        kbEnv(new String[] {"KB_TEST_HALT_AT", "discarded"}, "add", "d.md").expect(HALTED);
        assertEquals(3, cachedRevision(), "halted before its post-commit refresh");
        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), st.toString());
        assertCurrent(st, RegistrySummary.expected(kb));
        assertEquals(4, st.get("revision").asLong());
        assertEquals(4, cachedRevision(), "the rebuilt summary is stored for the next status");
    }

    @Test
    void aDeletedSummaryIsRebuilt() throws Exception {
        threeCommits();
        Files.delete(summaryFile());
        Kb.Result r = kb("--verbose", "status", "--json").expect(0);
        assertEquals("", r.err(), "a missing cache is no problem to report");
        assertCurrent(r.json().get(0), RegistrySummary.expected(kb));
        assertEquals(3, cachedRevision());
    }

    /** A corrupt cache is ignored, silently unless --verbose (then one line), and replaced. */
    @Test
    void aCorruptSummaryIsIgnoredAndSaidSoWithVerbose() throws Exception {
        threeCommits();
        Files.write(summaryFile(), "kb-summary\t1\nrevision\t3\ntype\tmarkdown\tmany\t1\nend\n".getBytes(StandardCharsets.UTF_8));
        Kb.Result quiet = kb("status", "--json").expect(0);
        assertEquals("", quiet.err());
        assertCurrent(quiet.json().get(0), RegistrySummary.expected(kb));
        assertEquals(3, cachedRevision(), "replaced by a sound one");

        Files.write(summaryFile(), new byte[] {0, 1, 2, (byte) 0xff});
        Kb.Result verbose = kb("--verbose", "status", "--json").expect(0).assertNoStackTrace();
        List<String> lines = verbose.errLines();
        assertEquals(1, lines.size(), verbose.err());
        assertTrue(lines.get(0).startsWith("kb: ") && lines.get(0).contains(".kb/summary.txt"), lines.get(0));
        assertCurrent(verbose.json().get(0), RegistrySummary.expected(kb));
    }

    /** A user who may read the KB but not write it: status answers with a rebuilt summary and writes nothing. */
    @Test
    void onAKbThisUserCannotWriteStatusAnswersWithARebuiltSummary() throws Exception {
        assumeTrue(ReadOnlyKbTest.canRunAsNobody(),
                "StatusSummaryTest skipped: cannot run a process as uid " + ReadOnlyKbTest.NOBODY + " (setpriv)");
        threeCommits();
        byte[] old = summaryBytes();
        file("d.md", markdown("Delta", "fourth"));
        kb("add", "d.md").expect(0);
        Files.write(summaryFile(), old); // a summary of revision 3 while the registry is at 4
        for (Path p = kb; p != null && !p.equals(tmp.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path nobodyHome = Files.createDirectories(tmp.resolve("nobody-home"));
        Files.setAttribute(nobodyHome, "unix:uid", ReadOnlyKbTest.NOBODY);
        KbState.Snapshot before = KbState.snapshot(kb);

        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + ReadOnlyKbTest.NOBODY,
                "--regid=" + ReadOnlyKbTest.NOBODY, "--clear-groups"));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString(), "--kb", kb.toString(), "status", "--json"));
        Kb.Result r = Kb.startRaw(cmd, work, Kb.env(nobodyHome)).await().expect(0);
        assertEquals("", r.err());
        JsonNode st = r.json().get(0);
        assertCurrent(st, RegistrySummary.expected(kb));
        assertEquals(4, st.get("revision").asLong());
        KbState.assertUnchanged(before, kb);
    }

    /** Starts {@code kb add inputs} paused right after its commit point, and waits until it is. */
    private Kb.Running pausedAfterCommit(Path pause, String... inputs) {
        List<String> args = new ArrayList<>(List.of("--kb", kb.toString(), "add"));
        args.addAll(List.of(inputs));
        Kb.Running writer = Kb.start(work, Kb.env(home, "KB_TEST_PAUSE_AT", "committed", "KB_TEST_PAUSE_DIR",
                pause.toString()), args.toArray(String[]::new));
        Kb.awaitCondition(Duration.ofSeconds(60), "kb add to pause after its commit",
                () -> Files.exists(pause.resolve("paused")) || !writer.process.isAlive());
        assertTrue(writer.process.isAlive(), "kb add ended before pausing: " + writer.err());
        return writer;
    }

    /** Rewrites the cache file's built_at as {@code ago} before now: its age, without waiting for it. */
    private void builtAgo(Duration ago) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(summaryFile(), StandardCharsets.UTF_8)) {
            out.add(line.startsWith("built_at\t") ? "built_at\t" + Instant.now().minus(ago).toEpochMilli() : line);
        }
        Files.write(summaryFile(), (String.join("\n", out) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
