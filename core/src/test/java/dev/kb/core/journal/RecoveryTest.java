package dev.kb.core.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.fs.FailingFileOps;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.RecordingFileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.ingest.Outcome;
import dev.kb.core.ingest.Prepared;
import dev.kb.core.registry.DocumentRow;
import dev.kb.core.staging.Sweeper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecoveryTest {

    @TempDir
    Path tmp;

    private static final String ID = "0b6f1c9e-5a1e-4a53-9f57-1d2f3c4b5a69";

    /** A well-formed journal's JSON with one field replaced, to corrupt exactly one thing. */
    private static String journalJson(String backupDir, String target, String staged, String backup) {
        return """
                {"version":1,"id":"%s","status":"active","created":"2026-01-01T00:00:00Z","command":"kb add",
                 "backup_dir":%s,"entries":[{"staged":%s,"target":%s,"backup":%s}],"docs":[]}
                """.formatted(ID, q(backupDir), q(staged), q(target), q(backup));
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "this is not JSON {",
        "[1, 2, 3]",
        "{\"version\":1}",
        "{\"version\":1,\"id\":\"" + ID + "\",\"status\":\"active\",\"backup_dir\":\".kb/staging/j-" + ID + "\",\"docs\":[]}",
        "{\"version\":7,\"id\":\"" + ID + "\",\"status\":\"active\",\"backup_dir\":\".kb/staging/j-" + ID
                + "\",\"entries\":[],\"docs\":[]}",
        "{\"version\":1,\"id\":\"" + ID + "\",\"status\":\"half-done\",\"backup_dir\":\".kb/staging/j-" + ID
                + "\",\"entries\":[],\"docs\":[]}",
        "{\"version\":1,\"id\":\"someone-else\",\"status\":\"active\",\"backup_dir\":\".kb/staging/j-x\",\"entries\":[],\"docs\":[]}",
        "TARGET:../x",
        "TARGET:../../etc/passwd",
        "TARGET:/etc/passwd",
        "TARGET:.kb/registry.db",
        "TARGET:raw/../.kb/registry.db",
        "TARGET:wiki/index.md",
        "BACKUP_ESCAPE:../outside",
        "BACKUP_DIR_ESCAPE:/tmp",
    })
    void unreadableJournalIsQuarantinedNotDeletedAndTheKbStaysUsable(String content) throws IOException {
        String text = content;
        if (content.startsWith("TARGET:")) {
            text = journalJson(".kb/staging/j-" + ID, content.substring(7), ".kb/staging/p-x/1.raw", null);
        } else if (content.startsWith("BACKUP_ESCAPE:")) {
            text = journalJson(".kb/staging/j-" + ID, "raw/a.md", ".kb/staging/p-x/1.raw", content.substring(14));
        } else if (content.startsWith("BACKUP_DIR_ESCAPE:")) {
            text = journalJson(content.substring(18), "raw/a.md", ".kb/staging/p-x/1.raw", null);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Path outside = tmp.resolve("x");
            Files.writeString(outside, "not the KB's");
            Files.write(t.kb.journalDir().resolve(ID + ".json"), bytes);

            Recovery.Report r = t.recover();

            assertEquals(1, r.quarantined());
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()));
            List<String> q = TestKb.list(t.kb.quarantineDir());
            assertEquals(1, q.size(), q.toString());
            assertTrue(q.get(0).startsWith(ID + ".json."), q.toString());
            assertArrayEquals(bytes, Files.readAllBytes(t.kb.quarantineDir().resolve(q.get(0))), "content preserved");
            assertEquals(1, t.warnings.size(), t.warnings.toString());
            assertTrue(t.warnings.get(0).contains("unreadable") && t.warnings.get(0).contains(".kb/quarantine/"),
                    t.warnings.get(0));
            assertEquals("not the KB's", Files.readString(outside), "nothing outside the KB is touched");
            assertTrue(Files.isRegularFile(t.kb.registryFile()) && Files.isRegularFile(t.kb.indexFile()));

            // the KB is usable: a later add works and a second recovery has nothing to do
            List<Outcome> out = t.add(t.doc("/in/a.md", "a", "alpha"));
            assertEquals(Outcome.Status.ADDED, out.get(0).status());
            assertFalse(t.recover().didSomething());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * A journal that names no escaping path but whose backup folder is not its own (the KB root,
     * raw/) must not drive a rollback: discarding "its backups" would delete the documents.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", ".", "raw", "wiki", ".kb/staging/j-someone-else"})
    void journalWhoseBackupFolderIsNotItsOwnIsQuarantined(String backupDir) throws IOException {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State before = t.state();
            String json = """
                    {"version":1,"id":"%s","status":"active","created":null,"command":"kb add",
                     "backup_dir":"%s","entries":[],"docs":[]}
                    """.formatted(ID, backupDir);
            Files.writeString(t.kb.journalDir().resolve(ID + ".json"), json);

            Recovery.Report r = t.recover();

            assertEquals(1, r.quarantined(), t.warnings.toString());
            assertEquals(before, t.state());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * Quarantining a journal moves two things, its backups and itself. A crash at any step of it
     * (in particular between the two moves) and a second recovery must leave the backups' bytes,
     * possibly the only copy of a replaced document, under .kb/quarantine/: the sweep of
     * .kb/staging/ must never take them for an orphan and delete them.
     */
    @ParameterizedTest
    @EnumSource(FailingFileOps.Mode.class)
    void quarantineCutShortAtAnyStepNeverLosesTheBackups(FailingFileOps.Mode mode) throws IOException {
        byte[] old = "the only copy of the replaced document".getBytes(StandardCharsets.UTF_8);
        byte[] journal = "this is not JSON {".getBytes(StandardCharsets.UTF_8);
        boolean cutBetweenTheMoves = false;
        boolean reached = true;
        for (int n = 1; reached; n++) {
            try (TestKb t = TestKb.create(tmp.resolve(mode + "-" + n))) {
                Path backups = Files.createDirectories(t.kb.stagingDir().resolve(Sweeper.backupDirName(ID)));
                Files.write(backups.resolve("0"), old);
                Path journalFile = t.kb.journalDir().resolve(ID + ".json");
                Files.write(journalFile, journal);

                FailingFileOps ops = new FailingFileOps(FileOps.REAL, n, mode);
                try {
                    new Recovery(t.kb, t.registry, ops, t.hooks(ops), t.warnings::add).run(t.lock);
                } catch (KbException e) {
                    assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
                }
                reached = ops.reached();
                cutBetweenTheMoves |= Files.exists(journalFile) && !Files.exists(backups);
                String where = "N=" + n + " " + ops.log();

                t.recover();
                t.recover();

                assertEquals(List.of(), TestKb.list(t.kb.journalDir()), where);
                assertEquals(1, filesUnder(t.kb.quarantineDir(), old), "the backup's bytes at " + where);
                assertEquals(1, filesUnder(t.kb.quarantineDir(), journal), "the journal's bytes at " + where);
                t.closeStaging();
                t.assertAtRest();
            }
        }
        assertTrue(cutBetweenTheMoves, "some N must stop the quarantine between its two moves");
    }

    /**
     * The same against a power cut, which no exception shows: the backups' move must be durable in
     * both directories before the journal moves, or the cut can keep the journal's rename and undo
     * the backups', leaving them in .kb/staging/ owned by nothing.
     */
    @Test
    void quarantinedBackupsAreDurableBeforeTheJournalMoves() throws IOException {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Path backups = Files.createDirectories(t.kb.stagingDir().resolve(Sweeper.backupDirName(ID)));
            Files.writeString(backups.resolve("0"), "old");
            Path journalFile = t.kb.journalDir().resolve(ID + ".json");
            Files.writeString(journalFile, "this is not JSON {");

            RecordingFileOps ops = new RecordingFileOps(FileOps.REAL);
            assertEquals(1, new Recovery(t.kb, t.registry, ops, t.hooks(ops), t.warnings::add).run(t.lock).quarantined());

            List<RecordingFileOps.Call> calls = ops.calls();
            int backupsMoved = indexOf(calls, "move", RecordingFileOps.norm(backups), 0);
            int journalMoved = indexOf(calls, "move", RecordingFileOps.norm(journalFile), 0);
            assertTrue(backupsMoved >= 0 && backupsMoved < journalMoved, calls.toString());
            for (Path dir : List.of(t.kb.stagingDir(), t.kb.quarantineDir())) {
                int synced = indexOf(calls, "fsyncDirectory", RecordingFileOps.norm(dir), backupsMoved);
                assertTrue(synced > backupsMoved && synced < journalMoved, dir + " not synced in between: " + calls);
            }
            for (Path dir : List.of(t.kb.journalDir(), t.kb.quarantineDir())) {
                assertTrue(indexOf(calls, "fsyncDirectory", RecordingFileOps.norm(dir), journalMoved) > journalMoved,
                        dir + " not synced after the journal's move: " + calls);
            }
            assertTrue(t.warnings.get(0).contains(".backups"), "the warning says where the backups went: " + t.warnings);
        }
    }

    private static int indexOf(List<RecordingFileOps.Call> calls, String op, Path path, int from) {
        for (int i = from; i < calls.size(); i++) {
            if (calls.get(i).op().equals(op) && calls.get(i).path().equals(path)) {
                return i;
            }
        }
        return -1;
    }

    /** How many files under {@code dir} hold exactly {@code bytes}. */
    private static long filesUnder(Path dir, byte[] bytes) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Arrays.equals(bytes, Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }

    /** Stages, journals and publishes one new document the way the coordinator does, up to (not including) the commit. */
    private Journal publishWithoutCommit(TestKb t, Prepared p, String id) throws IOException {
        String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
        Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add (test)", backupDir,
                List.of(new Journal.Entry(t.kb.relative(p.stagedRaw()), "raw/a.md", null),
                        new Journal.Entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", null)),
                List.of(new Journal.Doc("a", "add", p.title(), p.sourceUri())));
        new JournalStore(t.kb, FileOps.REAL).write(j);
        new Publisher(t.kb, FileOps.REAL).publish(j);
        return j;
    }

    private static DocumentRow row(Prepared p) {
        String now = Instant.now().toString();
        return new DocumentRow("a", p.sha256(), "raw/a.md", "wiki/sources/a.md", p.sourceUri(), p.type(), p.title(),
                p.size(), now, now, null, null);
    }

    @Test
    void journalWhoseIdIsInCommitsIsFinishedAndLoggedExactlyOnce() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p))); // crash right after the commit point
            TestKb.State committed = t.state();

            Recovery.Report r = t.recover();
            assertEquals(1, r.finished());
            assertEquals(0, r.rolledBack());
            assertEquals(committed, t.state(), "a committed journal's files are kept");
            assertTrue(Files.isRegularFile(t.file("raw/a.md")));
            assertEquals(1, t.logLines("- added [[a]]"));
            assertTrue(t.read("wiki/index.md").contains("[[a]]"));
            assertFalse(t.registry.isCommitted(id), "the finished id is forgotten");

            assertFalse(t.recover().didSomething());
            assertEquals(1, t.logLines("- added [[a]]"), "a second recovery does not log again");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void committedJournalIsKeptUntilItsLogBlockCanBeWritten() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p))); // crash right after the commit point
            String log = t.read("wiki/log.md");
            Files.delete(t.file("wiki/log.md"));
            Files.createDirectory(t.file("wiki/log.md")); // appending to it fails

            Set<String> tried = new HashSet<>();
            Recovery.Report r = new Recovery(t.kb, t.registry, FileOps.REAL, t.hooks(FileOps.REAL), t.warnings::add,
                    tried).run(t.lock);
            assertEquals(0, r.finished(), "kept, not finished");
            assertEquals(1, r.kept().size());
            assertTrue(r.kept().get(0).startsWith("journal " + id + ": "), r.kept().toString());
            assertTrue(Files.isRegularFile(t.kb.journalDir().resolve(id + ".json")), "journal kept");
            assertTrue(t.registry.isCommitted(id));
            assertEquals(1, t.warnings.size(), t.warnings.toString());
            assertTrue(t.warnings.get(0).contains(id) && t.warnings.get(0).contains("kept"), t.warnings.toString());
            assertTrue(Files.isRegularFile(t.file("raw/a.md")), "the committed document stays");

            // later recoveries of the same run neither retry nor warn again
            Recovery.Report again = new Recovery(t.kb, t.registry, FileOps.REAL, t.hooks(FileOps.REAL),
                    t.warnings::add, tried).run(t.lock);
            assertEquals(1, again.kept().size());
            assertEquals(1, t.warnings.size(), t.warnings.toString());

            Files.delete(t.file("wiki/log.md"));
            Files.writeString(t.file("wiki/log.md"), log);
            assertEquals(1, t.recover().finished());
            assertEquals(1, t.logLines("- added [[a]]"), "the log block is written once it can be");
            assertFalse(Files.exists(t.kb.journalDir().resolve(id + ".json")));
            assertFalse(t.registry.isCommitted(id));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aLogBlockCutShortIsWrittenAgainWhole() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p)));
            // the append stopped after the heading (a full disk): the block's document line is missing
            Files.writeString(t.file("wiki/log.md"), "## 2026-01-01T00:00:00Z kb add (test) · journal " + id + "\n\n",
                    java.nio.file.StandardOpenOption.APPEND);

            assertEquals(1, t.recover().finished());
            assertEquals(1, t.logLines("- added [[a]]"), "the block is whole in the log");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void crashAfterTheHooksRanDoesNotLogTwice() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            Journal j = publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p)));
            new JournalStore(t.kb, FileOps.REAL).write(j.committed());
            t.hooks(FileOps.REAL).afterCommit(j.committed(), false); // crash at "hooks-done"
            assertEquals(1, t.logLines("- added [[a]]"));

            assertEquals(1, t.recover().finished());
            assertEquals(1, t.recover().finished() + 1, "nothing left for a second run");
            assertEquals(1, t.logLines("- added [[a]]"));
            assertEquals(1, t.read("wiki/index.md").lines().filter(l -> l.contains("[[a]]")).count());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void journalWhoseIdIsNotInCommitsIsRolledBack() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State before = t.state();
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            publishWithoutCommit(t, p, UUID.randomUUID().toString()); // crash before the commit point
            assertTrue(Files.isRegularFile(t.file("raw/a.md")));

            Recovery.Report r = t.recover();
            assertEquals(0, r.finished());
            assertEquals(1, r.rolledBack());
            assertEquals(before, t.state());
            assertEquals(0, t.logLines("- added [[a]]"));
            assertFalse(t.registry.bySourceUri("/in/a.md").isPresent());
            assertFalse(t.recover().didSomething(), "rollback is complete after one run");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void rollbackOfAnUpdateRestoresTheOldFilesFromTheBackups() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha v1"));
            TestKb.State before = t.state();
            Prepared p = t.doc("/in/a.md", "a", "alpha v2");
            String id = UUID.randomUUID().toString();
            String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
            Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add", backupDir,
                    List.of(new Journal.Entry(t.kb.relative(p.stagedRaw()), "raw/a.md", backupDir + "/0"),
                            new Journal.Entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", backupDir + "/1")),
                    List.of(new Journal.Doc("a", "update", "a", "/in/a.md")));
            new JournalStore(t.kb, FileOps.REAL).write(j);
            new Publisher(t.kb, FileOps.REAL).publish(j);
            assertEquals("alpha v2", t.read("raw/a.md"));

            assertEquals(1, t.recover().rolledBack());
            assertEquals(before, t.state());
            assertEquals("alpha v1", t.read("raw/a.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }
}
