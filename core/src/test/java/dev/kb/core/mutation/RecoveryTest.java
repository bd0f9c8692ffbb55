package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.fs.ChildJvm;
import dev.kb.core.fs.FailingFileOps;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.ForwardingFileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.RecordingFileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.journal.FileDocumentStore;
import dev.kb.core.journal.Journal;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.staging.LiveWriterMain;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecoveryTest {
    /** What a commit made by hand here tells the history. */
    static final CommitNote TEST_NOTE = new CommitNote("add (test)", 1, 0, 0, 0);


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
                List.of(new Journal.Doc("a", "add", p.title(), p.sourceUri(), true)));
        new JournalStore(t.kb, FileOps.REAL).write(j);
        new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
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
            t.registry.commit(id, List.of(row(p)), List.of(), TEST_NOTE); // crash right after the commit point
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

    /**
     * The journal's id was forgotten after the commit, and a crash then lost the journal's
     * deletion: the journal is back, marked committed, with no id in the registry. Its documents
     * are committed; undoing it would delete their files under rows that stay.
     */
    @Test
    void journalMarkedCommittedIsNeverRolledBackEvenWithoutItsId() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            Journal j = publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p)), List.of(), TEST_NOTE);
            new JournalStore(t.kb, FileOps.REAL).write(j.committed());
            t.hooks(FileOps.REAL).afterCommit(j.committed(), false);
            t.registry.forgetCommits(List.of(id)); // the journal's deletion did not survive
            TestKb.State committed = t.state();

            Recovery.Report r = t.recover();
            assertEquals(1, r.finished());
            assertEquals(0, r.rolledBack());
            assertEquals(committed, t.state());
            assertEquals("alpha", t.read("raw/a.md"));
            assertEquals(1, t.logLines("- added [[a]]"));
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
            t.registry.commit(id, List.of(row(p)), List.of(), TEST_NOTE); // crash right after the commit point
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

    /**
     * Real file operations, except that the first {@code tears} appends to wiki/log.md write only
     * the start of their bytes (up to {@code cut}) and then fail, as on a full disk; a SIGKILL
     * mid-write leaves the same bytes behind.
     */
    private static final class TearingLogOps extends ForwardingFileOps {
        private final Path log;
        private final ToIntFunction<String> cut;
        private int tears;
        /** The block of the first append, as the hook meant to write it. */
        String intended;
        /** What the first torn append left in the log. */
        String fragment;

        TearingLogOps(Path log, int tears, ToIntFunction<String> cut) {
            super(FileOps.REAL);
            this.log = log;
            this.tears = tears;
            this.cut = cut;
        }

        @Override
        public void append(Path file, byte[] data) throws IOException {
            if (!file.equals(log) || tears == 0) {
                FileOps.REAL.append(file, data);
                return;
            }
            tears--;
            String text = new String(data, StandardCharsets.UTF_8);
            int at = cut.applyAsInt(text);
            assertTrue(at > 0 && at < data.length, "the cut falls inside the block: " + at);
            if (intended == null) {
                intended = text;
                fragment = new String(data, 0, at, StandardCharsets.UTF_8);
            }
            FileOps.REAL.append(file, Arrays.copyOf(data, at));
            throw new IOException("No space left on device");
        }
    }

    /** A cut {@code plus} bytes after the first {@code text} in the block, counted in UTF-8 bytes. */
    private static ToIntFunction<String> at(String text, int plus) {
        return block -> {
            int i = block.indexOf(text);
            assertTrue(i >= 0, text + " not in " + block);
            return block.substring(0, i).getBytes(StandardCharsets.UTF_8).length + plus;
        };
    }

    /** Where a torn append of a three-document block can stop: inside every part of it. */
    static Stream<Arguments> cuts() {
        Map<String, ToIntFunction<String>> cuts = new LinkedHashMap<>();
        cuts.put("after '#'", at("## ", 1));
        cuts.put("inside the instant", at("## ", 9));
        cuts.put("inside the command", at(" kb add", 4));
        cuts.put("inside the middle dot", at("·", 1));
        cuts.put("inside the journal id", at("journal ", 20));
        cuts.put("before the heading's newline", at("journal ", 8 + 36));
        cuts.put("after the heading line", at("journal ", 8 + 37));
        cuts.put("after the blank line", at("- added [[a]]", 0));
        cuts.put("inside a document line", at("- added [[a]]", 5));
        cuts.put("inside a non-ASCII name", at("é]]", 1));
        cuts.put("before the last document line", at("- added [[z]]", 0));
        cuts.put("before the last line's newline", at("`/in/z.md`", 10));
        List<Arguments> out = new ArrayList<>();
        cuts.forEach((name, cut) -> {
            out.add(Arguments.of(name, cut, 1));
            out.add(Arguments.of(name, cut, 2));
        });
        return out.stream();
    }

    /** The log from {@code logBefore} on, with every block heading's instant replaced by a placeholder. */
    private static String blocksAfter(String logBefore, String log) {
        assertTrue(log.startsWith(logBefore), "the log before the add is kept:\n" + log);
        return log.substring(logBefore.length()).replaceAll("(?m)^## \\S+ ", "## <instant> ");
    }

    /**
     * An append cut short leaves the start of a block at the end of the log. With {@code tears}
     * = 1 the coordinator's own repair mends it; with 2 that repair is cut short too (after taking
     * the first fragment off), the journal is kept, and recovery mends it. Either way the log ends
     * with the block exactly once, whole, and no piece of it anywhere.
     */
    @ParameterizedTest(name = "[{index}] cut {0}, torn {2}x")
    @MethodSource("cuts")
    void aLogBlockCutShortIsWrittenAgainWholeAndThePieceRemoved(String where, ToIntFunction<String> cut, int tears)
            throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/old.md", "old", "already there"));
            String logBefore = t.read("wiki/log.md");
            TearingLogOps ops = new TearingLogOps(t.kb.logFile(), tears, cut);

            List<Outcome> out = t.coordinator(ops).commit(t.lock, List.of(t.doc("/in/a.md", "a", "alpha"),
                    t.doc("/in/café.md", "café", "crème"), t.doc("/in/z.md", "z", "zulu")));
            assertEquals(List.of(Outcome.Status.ADDED, Outcome.Status.ADDED, Outcome.Status.ADDED),
                    out.stream().map(Outcome::status).toList());
            assertEquals(tears - 1, t.warnings.size(), t.warnings.toString());
            if (tears > 1) {
                // the kept journal's repair is still to come: the log holds one piece, no more (read
                // leniently, the piece may end inside a character)
                String piece = new String(Files.readAllBytes(t.kb.logFile()), StandardCharsets.UTF_8);
                assertEquals(blocksAfter(logBefore, logBefore + ops.fragment), blocksAfter(logBefore, piece));
                assertEquals(1, t.recover().finished());
            }

            String expected = blocksAfter("", ops.intended);
            assertEquals(expected, blocksAfter(logBefore, t.read("wiki/log.md")), "cut " + where);
            assertEquals(1, t.logLines("- added [[café]]"));
            assertFalse(t.recover().didSomething());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * When a later group's block was appended after the piece (the repair of the torn group failed
     * and the batch went on), cutting at the piece would take that block with it: the piece stays,
     * the later block is kept byte for byte, and the whole block follows.
     */
    @Test
    void aPieceWithAnotherBlockAfterItIsLeftAndNothingOfThatBlockIsLost() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            String logBefore = t.read("wiki/log.md");
            TearingLogOps ops = new TearingLogOps(t.kb.logFile(), 2, at("- added [[b]]", 5));
            TestKb.Adder batch = t.coordinator(ops);
            batch.commit(t.lock, List.of(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo")));
            assertEquals(1, t.warnings.size(), "the journal is kept: " + t.warnings);
            // the next group of the same batch: logged after the piece, the kept journal not retried
            batch.commit(t.lock, List.of(t.doc("/in/c.md", "c", "charlie")));
            String logWithLater = t.read("wiki/log.md");
            assertTrue(logWithLater.startsWith(logBefore + ops.fragment + "\n## "), logWithLater);

            assertEquals(1, t.recover().finished());

            String log = t.read("wiki/log.md");
            assertTrue(log.startsWith(logWithLater), "nothing before the repair is removed:\n" + log);
            assertEquals(blocksAfter("", ops.intended), blocksAfter(logWithLater, log));
            assertEquals(1, t.logLines("- added [[c]]"));
            assertEquals(1, t.logLines("- added [[b]]"));
            assertEquals(2, t.logLines("- added [[a]]"), "the piece keeps its copy of a's line");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /** A last line without a newline that cannot be the start of the block is not the repair's to cut. */
    @ParameterizedTest
    @ValueSource(strings = {"my own note", "## my own heading", "## 2026-01-01T00:00:00Z other command · journal x",
        "- added [[a]] from `/in/a.md`"})
    void aRepairNeverCutsALastLineThatIsNotItsOwn(String lastLine) throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            publishWithoutCommit(t, p, id);
            t.registry.commit(id, List.of(row(p)), List.of(), TEST_NOTE); // crash right after the commit point
            Files.writeString(t.file("wiki/log.md"), lastLine, StandardOpenOption.APPEND);
            String logBefore = t.read("wiki/log.md");

            assertEquals(1, t.recover().finished());

            String log = t.read("wiki/log.md");
            assertTrue(log.startsWith(logBefore + "\n## "), log);
            assertEquals("## <instant> kb add (test) · journal " + id + "\n\n- added [[a]] from `/in/a.md`\n\n",
                    blocksAfter(logBefore + "\n", log));
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
            t.registry.commit(id, List.of(row(p)), List.of(), TEST_NOTE);
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
                    List.of(new Journal.Doc("a", "update", "a", "/in/a.md", false)));
            new JournalStore(t.kb, FileOps.REAL).write(j);
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            assertEquals("alpha v2", t.read("raw/a.md"));

            assertEquals(1, t.recover().rolledBack());
            assertEquals(before, t.state());
            assertEquals("alpha v1", t.read("raw/a.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * Another kb process whose staging area holds document "a" (raw bytes {@code body}), and a
     * journal of that process publishing it, written and published as it would be mid-commit.
     */
    private record OtherWriter(ChildJvm process, Journal journal) {
        static OtherWriter midCommit(TestKb t, String id, String body) throws IOException {
            ChildJvm child = ChildJvm.start(LiveWriterMain.class, t.kb.root().toString(), body);
            String[] staged = child.readLine().split(" ");
            assertEquals("staged", staged[0]);
            String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
            Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add (other)",
                    backupDir, List.of(new Journal.Entry(staged[1], "raw/a.md", null),
                            new Journal.Entry(staged[2], "wiki/sources/a.md", null)),
                    List.of(new Journal.Doc("a", "add", "a", "/in/a.md", true)));
            new JournalStore(t.kb, FileOps.REAL).write(j);
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            return new OtherWriter(child, j);
        }
    }

    /**
     * The defect: with {@code .kb/ingest.lock} removed by hand, this process got a lock of its own
     * while another writer was mid-commit; rolling that writer's journal back removed the files its
     * registry rows were about to point at. Now recovery stops, and changes nothing at all, not even
     * a journal it could safely undo (with two writers at work no decision is safe).
     */
    @Test
    @Timeout(60)
    void anUncommittedJournalOfAWriterStillRunningIsNeverRolledBack() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State atRest = t.state();
            // a journal of this process, sorting first: it would be rolled back before the other is seen
            Prepared mine = t.doc("/in/b.md", "b", "bravo");
            String ownId = "00000000-0000-4000-8000-000000000000";
            String ownBackups = ".kb/staging/" + Sweeper.backupDirName(ownId);
            Journal own = new Journal(Journal.FORMAT, ownId, Journal.ACTIVE, Instant.now().toString(), "kb add",
                    ownBackups, List.of(new Journal.Entry(t.kb.relative(mine.stagedRaw()), "raw/b.md", null),
                            new Journal.Entry(t.kb.relative(mine.stagedSource()), "wiki/sources/b.md", null)),
                    List.of(new Journal.Doc("b", "add", "b", "/in/b.md", true)));
            new JournalStore(t.kb, FileOps.REAL).write(own);
            new FileDocumentStore(t.kb, FileOps.REAL).publish(own);
            OtherWriter other = OtherWriter.midCommit(t, "ffffffff-0000-4000-8000-000000000000", "alpha");
            try (ChildJvm process = other.process()) {
                TestKb.State midCommit = t.state();
                List<String> journals = TestKb.list(t.kb.journalDir());
                List<String> staging = TestKb.list(t.kb.stagingDir());
                assertEquals(2, journals.size());

                KbException e = assertThrows(KbException.class, t::recover);
                assertEquals(KbException.Kind.LOCK_BUSY, e.kind());
                assertTrue(e.getMessage().contains("another kb process (pid " + process.pid() + ") is writing to "
                        + t.kb + " although the lock file .kb/ingest.lock was removed"), e.getMessage());
                assertTrue(e.getMessage().contains(other.journal().id()), e.getMessage());
                assertEquals(midCommit, t.state(), "nothing is rolled back");
                assertEquals(journals, TestKb.list(t.kb.journalDir()));
                assertEquals(staging, TestKb.list(t.kb.stagingDir()), "nothing is swept either");
            }
            // the other writer is gone now (as if killed): its journal is a crash's leftover
            Recovery.Report r = t.recover();
            assertEquals(2, r.rolledBack());
            assertEquals(atRest, t.state());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * A committed journal of a process still running is its writer's to finish (it may be doing
     * so right now, and finishing it twice would log its documents twice); it is kept, and
     * finished once that process has ended.
     */
    @Test
    @Timeout(60)
    void aCommittedJournalOfAWriterStillRunningIsLeftToIt() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            String id = UUID.randomUUID().toString();
            OtherWriter other = OtherWriter.midCommit(t, id, "alpha");
            TestKb.State committed;
            try (ChildJvm process = other.process()) {
                String now = Instant.now().toString();
                t.registry.commit(id, List.of(new DocumentRow("a", Hashing.sha256Hex(t.file("raw/a.md")), "raw/a.md",
                        "wiki/sources/a.md", "/in/a.md", "markdown", "a", 5, now, now, null, null)), List.of(), TEST_NOTE);
                committed = t.state();

                Recovery.Report r = t.recover();
                assertEquals(0, r.finished());
                assertEquals(0, r.rolledBack());
                assertEquals(1, r.kept().size(), r.kept().toString());
                assertTrue(r.kept().get(0).startsWith("journal " + id + ": "), r.kept().toString());
                assertTrue(r.kept().get(0).contains("(pid " + process.pid() + ") is still running"), r.kept().toString());
                assertEquals(committed, t.state());
                assertTrue(Files.isRegularFile(t.kb.journalDir().resolve(id + ".json")), "the journal is kept");
                assertEquals(0, t.logLines("- added [[a]]"), "its writer logs it");
            }
            Recovery.Report r = t.recover();
            assertEquals(1, r.finished());
            assertEquals(committed, t.state(), "finishing changes no document file and no row");
            assertEquals(1, t.logLines("- added [[a]]"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * An entry that only retires a file has no staged path, so a journal of only such entries
     * names no staging folder and no writer. kb never writes one (every document publishes its
     * page); it is decided by the registry, as any journal was before.
     */
    @Test
    void aJournalThatOnlyRetiresFilesNamesNoWriterAndIsDecidedByTheRegistry() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"));
            TestKb.State before = t.state();
            String id = UUID.randomUUID().toString();
            String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
            Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, Instant.now().toString(), "kb add", backupDir,
                    List.of(new Journal.Entry(null, "raw/a.md", backupDir + "/0")), List.of());
            new JournalStore(t.kb, FileOps.REAL).write(j);
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            assertFalse(Files.exists(t.file("raw/a.md")));

            assertEquals(1, t.recover().rolledBack());
            assertEquals(before, t.state());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * Without a registry (a rebuild), a journal is decided by what the disk proves: one whose
     * publish had not finished is rolled back; one whose every entry is done may have been
     * committed, so its result stays and the journal goes to quarantine with its backups; one
     * marked committed is left for the recovery that runs on the rebuilt registry.
     */
    @ParameterizedTest(name = "[{index}] published={0} committed={1}")
    @org.junit.jupiter.params.provider.CsvSource({"false,false", "true,false", "true,true"})
    void withoutARegistryAJournalIsDecidedByWhatTheDiskProves(boolean published, boolean committed) throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"));
            byte[] raw = Files.readAllBytes(t.file("raw/a.md"));
            TestKb.State before = t.state();
            String id = UUID.randomUUID().toString();
            String backupDir = ".kb/staging/" + Sweeper.backupDirName(id);
            Journal j = new Journal(Journal.FORMAT, id, committed ? Journal.COMMITTED : Journal.ACTIVE,
                    Instant.now().toString(), "kb remove", backupDir,
                    List.of(new Journal.Entry(null, "raw/a.md", backupDir + "/0")),
                    List.of(new Journal.Doc("a", "remove", "alpha", "/in/a.md", true)));
            new JournalStore(t.kb, FileOps.REAL).write(j);
            if (published) {
                new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            }

            Recovery.Settled s = Recovery.settleWithoutRegistry(t.kb, FileOps.REAL, t.lock, t.warnings::add);

            if (!published) {
                assertEquals(new Recovery.Settled(1, 0, 0), s);
                assertEquals(before, t.state());
                assertEquals(List.of(), TestKb.list(t.kb.journalDir()));
            } else if (!committed) {
                assertEquals(new Recovery.Settled(0, 1, 0), s);
                assertFalse(Files.exists(t.file("raw/a.md")), "its result is kept as published");
                assertEquals(List.of(), TestKb.list(t.kb.journalDir()));
                List<String> q = TestKb.list(t.kb.quarantineDir());
                assertEquals(2, q.size(), "the journal and its backups: " + q);
                Path backups = t.kb.quarantineDir().resolve(q.stream().filter(n -> n.endsWith(".backups")).findFirst()
                        .orElseThrow());
                assertArrayEquals(raw, Files.readAllBytes(backups.resolve("0")), "the removed file is kept");
                assertTrue(t.warnings.get(0).contains("only the lost registry knew"), t.warnings.toString());
            } else {
                assertEquals(new Recovery.Settled(0, 0, 0), s);
                assertEquals(List.of(id + ".json"), TestKb.list(t.kb.journalDir()), "left for the next recovery");
            }
            assertThrows(IllegalStateException.class, () -> new Recovery(t.kb, null, FileOps.REAL, null, m -> { })
                    .run(t.lock), "no registry: only settling");
        }
    }
}
