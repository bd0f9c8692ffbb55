package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.journal.FileDocumentStore;
import dev.kb.core.journal.Journal;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kb remove}'s planning and what it leaves behind: which document each target names, what
 * a group does with targets that name nothing or name one document twice, the log and index, and
 * the recovery of remove journals (and of version-1 journals, which cannot hold a remove).
 */
class RemovePlannerTest {
    /** What a commit made by hand here tells the history. */
    static final CommitNote TEST_NOTE = new CommitNote("add (test)", 1, 0, 0, 0);


    @TempDir
    Path tmp;

    private static RemovePlanner.Target target(String arg) {
        return RemovePlanner.Target.of(arg, Path.of("/"));
    }

    /** One {@code kb remove} command: its own writer session, one group. */
    private static List<Outcome> remove(TestKb t, RemovePlanner.Target... targets) {
        try (WriterSession s = WriterSession.open(t.storage(FileOps.REAL), Duration.ZERO, "kb remove",
                new WriterSession.Events() {
                    @Override
                    public void warning(String message) {
                        t.warnings.add(message);
                    }

                    @Override
                    public void waitingForLock(String holder) {
                    }
                })) {
            return s.commit(List.of(targets), new RemovePlanner(t.kb));
        }
    }

    private static Set<String> names(TestKb t) {
        return Set.copyOf(t.rows().stream().map(DocumentRow::docName).toList());
    }

    private static void assertRemoved(Outcome o, String input, String doc) {
        assertEquals(new Outcome(input, Outcome.Status.REMOVED, doc, null, List.of()), o);
    }

