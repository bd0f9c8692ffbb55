package dev.kb.core.mutation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.ForwardingFileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.name.Names;
import dev.kb.core.store.LockLostException;
import dev.kb.core.store.WriterLock;
import dev.kb.core.wiki.WikiHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddCoordinatorTest {

    @TempDir
    Path tmp;

    @Test
    void identicalContentFromAnotherPathIsSkipped() {
        try (TestKb t = TestKb.create(tmp)) {
            assertEquals(Outcome.Status.ADDED, t.add(t.doc("/in/a.md", "a", "same bytes")).get(0).status());
            Outcome o = t.add(t.doc("/elsewhere/copy.md", "copy", "same bytes")).get(0);
            assertEquals(Outcome.Status.SKIPPED, o.status());
            assertEquals("a", o.doc());
            assertEquals("same content as a", o.reason());
            assertEquals(1, t.rows().size());

            Outcome again = t.add(t.doc("/in/a.md", "a", "same bytes")).get(0);
            assertEquals(Outcome.Status.SKIPPED, again.status());
            assertEquals("unchanged", again.reason());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void samePathWithNewContentIsAnUpdateUnderTheSameName() {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/a.md", "a", "version one"));
            String added = t.registry.byName("a").orElseThrow().addedAt();
            Outcome o = t.add(t.doc("/in/a.md", "a", "version two")).get(0);
            assertEquals(Outcome.Status.UPDATED, o.status());
            assertEquals("a", o.doc());
            assertEquals("version two", t.read("raw/a.md"));
            assertTrue(t.read("wiki/sources/a.md").contains("version two"));
            assertEquals(1, t.rows().size());
            assertEquals(added, t.registry.byName("a").orElseThrow().addedAt(), "an update keeps added_at");
            assertEquals(1, t.logLines("- updated [[a]]"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /**
     * An update keeps its name, so with its title unchanged its index line is already right: the
     * index is left as it is rather than rebuilt from every row (which would make each updating
     * add cost the size of the KB). A line no row gives shows that no rebuild ran.
     */
    @Test
    void anUpdateThatKeepsItsTitleLeavesTheIndexAsItIs() throws IOException {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/a.md", "a", "version one"), t.doc("/in/b.md", "b", "bravo"));
            Files.writeString(t.kb.indexFile(), "- [[by-hand]] — a rebuild from the registry would drop this\n",
                    StandardOpenOption.APPEND);
            byte[] before = Files.readAllBytes(t.kb.indexFile());

            assertEquals(Outcome.Status.UPDATED, t.add(t.doc("/in/a.md", "a", "version two")).get(0).status());
            assertArrayEquals(before, Files.readAllBytes(t.kb.indexFile()));

            // an update and an add in one group: the index only gains the new document's line
            List<Outcome> out = t.add(t.doc("/in/b.md", "b", "bravo two"), t.doc("/in/c.md", "c", "charlie"));
            assertEquals(List.of(Outcome.Status.UPDATED, Outcome.Status.ADDED),
                    out.stream().map(Outcome::status).toList());
            assertEquals(new String(before, StandardCharsets.UTF_8) + "- [[c]]\n", t.read("wiki/index.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void anUpdateThatChangesItsTitleShowsTheNewTitleInTheIndex() {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/a.md", "Alpha", "version one"), t.doc("/in/b.md", "b", "bravo"));
            assertTrue(t.read("wiki/index.md").contains("- [[Alpha]]\n"), t.read("wiki/index.md"));

            // same source, so the same document "Alpha", now with another title
            Outcome o = t.add(t.doc("/in/a.md", "Alpha, revised", "version two")).get(0);
            assertEquals(Outcome.Status.UPDATED, o.status());
            assertEquals("Alpha", o.doc());
            assertEquals(WikiHooks.INDEX_HEADER + "- [[Alpha]] — Alpha, revised\n- [[b]]\n", t.read("wiki/index.md"));
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aSourceWithANewlineOrBidiOverrideIsOneEscapedLogLine() {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/wn/new\nline\u202e.md", "new\nline", "text"));
            List<String> lines = t.read("wiki/log.md").lines().filter(l -> l.startsWith("- ")).toList();
            assertEquals(List.of("- added [[new-line]] from `/in/wn/new\\nline\\u202e.md`"), lines,
                    t.read("wiki/log.md"));
            assertEquals("/in/wn/new\nline\u202e.md", t.registry.byName("new-line").orElseThrow().sourceUri(),
                    "the registry keeps the exact path");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void twoFilesWithTheSameStemGetDistinctNames() {
        try (TestKb t = TestKb.create(tmp)) {
            List<Outcome> out = t.add(t.doc("/one/notes.md", "notes", "first"), t.doc("/two/notes.md", "notes", "second"));
            assertEquals("notes", out.get(0).doc());
            String second = out.get(1).doc();
            assertTrue(second.matches("notes-[0-9a-f]{6}"), second);
            assertEquals(Names.unique("notes", "/two/notes.md", n -> n.equals("notes")), second, "the stable suffix");
            assertEquals("second", t.read("raw/" + second + ".md"));
            // and case-folded: "NOTES" collides with "notes" on macOS and Windows
            String upper = t.add(t.doc("/three/NOTES.md", "NOTES", "third")).get(0).doc();
            assertTrue(upper.matches("NOTES-[0-9a-f]{6}"), upper);
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aHandWrittenUnregisteredFileIsNeverOverwritten() throws IOException {
        try (TestKb t = TestKb.create(tmp)) {
            Path mine = t.kb.sourcesDir().resolve("ideas.md");
            Files.writeString(mine, "my own notes, not kb's");
            Outcome o = t.add(t.doc("/in/ideas.md", "ideas", "imported")).get(0);
            assertEquals(Outcome.Status.ADDED, o.status());
            assertTrue(o.doc().matches("ideas-[0-9a-f]{6}"), o.doc());
            assertEquals("my own notes, not kb's", Files.readString(mine));
            assertTrue(Files.isRegularFile(t.kb.rawDir().resolve(o.doc() + ".md")));

            Path raw = t.kb.rawDir().resolve("plan.md");
            Files.writeString(raw, "hand-placed raw file");
            Outcome p = t.add(t.doc("/in/plan.md", "plan", "imported plan")).get(0);
            assertTrue(p.doc().startsWith("plan-"), p.doc());
            assertEquals("hand-placed raw file", Files.readString(raw));
        }
    }

    @Test
    void aGroupWhoseOneDocumentFailsToPublishIsRetriedOneByOne() {
        try (TestKb t = TestKb.create(tmp)) {
            // raw/b.md cannot be written (a bad sector, a quota): only b may fail
            FileOps failB = new ForwardingFileOps(FileOps.REAL) {
                @Override
                public void move(Path source, Path target) throws IOException {
                    if (target.equals(t.kb.rawDir().resolve("b.md"))) {
                        throw new IOException("No space left on device");
                    }
                    FileOps.REAL.move(source, target);
                }
            };
            List<Outcome> out = t.coordinator(failB).commit(t.lock, List.of(
                    t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"), t.doc("/in/c.md", "c", "charlie")));
            assertEquals(List.of(Outcome.Status.ADDED, Outcome.Status.FAILED, Outcome.Status.ADDED),
                    out.stream().map(Outcome::status).toList(), out.toString());
            assertEquals("/in/b.md", out.get(1).input());
            assertTrue(out.get(1).reason().contains("No space left on device"), out.get(1).reason());
            assertEquals(List.of("a", "c"), t.rows().stream().map(r -> r.docName()).sorted().toList());
            assertEquals("alpha", t.read("raw/a.md"));
            t.closeStaging();
            t.recover();
            t.assertAtRest();
        }
    }

    @Test
    void aDocumentGivenTwiceInOneGroupIsAddedOnce() {
        try (TestKb t = TestKb.create(tmp)) {
            List<Outcome> out = t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/a.md", "a", "alpha"),
                    t.doc("/in/z.md", "z", "alpha"));
            assertEquals(List.of(Outcome.Status.ADDED, Outcome.Status.SKIPPED, Outcome.Status.SKIPPED),
                    out.stream().map(Outcome::status).toList());
            assertEquals("same content as a", out.get(2).reason());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void committingWithoutTheLockIsABug() {
        try (TestKb t = TestKb.create(tmp)) {
            WriterLock released = t.lock;
            Prepared p = t.doc("/in/a.md", "a", "alpha");
            t.lock.close();
            assertThrows(IllegalStateException.class,
                    () -> t.coordinator(FileOps.REAL).commit(released, List.of(p)));
            // the fixture closes the lock again: closing twice is harmless
            FcntlWriterLock.acquire(t.kb, Duration.ZERO, "x", m -> { }).close();
        }
    }

    /** Real file operations, but the first rename into raw/ first removes the lock file, as a person might. */
    private static FileOps removingTheLockFileWhilePublishing(TestKb t) {
        return new ForwardingFileOps(FileOps.REAL) {
            @Override
            public void move(Path source, Path target) throws IOException {
                if (target.startsWith(t.kb.rawDir())) {
                    Files.deleteIfExists(t.kb.lockFile());
                }
                FileOps.REAL.move(source, target);
            }
        };
    }

    /**
     * Once the lock file is gone another writer may be at work, so the group must not be
     * committed; nor undone, which needs the lock as much. Its journal stays, as after a crash
     * just before the commit point, and the next recovery under a lock that holds undoes it.
     */
    @Test
    void aLockFileRemovedWhilePublishingStopsTheGroupBeforeTheCommitPoint() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State before = t.state();
            List<Prepared> group = List.of(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"));

            LockLostException e = assertThrows(LockLostException.class,
                    () -> t.coordinator(removingTheLockFileWhilePublishing(t)).commit(t.lock, group));
            assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
            assertTrue(e.getMessage().contains("was removed while this kb process held it"), e.getMessage());
            assertFalse(t.registry.bySourceUri("/in/a.md").isPresent(), "not committed");
            assertEquals(1, TestKb.list(t.kb.journalDir()).size(), "the journal stays for the next recovery");
            assertTrue(Files.isRegularFile(t.file("raw/b.md")), "and nothing was undone without the lock");

            t.lock.close();
            try (WriterLock next = FcntlWriterLock.acquire(t.kb, Duration.ZERO, "kb recover", m -> { })) {
                Recovery.Report r = new Recovery(t.kb, t.registry, FileOps.REAL, t.hooks(FileOps.REAL),
                        t.warnings::add).run(next);
                assertEquals(1, r.rolledBack());
            }
            assertEquals(before, t.state());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    @Test
    void aLockFileReplacedBetweenGroupsStopsTheNextGroupBeforeItsJournal() throws Exception {
        try (TestKb t = TestKb.create(tmp)) {
            t.add(t.doc("/in/keep.md", "keep", "keep me"));
            TestKb.State before = t.state();
            Prepared a = t.doc("/in/a.md", "a", "alpha");
            Files.delete(t.kb.lockFile());
            Files.createFile(t.kb.lockFile()); // what a second writer's acquire does after that

            LockLostException e = assertThrows(LockLostException.class, () -> t.add(a));
            assertTrue(e.getMessage().contains("was replaced by another file"), e.getMessage());
            assertEquals(before, t.state());
            assertEquals(List.of(), TestKb.list(t.kb.journalDir()), "nothing was started");
        }
    }
}
