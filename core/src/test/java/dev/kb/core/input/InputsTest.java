package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.app.Init;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class InputsTest {

    /** No --max-size to speak of. */
    private static final long NO_LIMIT = Long.MAX_VALUE;

    @TempDir
    Path tmp;

    Path in;
    KnowledgeBase kb;

    @BeforeEach
    void init() throws IOException {
        in = Files.createDirectories(tmp.resolve("in"));
        Init.run(tmp.resolve("kb"), Duration.ZERO, m -> { }, m -> { });
        kb = KnowledgeBase.open(tmp.resolve("kb"));
    }

    private List<Inputs.Item> expand(String... args) {
        return Inputs.expand(List.of(args), tmp, kb, a -> null, NO_LIMIT);
    }

    /** "label" for a source, "label:status:reason" for a decided outcome. */
    private static List<String> describe(List<Inputs.Item> items) {
        List<String> out = new ArrayList<>();
        for (Inputs.Item i : items) {
            out.add(i.source() != null ? i.source().input()
                    : i.outcome().input() + ":" + i.outcome().status().word() + ":" + i.outcome().reason());
        }
        return out;
    }

    private void write(String rel, String text) throws IOException {
        Path p = in.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void directoryWalkIsInStableNameOrderAndReportsHiddenEntriesAndUnsupportedTypesAsSkips() throws IOException {
        write("b.md", "# B");
        write("a.txt", "a");
        write("sub/c.markdown", "c");
        write("sub/deeper/d.md", "d");
        write("image.png", "not text");
        write("Makefile", "all:");
        write(".hidden.md", "secret");
        write(".git/config.md", "git internals");
        write("sub/.cache/e.md", "cached");
        write("sub/.cache/f.md", "cached too");

        List<String> got = describe(expand("in"));
        assertEquals(List.of(
                "in/.git:skipped:hidden", // one event for a hidden directory, none for the files in it
                "in/.hidden.md:skipped:hidden",
                "in/Makefile:skipped:unsupported file type (no extension)",
                "in/a.txt",
                "in/b.md",
                "in/image.png:skipped:unsupported file type .png",
                "in/sub/.cache:skipped:hidden",
                "in/sub/c.markdown",
                "in/sub/deeper/d.md"), got);
        assertEquals(got, describe(expand("in")), "the same order every time");
        assertEquals(describe(expand("in")).size(), describe(expand("in/")).size());
        assertTrue(describe(expand("in/")).contains("in/a.txt"), "no doubled slash: " + describe(expand("in/")));
    }

    @Test
    void aSymbolicLinkLoopTerminates() throws IOException {
        write("a.md", "a");
        write("sub/b.md", "b");
        try {
            Files.createSymbolicLink(in.resolve("sub/loop"), in);
            Files.createSymbolicLink(in.resolve("self"), in.resolve("."));
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("no symbolic links here: " + e);
        }
        assertEquals(List.of(
                "in/a.md",
                "in/self:skipped:symbolic link loop (leads back to in)",
                "in/sub/b.md",
                "in/sub/loop:skipped:symbolic link loop (leads back to in)"), describe(expand("in")),
                "the loop is not followed round and round, and said");
    }

    private Path mkfifo(Path p) throws Exception {
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
            Assumptions.assumeTrue(proc.waitFor(30, TimeUnit.SECONDS) && proc.exitValue() == 0, "mkfifo failed");
        } catch (IOException e) {
            Assumptions.abort("no mkfifo here: " + e.getMessage());
        }
        return p;
    }

    @Test
    void aFifoIsSkippedWithoutHanging() throws Exception {
        write("a.md", "a");
        mkfifo(in.resolve("pipe.md"));
        assertEquals(List.of("in/a.md", "in/pipe.md:skipped:not a regular file (a FIFO, device or socket)"),
                describe(expand("in")), "inside a directory: skipped, never opened, and said");

        List<Inputs.Item> alone = expand("in/pipe.md");
        assertEquals(1, alone.size());
        assertNull(alone.get(0).source(), "never opened");
        assertEquals(Outcome.Status.FAILED, alone.get(0).outcome().status());
        assertTrue(alone.get(0).outcome().reason().contains("not a regular file"));
    }

    @Test
    void theKnowledgeBaseInsideTheWalkedDirectoryIsSkipped() throws IOException {
        Init.run(in.resolve("kb"), Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase inner = KnowledgeBase.open(in.resolve("kb"));
        Files.writeString(inner.sourcesDir().resolve("already.md"), "a document of the KB");
        write("notes.md", "n");
        List<String> got = describe(Inputs.expand(List.of("in"), tmp, inner, a -> null, NO_LIMIT));
        assertEquals(List.of("in/kb:skipped:is the knowledge base itself", "in/notes.md"), got,
                "wiki/index.md, wiki/log.md, raw/ and wiki/sources/ are not inputs");

        List<Inputs.Item> direct = Inputs.expand(List.of("in/kb/wiki/sources/already.md", "in/notes.md"), tmp, inner, a -> null, NO_LIMIT);
        assertEquals(Outcome.Status.FAILED, direct.get(0).outcome().status());
        assertTrue(direct.get(0).outcome().reason().contains("inside the knowledge base"));
    }

    private static void symlink(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("no symbolic links here: " + e);
        }
    }

    private void assertFailedInsideTheKb(String arg) {
        List<Inputs.Item> one = expand(arg);
        assertEquals(1, one.size(), arg + ": " + describe(one));
        assertNull(one.get(0).source(), arg + " would be ingested");
        assertEquals(arg + ":failed:is inside the knowledge base itself", describe(one).get(0));
    }

    @Test
    void symbolicLinksIntoTheKnowledgeBaseAreNeverInputs() throws IOException {
        Files.writeString(kb.sourcesDir().resolve("already.md"), "a document of the KB");
        write("notes.md", "n");
        symlink(in.resolve("lnk/w"), kb.wikiDir());
        symlink(in.resolve("lnk/log.md"), kb.logFile());
        symlink(tmp.resolve("kblink"), kb.root());

        assertEquals(List.of(
                "in/lnk/log.md:skipped:is inside the knowledge base itself",
                "in/lnk/w:skipped:is inside the knowledge base itself",
                "in/notes.md"), describe(expand("in")), "wiki/index.md, log.md and sources/ are not inputs");

        // one path through a link is refused like the direct path
        assertFailedInsideTheKb("kb/wiki/log.md");
        assertFailedInsideTheKb("kblink/wiki/log.md");
        assertFailedInsideTheKb("in/lnk/log.md");
        assertFailedInsideTheKb("in/lnk/w/sources/already.md");
        // and so is a directory inside the KB, which used to be walked into nothing, silently
        assertFailedInsideTheKb("kb/wiki");
        assertFailedInsideTheKb("in/lnk/w");
    }

    @Test
    void theKnowledgeBaseGivenAsAnInputIsASkipThatSaysWhy() throws IOException {
        Files.writeString(kb.sourcesDir().resolve("already.md"), "a document of the KB");
        symlink(tmp.resolve("kblink"), kb.root());
        assertEquals(List.of("kb:skipped:is the knowledge base itself"), describe(expand("kb")));
        assertEquals(List.of("kblink:skipped:is the knowledge base itself"), describe(expand("kblink")));
        assertEquals(List.of(".:skipped:is the knowledge base itself"),
                describe(Inputs.expand(List.of("."), kb.root(), kb, a -> null, NO_LIMIT)), "kb add . at the KB root");

        write("notes.md", "n");
        symlink(in.resolve("k"), kb.root());
        assertEquals(List.of("in/k:skipped:is the knowledge base itself", "in/notes.md"), describe(expand("in")));
    }

    /** Runs a POSIX shell script in {@code dir}, or aborts the test where there is none. */
    private static void sh(Path dir, String script) throws Exception {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true)
                    .start();
            Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                    "script failed: " + new String(p.getInputStream().readAllBytes()));
        } catch (IOException e) {
            Assumptions.abort("no /bin/sh here: " + e.getMessage());
        }
    }

    /**
     * Latin-1 names under a UTF-8 locale both decode to "lat\uFFFDn.md": taken as decoded, they
     * shared a source URI and overwrote each other on every run. Each fails, the rest goes on.
     */
    @Test
    void namesThatAreNotValidTextFailOneByOne() throws Exception {
        write("a.md", "a");
        // printf's octal escapes make the raw bytes; Java cannot name such a file under UTF-8
        sh(in, "printf 'e acute' > \"$(printf 'lat\\351n.md')\""
                + " && printf 'e grave' > \"$(printf 'lat\\350n.md')\""
                + " && mkdir \"$(printf 'd\\351r')\" && printf 'x' > \"$(printf 'd\\351r')/x.md\"");
        try (var names = Files.list(in)) {
            Assumptions.assumeTrue(names.filter(n -> n.getFileName().toString().contains("\uFFFD")).count() == 3,
                    "this locale or file system does not turn those bytes into U+FFFD");
        }
        List<String> got = describe(expand("in"));
        assertEquals(4, got.size(), got.toString());
        assertEquals("in/a.md", got.get(0));
        for (String g : got.subList(1, 4)) {
            assertTrue(g.matches("in/(d\uFFFDr|lat\uFFFDn\\.md):failed:file name is not valid .*rename it.*"), g);
        }

        // the same name given as an argument arrives decoded already, and names no file
        List<Inputs.Item> arg = expand("in/lat\uFFFDn.md");
        assertNull(arg.get(0).source());
        assertEquals(Outcome.Status.FAILED, arg.get(0).outcome().status());
        assertTrue(arg.get(0).outcome().reason().matches(".*(file name is not valid|not a usable path).*"),
                arg.get(0).outcome().reason());
    }

    @Test
    void aSymbolicLinkThatLeadsNowhereSaysWhichWay() throws IOException {
        symlink(in.resolve("dangling.md"), in.resolve("gone.md"));
        symlink(in.resolve("loop.md"), in.resolve("loop.md"));
        symlink(in.resolve("ping.md"), in.resolve("pong.md"));
        symlink(in.resolve("pong.md"), in.resolve("ping.md"));
        assertEquals(List.of("in/dangling.md:failed:dangling symbolic link (its target " + in.resolve("gone.md")
                + " does not exist)"), describe(expand("in/dangling.md")));
        for (String loop : List.of("in/loop.md", "in/ping.md")) {
            assertEquals(List.of(loop + ":failed:symbolic link loop (too many levels of symbolic links)"),
                    describe(expand(loop)));
        }
        assertEquals(List.of(
                "in/dangling.md:skipped:dangling symbolic link (its target " + in.resolve("gone.md")
                        + " does not exist)",
                "in/loop.md:skipped:symbolic link loop (too many levels of symbolic links)",
                "in/ping.md:skipped:symbolic link loop (too many levels of symbolic links)",
                "in/pong.md:skipped:symbolic link loop (too many levels of symbolic links)"), describe(expand("in")),
                "inside a directory: skipped, and said");
    }

    @Test
    void anUnreadableDirectoryInAWalkSaysWhy() throws IOException {
        write("a.md", "a");
        write("locked/b.md", "b");
        Path locked = in.resolve("locked");
        try {
            Files.setPosixFilePermissions(locked, Set.of());
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("no POSIX permissions here");
        }
        try {
            Assumptions.assumeFalse(Files.isReadable(locked), "this user reads any directory (root)");
            assertEquals(List.of("in/a.md", "in/locked:failed:cannot read directory: permission denied"),
                    describe(expand("in")));
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * A file nested deeper than PATH_MAX (4096 bytes on Linux) cannot be named by its path: the
     * walk used to drop the directory it could not stat, and the batch said "0 failed". The
     * entry the walk cannot reach fails with the cause; everything above it is walked.
     */
    @Test
    void anEntryDeeperThanTheSystemsPathLimitFailsWithItsCause() throws Exception {
        write("top.md", "t");
        String level = "d".repeat(250);
        // the shell's cd takes one short step at a time, so it builds what no single path can name
        sh(in, "for i in $(seq 1 20); do mkdir " + level + " && cd -P " + level + " || exit 1;"
                + " if [ $i = 3 ]; then echo shallow > shallow.md; fi; done; echo deep > deep.md");
        try {
            List<Inputs.Item> items = expand("in");
            List<String> got = describe(items);
            assertEquals(3, got.size(), got.toString());
            String shallow = "in/" + String.join("/", java.util.Collections.nCopies(3, level)) + "/shallow.md";
            assertEquals(shallow, got.get(1), "walked down to the limit, in name order");
            assertEquals("in/top.md", got.get(2));
            Outcome failed = items.get(0).outcome();
            assertEquals(Outcome.Status.FAILED, failed.status(), got.toString());
            assertTrue(failed.reason().startsWith("path too long for this system ("), failed.reason());
            assertTrue(failed.input().startsWith("in/" + level + "/") && failed.input().endsWith("/" + level),
                    "the directory on the way that cannot be named: " + failed.input());
            int length = tmp.resolve(failed.input()).toString().length();
            assertTrue(length >= 4096 && length - level.length() - 1 < 4096,
                    "the first one past the limit, at " + length + " bytes");
        } finally {
            sh(in, "rm -rf " + level); // JUnit's clean-up names each file by its path: it cannot
        }
    }

    @Test
    void printableEscapesWhatBreaksOrReordersALineAndKeepsEveryScript() {
        assertEquals("wn/new\\nline.md", Inputs.printable("wn/new\nline.md"));
        assertEquals("a\\r\\tb\\u0000c\\u001b[31md\\u007fe\\u009bf",
                Inputs.printable("a\r\tb\u0000c\u001b[31md\u007fe\u009bf"), "C0, DEL and C1 (CSI) controls");
        assertEquals("x\\u202efdp.exe", Inputs.printable("x\u202efdp.exe"), "right-to-left override");
        assertEquals("\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069",
                Inputs.printable("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069"), "embeddings and isolates");
        assertEquals("a\\u2028b\\u2029c\\u0085d", Inputs.printable("a\u2028b\u2029c\u0085d"), "Unicode line breaks");
        String scripts = "café 日本語 עברית العربية کتاب\u200cها 👩\u200d💻 C:\\notes\\a.md";
        assertEquals(scripts, Inputs.printable(scripts), "letters, joiners and backslashes stay");
        assertEquals(1, Inputs.printable("one\ntwo\rthree\u2028four").lines().count());
        assertNull(Inputs.printable(null));
    }

    @Test
    void anUnsupportedFileGivenAloneIsAUsageError() throws IOException {
        write("photo.jpg", "jpeg");
        write("a.md", "a");
        KbException e = assertThrows(KbException.class, () -> expand("in/photo.jpg"));
        assertEquals(KbException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().startsWith("in/photo.jpg: unsupported file type .jpg"), e.getMessage());

        List<String> together = describe(expand("in/photo.jpg", "in/a.md"));
        assertTrue(together.get(0).startsWith("in/photo.jpg:failed:unsupported file type .jpg"), together.toString());
        assertEquals("in/a.md", together.get(1));

        assertEquals(List.of("missing.md:failed:no such file or directory"), describe(expand("missing.md")));
    }

    @Test
    void aWalkedDirectoryIsIngestedEndToEnd() throws Exception {
        write("a.md", "# Alpha\n\ntext");
        write("sub/b.txt", "bravo");
        write("sub/copy.txt", "bravo");
        write("image.png", "png");
        boolean fifo = mkfifoIfPossible(in.resolve("pipe.txt"));
        List<Outcome> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Ingest ingest = new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add in", 2, 2, FileOps.REAL),
                new Batch.Listener() {
                    @Override
                    public void outcome(Outcome o) {
                        events.add(o);
                    }

                    @Override
                    public void warning(String message) {
                        warnings.add(message);
                    }

                    @Override
                    public void waitingForLock(String holder) {
                        warnings.add("waiting for " + holder);
                    }
                });
        Map<Outcome.Status, Integer> summary = ingest.run(expand("in"));
        assertEquals(fifo ? List.of("in/a.md", "in/image.png", "in/pipe.txt", "in/sub/b.txt", "in/sub/copy.txt")
                        : List.of("in/a.md", "in/image.png", "in/sub/b.txt", "in/sub/copy.txt"),
                events.stream().map(Outcome::input).toList(), "events in input order");
        assertEquals(2, summary.get(Outcome.Status.ADDED));
        assertEquals(fifo ? 3 : 2, summary.get(Outcome.Status.SKIPPED));
        assertEquals(0, summary.get(Outcome.Status.FAILED));
        assertEquals("same content as b", events.get(events.size() - 1).reason());
        assertEquals(List.of(), warnings);
        try (TestKb t = TestKb.create(kb.root())) {
            t.closeStaging();
            t.assertAtRest();
            assertTrue(t.read("wiki/sources/a.md").contains("title: Alpha"));
        }
    }

    /**
     * A batch begins its inputs as the walk finds them: what the walk found so far is committed
     * before the walk has ended (the batch does not sit on prepared documents while it waits for
     * more), the rest after it, all in input order, and the total is told once the walk is done.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBatchCommitsWhatAWalkStillGoingHasFound() throws Exception {
        for (int i = 0; i < 5; i++) {
            write("n" + i + ".md", "# Note " + i + "\n\nbody " + i);
        }
        Expansion walk = new Expansion();
        Recorded seen = new Recorded(3);
        List<Outcome> events = seen.events;
        List<Integer> totals = seen.totals;
        Ingest ingest = new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add in", 2, 50, FileOps.REAL), seen);
        for (int i = 0; i < 3; i++) {
            walk.add(new Inputs.Item(new FileSource(in.resolve("n" + i + ".md"), "in/n" + i + ".md", NO_LIMIT), null));
        }
        java.util.concurrent.CompletableFuture<Map<Outcome.Status, Integer>> run =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> ingest.run(walk));
        // without a commit while the walk goes on, this waits forever (the test's timeout fails it)
        seen.first.await();
        assertEquals(List.of(), totals, "the total was told before the walk ended");
        try (dev.kb.core.store.Registry r = dev.kb.core.registry.SqliteRegistry.openReadOnly(kb.registryFile())) {
            assertEquals(3, r.count(), "committed while the walk goes on");
        }
        for (int i = 3; i < 5; i++) {
            walk.add(new Inputs.Item(new FileSource(in.resolve("n" + i + ".md"), "in/n" + i + ".md", NO_LIMIT), null));
        }
        walk.finish(null);
        Map<Outcome.Status, Integer> summary = run.get();
        assertEquals(5, summary.get(Outcome.Status.ADDED));
        assertEquals(List.of("in/n0.md", "in/n1.md", "in/n2.md", "in/n3.md", "in/n4.md"),
                events.stream().map(Outcome::input).toList());
        assertEquals(List.of(5), totals);
    }

    /**
     * While the walk goes on, a document prepared before a slow one is held back with the group;
     * once the hold runs out and what is ready behind the slow one is committed, the held one goes
     * first: its outcome comes first, and of two colliding names it keeps the plain one.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void whatCameBeforeASlowInputIsCommittedBeforeWhatCameAfterIt() throws Exception {
        Path early = in.resolve("a/notes.md");
        Path later = in.resolve("b/notes.md");
        write("a/notes.md", "# Notes A\n\nfirst");
        write("b/notes.md", "# Notes B\n\nlater");
        write("s/slow.md", "# Slow\n\nslow");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FileSource slowFile = new FileSource(in.resolve("s/slow.md"), "in/s/slow.md", NO_LIMIT);
        Source slow = new Source() {
            @Override
            public String input() {
                return slowFile.input();
            }

            @Override
            public String knownNameHint() {
                return slowFile.knownNameHint();
            }

            @Override
            public Prep prepare(PrepareContext ctx) throws IOException {
                try {
                    if (!release.await(50, TimeUnit.SECONDS)) {
                        throw new IOException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                return slowFile.prepare(ctx);
            }
        };
        Expansion walk = new Expansion();
        Recorded seen = new Recorded(2);
        List<Outcome> events = seen.events;
        Ingest ingest = new Ingest(kb, new Ingest.Options(Duration.ofSeconds(30), "kb add", 4, 256, FileOps.REAL,
                Duration.ofMillis(200)), seen);
        walk.add(new Inputs.Item(new FileSource(early, "in/a/notes.md", NO_LIMIT), null));
        walk.add(new Inputs.Item(slow, null));
        walk.add(new Inputs.Item(new FileSource(later, "in/b/notes.md", NO_LIMIT), null));
        java.util.concurrent.CompletableFuture<Map<Outcome.Status, Integer>> run =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> ingest.run(walk));
        seen.first.await(); // both ready ones committed while the slow one waits and the walk goes on
        assertEquals(List.of("in/a/notes.md", "in/b/notes.md"), events.stream().map(Outcome::input).toList());
        assertEquals("notes", events.get(0).doc(), "the earlier of two colliding files keeps the plain name");
        release.countDown();
        walk.finish(null);
        assertEquals(3, run.get().get(Outcome.Status.ADDED));
    }

    /** A walk that fails (not an entry of it: the walk itself) fails the batch with its cause, not as an end. */
    @Test
    void aWalkThatFailsIsNotTakenForOneThatEnded() throws InterruptedException {
        Expansion walk = new Expansion();
        walk.finish(new KbException(KbException.Kind.INPUT_FAILED, "the walk broke"));
        assertTrue(walk.settled(0, 0));
        KbException e = assertThrows(KbException.class, () -> walk.ready(0));
        assertEquals("the walk broke", e.getMessage());
        assertTrue(walk.total().isEmpty());
    }

    /** What a batch tells its listener, from any thread; {@code first} counts down the first outcomes. */
    private static final class Recorded implements Batch.Listener {
        final List<Outcome> events = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Integer> totals = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.CountDownLatch first;

        Recorded(int firstOutcomes) {
            first = new java.util.concurrent.CountDownLatch(firstOutcomes);
        }

        @Override
        public void outcome(Outcome o) {
            events.add(o);
            first.countDown();
        }

        @Override
        public void inputs(int total) {
            totals.add(total);
        }

        @Override
        public void warning(String message) {
        }

        @Override
        public void waitingForLock(String holder) {
        }
    }

    /** Runs the batch through the real ingest and returns its events in input order. */
    private List<Outcome> ingest(List<Inputs.Item> items) {
        Recorded recorded = new Recorded(0);
        new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add", 2, 2, FileOps.REAL), recorded).run(items);
        return recorded.events;
    }

    @Test
    void maxSizeBoundsLocalFilesAndNothingOfALargerOneIsKept() throws Exception {
        write("big.md", "# Big\n\n" + "x".repeat(4096));
        write("small.md", "# Small");
        List<Outcome> events = ingest(Inputs.expand(List.of("in"), tmp, kb, a -> null, 1024));
        assertEquals(List.of("in/big.md", "in/small.md"), events.stream().map(Outcome::input).toList());
        assertEquals(Outcome.Status.FAILED, events.get(0).status());
        assertEquals("larger than 1 KiB (--max-size): the file has 4.0 KiB", events.get(0).reason());
        assertEquals(Outcome.Status.ADDED, events.get(1).status());
        try (TestKb t = TestKb.create(kb.root())) {
            t.closeStaging();
            t.assertAtRest();
            assertEquals(List.of("small"), t.rows().stream().map(r -> r.docName()).toList());
        }
        try (var raw = Files.list(kb.rawDir())) {
            assertEquals(1, raw.count(), "nothing of big.md kept");
        }

        // exactly at the limit is allowed
        write("edge.md", "e".repeat(1024));
        assertEquals(Outcome.Status.ADDED, ingest(Inputs.expand(List.of("in/edge.md"), tmp, kb, a -> null, 1024))
                .get(0).status());
    }

    /** Whether the FIFO was made: without mkfifo the walk is simply one entry shorter. */
    private boolean mkfifoIfPossible(Path p) {
        try {
            Process proc = new ProcessBuilder("mkfifo", p.toString()).start();
            return proc.waitFor(30, TimeUnit.SECONDS) && proc.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
