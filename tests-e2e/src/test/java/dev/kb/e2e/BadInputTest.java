package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Bad input: the contract's exit code, one line on stderr naming the input or cause, no stack
 * trace, and the KB byte for byte as it was.
 */
class BadInputTest extends E2EBase {

    private KbState.Snapshot populated() {
        init();
        file("good.md", markdown("Good", "already in the KB"));
        kb("add", "good.md").expect(0);
        return KbState.snapshot(kb);
    }

    @Test
    void missingPathFailsTheInput() {
        KbState.Snapshot before = populated();
        Kb.Result r = kb("add", "--json", "missing.md").expect(1).assertNoStackTrace();
        List<String> failures = r.errLines().stream().filter(l -> l.contains("missing.md")).toList();
        assertEquals(1, failures.size(), r.err());
        assertTrue(failures.get(0).contains("no such file"), failures.get(0));
        JsonNode ev = r.events().get(0);
        assertEquals("failed", ev.get("status").asText());
        assertEquals("missing.md", ev.get("input").asText());
        assertTrue(ev.get("error").asText().contains("no such file"), ev.toString());
        assertEquals(1, r.summary().get("failed").asInt());
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void unsupportedTypeGivenAloneIsAUsageError() {
        KbState.Snapshot before = populated();
        file("data.xyz", "some bytes");
        Kb.Result r = kb("add", "--json", "data.xyz").expect(2).oneErrorLine("data.xyz", "unsupported");
        r.errorObject("data.xyz", "unsupported");
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void noKnowledgeBaseFound() {
        for (Path p = work.toAbsolutePath(); p != null; p = p.getParent()) {
            Assumptions.assumeFalse(Files.isDirectory(p.resolve(".kb")), "a .kb/ exists above " + work);
        }
        file("d.md", markdown("D", "no KB for me"));
        KbState.Snapshot before = KbState.snapshotFiles(work);
        Kb.run(work, env, "add", "d.md").expect(3).oneErrorLine("no knowledge base");
        Kb.run(work, env, "status", "--json").expect(3).oneErrorLine("no knowledge base");
        Kb.run(work, env, "--kb", tmp.resolve("nowhere").toString(), "add", "d.md").expect(3)
                .oneErrorLine("no knowledge base", "nowhere");
        Kb.run(work, Kb.env(home, "KB_DIR", tmp.resolve("nowhere").toString()), "add", "d.md").expect(3)
                .oneErrorLine("no knowledge base", "nowhere");
        KbState.assertUnchanged(before, work);
        assertFalse(Files.exists(tmp.resolve("nowhere")));
    }

    @Test
    void badOptionValuesAndMissingInputsAreUsageErrors() {
        KbState.Snapshot before = populated();
        file("d.md", markdown("D", "never added"));
        kb("add", "--wait", "xx", "d.md").expect(2).oneErrorLine("--wait", "xx");
        kb("add", "--max-size", "0", "d.md").expect(2).oneErrorLine("--max-size");
        kb("add", "--timeout", "0", "d.md").expect(2).oneErrorLine("--timeout");
        kb("add", "--bogus", "d.md").expect(2).oneErrorLine("--bogus");
        kb("add", "--json").expect(2).oneErrorLine("nothing to add");
        Kb.Result ftp = kb("add", "--json", "ftp://example.com/notes.md").expect(2)
                .oneErrorLine("ftp://example.com/notes.md", "unsupported");
        ftp.errorObject("ftp://example.com/notes.md");
        kb("recover", "--wait", "forever").expect(2).oneErrorLine("--wait");
        KbState.assertUnchanged(before, kb);
    }

    static void symlink(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | java.io.IOException e) {
            Assumptions.abort("no symbolic links here: " + e);
        }
    }

    /** The line kb printed on stderr about {@code input}, exactly one. */
    static String lineAbout(Kb.Result r, String input) {
        List<String> lines = r.errLines().stream().filter(l -> l.contains(" " + input)).toList();
        assertEquals(1, lines.size(), "lines about " + input + ":\n" + r.err());
        return lines.get(0);
    }

    /** The KB's own files never become documents, whichever way they are reached; each refusal says why. */
    @Test
    void theKbItselfAndSymbolicLinksIntoItAreNeverIngested() {
        KbState.Snapshot before = populated();
        symlink(work.resolve("lnkdir/w"), kb.resolve("wiki"));
        symlink(work.resolve("kblink"), kb);

        Kb.Result walk = kb("add", "--json", "lnkdir").expect(0).assertNoStackTrace();
        assertEquals(1, walk.events().size(), walk.out());
        assertEquals("lnkdir/w", walk.events().get(0).get("input").asText());
        assertEquals("skipped", walk.events().get(0).get("status").asText());
        assertTrue(lineAbout(walk, "lnkdir/w").contains("is inside the knowledge base itself"), walk.err());

        Kb.Result through = kb("add", "kblink/wiki/log.md").expect(1).assertNoStackTrace();
        assertTrue(lineAbout(through, "kblink/wiki/log.md").contains("is inside the knowledge base itself"),
                through.err());

        Kb.Result self = kb("add", "--json", kb.toString()).expect(0).assertNoStackTrace();
        assertEquals("skipped", self.events().get(0).get("status").asText());
        assertEquals("is the knowledge base itself", self.events().get(0).get("reason").asText());
        assertTrue(lineAbout(self, kb.toString()).contains("is the knowledge base itself"), self.err());

        Kb.Result dot = Kb.run(kb, env, "add", ".").expect(0).assertNoStackTrace();
        assertTrue(lineAbout(dot, ".").contains("is the knowledge base itself"), dot.err());
        KbState.assertUnchanged(before, kb);
    }

    /**
     * Two Latin-1 names decode to the same text under a UTF-8 locale; taken as they decode, they
     * shared one source and overwrote each other on every run. Each fails instead, the rest goes on.
     */
    @Test
    void fileNamesThatAreNotUtf8FailAndTheRestGoesOn() throws Exception {
        init();
        file("latin/ok.md", markdown("Ok", "a name that is fine"));
        Path dir = work.resolve("latin");
        Process sh = new ProcessBuilder("/bin/sh", "-c",
                "printf '# E acute' > \"$(printf 'lat\\351n.md')\" && printf '# E grave' > \"$(printf 'lat\\350n.md')\"")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(sh.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && sh.exitValue() == 0,
                "cannot make file names of raw bytes here");
        try (java.util.stream.Stream<Path> names = Files.list(dir)) {
            Assumptions.assumeTrue(names.count() == 3, "the file system changed the names");
        }
        Kb.Result r = kb("add", "--json", "latin").expect(1).assertNoStackTrace();
        List<String> statuses = r.events().stream().map(e -> e.get("status").asText()).sorted().toList();
        assertEquals(List.of("added", "failed", "failed"), statuses, r.out());
        for (JsonNode e : r.events()) {
            if (e.get("status").asText().equals("failed")) {
                assertTrue(e.get("input").asText().startsWith("latin/lat"), e.toString());
                assertTrue(e.get("error").asText().contains("file name is not valid"), e.toString());
                assertTrue(e.get("error").asText().contains("rename it"), e.toString());
            }
        }
        assertEquals(List.of("ok"), KbState.assertAtRest(kb).stream().map(KbState.Row::docName).toList());
    }
    @Test
    void maxSizeBoundsLocalFilesAndNothingOfALargerOneIsKept() {
        KbState.Snapshot before = populated();
        file("big/large.md", "# Large\n\n" + "x".repeat(4096));
        Kb.Result alone = kb("add", "--max-size", "1KB", "big/large.md").expect(1).assertNoStackTrace();
        assertTrue(lineAbout(alone, "big/large.md").contains("larger than 1 KiB (--max-size)"), alone.err());
        KbState.assertUnchanged(before, kb);

        file("big/small.md", markdown("Small", "fits"));
        Kb.Result walk = kb("add", "--json", "--max-size", "1KB", "big").expect(1).assertNoStackTrace();
        assertEquals(List.of("failed", "added"), walk.events().stream().map(e -> e.get("status").asText()).toList());
        assertEquals(List.of("good", "small"),
                KbState.assertAtRest(kb).stream().map(KbState.Row::docName).sorted().toList());
    }
    @Test
    void symbolicLinksThatLeadNowhereSaySo() {
        KbState.Snapshot before = populated();
        symlink(work.resolve("dangling.md"), work.resolve("gone.md"));
        symlink(work.resolve("loop.md"), work.resolve("loop.md"));
        Kb.Result dangling = kb("add", "dangling.md").expect(1).assertNoStackTrace();
        assertTrue(lineAbout(dangling, "dangling.md").contains("dangling symbolic link"), dangling.err());
        Kb.Result loop = kb("add", "loop.md").expect(1).assertNoStackTrace();
        assertTrue(lineAbout(loop, "loop.md").contains("symbolic link loop"), loop.err());
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void aBinaryFromFileAndAFileAsTheKbSayWhatIsWrong() throws Exception {
        KbState.Snapshot before = populated();
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'};
        file("binlist", binary);
        kb("add", "--from-file", "binlist").expect(2).oneErrorLine("--from-file", "binlist", "not UTF-8 text");
        Kb.Running piped = startKb("add", "--from-file", "-");
        piped.process.getOutputStream().write(binary);
        piped.await().expect(2).oneErrorLine("--from-file", "not UTF-8 text");
        Path notADir = file("notes/a.md", markdown("A", "a file, not a KB"));
        Kb.run(work, env, "--kb", notADir.toString(), "add", "binlist").expect(3)
                .oneErrorLine("a.md", "is a file, not a directory");
        KbState.assertUnchanged(before, kb);
    }
    @Test
    void aByteOrderMarkOpeningTheFromFileIsNotPartOfTheFirstInput() {
        init();
        file("list/a.md", markdown("A", "listed first"));
        file("inputs.txt", "\uFEFFlist/a.md\n");
        Kb.Result r = kb("add", "--json", "--from-file", "inputs.txt").expect(0).assertNoStackTrace();
        assertEquals("list/a.md", r.events().get(0).get("input").asText());
        assertEquals("added", r.events().get(0).get("status").asText());
    }
    @Test
    void unsupportedUrlNextToAGoodInputFailsAlone() {
        init();
        file("ok.md", markdown("Ok", "committed despite its neighbour"));
        Kb.Result r = kb("add", "--json", "ftp://example.com/notes.md", "ok.md").expect(1).assertNoStackTrace();
        assertEquals("failed", r.events().get(0).get("status").asText());
        assertEquals("added", r.events().get(1).get("status").asText());
        assertEquals(List.of("ok"), KbState.assertAtRest(kb).stream().map(KbState.Row::docName).toList());
    }

    @Test
    void corruptRegistryMakesTheKbUnusable() throws Exception {
        populated();
        byte[] garbage = new byte[8192];
        new java.util.Random(42).nextBytes(garbage);
        Files.write(kb.resolve(".kb/registry.db"), garbage);
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        file("d.md", markdown("D", "cannot go anywhere"));
        kb("add", "d.md").expect(3).oneErrorLine("registry");
        kb("status", "--json").expect(3).oneErrorLine("registry");
        KbState.assertUnchanged(before, kb);
    }

    /**
     * A registry that is gone (deleted, a bad restore) is not made anew: an empty one would make
     * every pending committed journal look uncommitted, and recovery would undo documents.
     */
    @Test
    void missingRegistryIsNeverRecreated() throws Exception {
        populated();
        for (String f : List.of("registry.db", "registry.db-wal", "registry.db-shm")) {
            Files.deleteIfExists(kb.resolve(".kb").resolve(f));
        }
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        file("d.md", markdown("D", "cannot go anywhere"));
        kb("recover").expect(3).oneErrorLine("registry", "missing");
        kb("add", "d.md").expect(3).oneErrorLine("registry", "missing");
        kb("status").expect(3).oneErrorLine("registry", "missing");
        kb("init", kb.toString()).expect(3).oneErrorLine("registry", "missing");
        KbState.assertUnchanged(before, kb);
        assertFalse(Files.exists(kb.resolve(".kb/registry.db")));
    }

    @Test
    void importWithoutApiKeyOrWithABadIdSendsNothing() throws Exception {
        KbState.Snapshot before = populated();
        try (MockWebServer server = new MockWebServer()) {
            server.start();
            String base = "http://127.0.0.1:" + server.getPort();
            kbEnv(new String[] {"PAGEINDEX_BASE_URL", base}, "import", "--cloud", "pi-abc123").expect(2)
                    .oneErrorLine("PAGEINDEX_API_KEY");
            kbEnv(new String[] {"PAGEINDEX_BASE_URL", base, "PAGEINDEX_API_KEY", "   "}, "import", "--cloud",
                    "pi-abc123").expect(2).oneErrorLine("PAGEINDEX_API_KEY");
            kbEnv(new String[] {"PAGEINDEX_BASE_URL", base, "PAGEINDEX_API_KEY", "k-123"}, "import", "--cloud", "a/b")
                    .expect(2).oneErrorLine("a/b");
            assertEquals(0, server.getRequestCount(), "kb sent a request");
        }
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void aBadPageIndexBaseUrlIsNamedWithoutItsPassword() throws Exception {
        KbState.Snapshot before = populated();
        // one URI refuses, one OkHttp refuses (not http), one whose '/' ends the authority early
        for (String base : List.of("http://u:Pw9-secret%@127.0.0.1:9/", "ftp://u:Pw9-secret@127.0.0.1:9/",
                "https://u:Pw9-secret/x@127.0.0.1:9/")) {
            Kb.Result r = kbEnv(new String[] {"PAGEINDEX_BASE_URL", base, "PAGEINDEX_API_KEY", "k-123"}, "import",
                    "--json", "--cloud", "pi-abc123").expect(2).oneErrorLine().errorObject();
            assertTrue(r.err().toLowerCase(java.util.Locale.ROOT).contains("pageindex"), r.err());
            assertFalse(r.err().contains("Pw9") || r.out().contains("Pw9"), base + " printed:\n" + r.err() + r.out());
        }
        KbState.assertUnchanged(before, kb);
    }
}