    @Test
    void removesByName() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));
            String bravo = t.read("raw/b.md");

            List<Outcome> out = remove(t, target("a"));

            assertEquals(1, out.size());
            assertRemoved(out.get(0), "a", "a");
            assertEquals(Set.of("b"), names(t));
            assertFalse(Files.exists(t.file("raw/a.md")));
            assertFalse(Files.exists(t.file("wiki/sources/a.md")));
            assertEquals(bravo, t.read("raw/b.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /** A source as it was added (a path, a URL, a cloud id), relative to the working directory, or through a link. */
    @Test
    void removesBySource() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            Path real = Files.createDirectories(tmp.resolve("in")).toRealPath().resolve("d.md");
            Files.writeString(real, "delta");
            Path link = Files.createSymbolicLink(tmp.resolve("link.md"), real);
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"),
                    t.doc("https://example.com/c", "c", "charlie"), t.doc(real.toString(), "d", "delta"),
                    t.cloudDoc("doc-e", "e", "echo"), t.doc("/in/keep.md", "keep", "keep"));

            List<Outcome> out = remove(t, target("/in/a.md"), RemovePlanner.Target.of("b.md", Path.of("/in")),
                    target("https://example.com/c"), RemovePlanner.Target.of("link.md", link.getParent()),
                    target("pageindex-cloud:doc-e"));

            assertRemoved(out.get(0), "/in/a.md", "a");
            assertRemoved(out.get(1), "b.md", "b");
            assertRemoved(out.get(2), "https://example.com/c", "c");
            assertRemoved(out.get(3), "link.md", "d");
            assertRemoved(out.get(4), "pageindex-cloud:doc-e", "e");
            assertEquals(Set.of("keep"), names(t));
            assertFalse(Files.exists(t.file("wiki/sources/e.tree.json")), "the cloud document's tree goes with it");
            assertEquals("delta", Files.readString(real), "the file it was added from is not the KB's");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aTargetNotInTheKbFailsAloneWhileTheRestOfTheGroupIsRemoved() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"), t.doc("/in/c.md", "c", "charlie"));

            List<Outcome> out = remove(t, target("a"), target("nope"), target("b"));

            assertEquals(3, out.size());
            assertRemoved(out.get(0), "a", "a");
            assertEquals(Outcome.Status.FAILED, out.get(1).status());
            assertEquals("nope", out.get(1).input());
            assertNull(out.get(1).doc());
            assertTrue(out.get(1).reason().startsWith("not in the knowledge base"), out.get(1).reason());
            assertRemoved(out.get(2), "b", "b");
            assertEquals(Set.of("c"), names(t));
            assertEquals(1, t.logLines("- removed a from `/in/a.md`"));
            assertEquals(1, t.logLines("- removed b from `/in/b.md`"));
            assertEquals(0, t.logLines("- removed nope"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void theSameDocumentNamedTwiceInOneGroupIsRemovedOnce() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));

            List<Outcome> out = remove(t, target("a"), target("/in/a.md"));

            assertRemoved(out.get(0), "a", "a");
            assertEquals(Outcome.skipped("/in/a.md", "a", "given more than once"), out.get(1));
            assertEquals(Set.of("b"), names(t));
            assertEquals(1, t.logLines("- removed a "), t.read("wiki/log.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aDocumentRemovedByOneCommandIsNotInTheKbForTheNext() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));

            assertRemoved(remove(t, target("a")).get(0), "a", "a");
            TestKb.State afterFirst = t.state();
            String log = t.read("wiki/log.md");
            Outcome second = remove(t, target("a")).get(0);

            assertEquals(Outcome.Status.FAILED, second.status());
            assertTrue(second.reason().startsWith("not in the knowledge base"), second.reason());
            assertEquals(afterFirst, t.state());
            assertEquals(log, t.read("wiki/log.md"), "a remove that removed nothing logs nothing");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void theLogGetsARemovedBlockAndTheIndexLosesTheLine() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));
            assertEquals(Set.of("a", "b"), RemoveFaultInjectionTest.indexed(t));
            String logBefore = t.read("wiki/log.md");

            remove(t, target("a"));

            String log = t.read("wiki/log.md");
            assertTrue(log.startsWith(logBefore), "the log only grows:\n" + log);
            List<String> block = log.substring(logBefore.length()).lines().toList();
            assertEquals(4, block.size(), block.toString());
            assertTrue(block.get(0).startsWith("## ") && block.get(0).contains(" kb remove · journal "), block.get(0));
            assertEquals(List.of("", "- removed a from `/in/a.md`", ""), block.subList(1, 4),
                    "a removed document is named without a link to its page, which is gone");
            assertEquals(1, t.logLines("- added [[a]]"), "the add stays in the history");
            assertEquals(Set.of("b"), RemoveFaultInjectionTest.indexed(t));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * The writer died right after the commit point of a remove: the row is gone, the retired files
     * sit in the journal's backups, the journal is still active and the log and index know nothing.
     * Recovery finds the id in the registry and finishes it.
     */
    @Test
    void aRemoveJournalLeftRightAfterTheCommitPointIsFinishedByRecovery() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.cloudDoc("doc-a", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));
            String id = UUID.randomUUID().toString();
            String backupDir = t.kb.relative(t.kb.stagingDir().resolve(Sweeper.backupDirName(id)));
            FileDocumentStore documents = new FileDocumentStore(t.kb, FileOps.REAL);
            Plan plan = new Plan(t.registry, documents, id, backupDir);
            assertRemoved(new RemovePlanner(t.kb).plan(List.of(target("a")), plan).get(0), "a", "a");
            Mutation m = plan.build(Instant.now().toString(), "kb remove", t.kb.relative(t.staging().dir()));
            new JournalStore(t.kb, FileOps.REAL).write(m.journal());
            documents.publish(m.journal());
            t.registry.commit(id, m.upserts(), m.removals(), m.note()); // the crash comes right after this

            Journal onDisk = Journal.parse(Files.readAllBytes(t.kb.journalDir().resolve(id + ".json")));
            assertEquals(2, onDisk.version());
            assertEquals(Journal.ACTIVE, onDisk.status());
            assertEquals(List.of("remove"), onDisk.docs().stream().map(Journal.Doc::action).toList());
            assertFalse(Files.exists(t.file("wiki/sources/a.md")), "retired: parked in the backups");
            assertTrue(RemoveFaultInjectionTest.indexed(t).contains("a"), "the index is not updated yet");
            t.closeStaging(); // the writer is gone
            TestKb.State committed = t.state();

            Recovery.Report r = t.recover();

            assertEquals(1, r.finished(), t.warnings.toString());
            assertEquals(0, r.rolledBack());
            assertEquals(committed, t.state(), "finishing restores nothing");
            assertEquals(Set.of("b"), names(t));
            assertEquals(1, t.logLines("- removed a from `pageindex-cloud:doc-a`"));
            assertEquals(Set.of("b"), RemoveFaultInjectionTest.indexed(t));
            assertFalse(t.registry.isCommitted(id), "the finished id is forgotten");
            assertFalse(t.recover().didSomething());
            assertEquals(1, t.logLines("- removed a from `pageindex-cloud:doc-a`"), "a second recovery logs nothing");
            t.assertAtRest();
        }
    }

    /** A version-1 journal, as the kb before removes wrote it: {@code entries} and {@code docs} filled in. */
    private static String version1(String id, String status, String entries, String docs) {
        return """
                {
                  "version" : 1,
                  "id" : "%s",
                  "status" : "%s",
                  "created" : "2026-01-01T00:00:00Z",
                  "command" : "kb add",
                  "backup_dir" : ".kb/staging/j-%s",
                  "entries" : [ %s ],
                  "docs" : [ %s ]
                }
                """.formatted(id, status, id, entries, docs);
    }

    private static String entry(String staged, String target, String backup) {
        return "{ \"staged\" : " + quoted(staged) + ", \"target\" : " + quoted(target) + ", \"backup\" : "
                + quoted(backup) + " }";
    }

    private static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    private static Journal writeJournal(TestKb t, String id, String json) throws Exception {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Files.write(t.kb.journalDir().resolve(id + ".json"), bytes);
        return Journal.parse(bytes);
    }

    /** An add of the version before removes, cut short after publishing: still rolled back. */
    @Test
    void aVersion1AddJournalCutShortBeforeTheCommitIsRolledBack() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State before = t.state();
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            String id = UUID.randomUUID().toString();
            Journal j = writeJournal(t, id, version1(id, "active",
                    entry(t.kb.relative(p.stagedRaw()), "raw/a.md", null) + ", "
                            + entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", null),
                    "{ \"name\" : \"a\", \"action\" : \"add\", \"title\" : \"a\", \"source\" : \"/in/a.md\" }"));
            assertEquals(1, j.version());
            assertNull(j.writer(), "version 1 names no writer");
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            assertTrue(Files.exists(t.file("raw/a.md")));

            Recovery.Report r = t.recover();

            assertEquals(1, r.rolledBack(), t.warnings.toString());
            assertEquals(0, r.quarantined());
            assertEquals(before, t.state());
            assertEquals(0, t.logLines("- added [[a]]"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /** An update of the version before removes whose id is committed: still finished, and logged once. */
    @Test
    void aVersion1UpdateJournalWhoseIdIsCommittedIsFinished() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha v1"));
            DocumentRow old = t.registry.byName("a").orElseThrow();
            Prepared p = t.doc("/in/a.md", "a", "alpha v2");
            String id = UUID.randomUUID().toString();
            String backups = ".kb/staging/j-" + id;
            Journal j = writeJournal(t, id, version1(id, "active",
                    entry(t.kb.relative(p.stagedRaw()), "raw/a.md", backups + "/0") + ", "
                            + entry(t.kb.relative(p.stagedSource()), "wiki/sources/a.md", backups + "/1"),
                    "{ \"name\" : \"a\", \"action\" : \"update\", \"title\" : \"a\", \"source\" : \"/in/a.md\" }"));
            new FileDocumentStore(t.kb, FileOps.REAL).publish(j);
            t.registry.commit(id, List.of(new DocumentRow("a", p.sha256(), old.rawPath(), old.sourcePath(),
                    old.sourceUri(), old.type(), old.title(), p.size(), old.addedAt(), Instant.now().toString(),
                    null, null)), List.of(), TEST_NOTE);

            Recovery.Report r = t.recover();

            assertEquals(1, r.finished(), t.warnings.toString());
            assertEquals(0, r.quarantined());
            assertEquals("alpha v2", t.read("raw/a.md"));
            assertEquals(1, t.logLines("- updated [[a]]"));
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * A version-1 journal cannot hold a remove: a kb that reads only version 1 would log it as an
     * update and keep its index line, so one that says "remove" is not ours to trust. It is
     * quarantined, and nothing it names is touched.
     */
    @Test
    void aVersion1JournalWithActionRemoveIsQuarantined() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"));
            TestKb.State before = t.state();
            String id = UUID.randomUUID().toString();
            String json = version1(id, "committed", entry(null, "raw/a.md", ".kb/staging/j-" + id + "/0"),
                    "{ \"name\" : \"a\", \"action\" : \"remove\", \"title\" : \"a\", \"source\" : \"/in/a.md\" }");
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            Journal.CorruptJournalException e = assertThrows(Journal.CorruptJournalException.class,
                    () -> Journal.parse(bytes));
            assertEquals("unknown action 'remove' in a version 1 journal", e.getMessage());
            Files.write(t.kb.journalDir().resolve(id + ".json"), bytes);
            String log = t.read("wiki/log.md");

            Recovery.Report r = t.recover();

            assertEquals(1, r.quarantined());
            assertEquals(0, r.finished() + r.rolledBack());
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()));
            List<String> q = TestKb.list(t.kb.quarantineDir());
            assertEquals(1, q.size(), q.toString());
            assertTrue(q.get(0).startsWith(id + ".json."), q.toString());
            assertEquals(json, Files.readString(t.kb.quarantineDir().resolve(q.get(0))), "kept as it was");
            assertTrue(t.warnings.stream().anyMatch(w -> w.contains("unreadable")
                    && w.contains("unknown action 'remove' in a version 1 journal")), t.warnings.toString());
            assertEquals(before, t.state(), "nothing it names is touched");
            assertEquals(log, t.read("wiki/log.md"), "nothing is logged for it");
            assertEquals(Set.of("a"), RemoveFaultInjectionTest.indexed(t));
            t.closeStaging();
            t.assertAtRest();
        }
    }
}
