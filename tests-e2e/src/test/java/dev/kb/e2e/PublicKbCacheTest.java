package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, {@code --cache kb:PATH}: another knowledge base as a read-only cache, a team's
 * "public" KB. A second KB adding a URL the public one holds does not download it (one
 * conditional request, answered 304), and its files for it are the public KB's; the public KB is
 * never written or locked, not even while its own writer holds its lock mid-commit, and a file of
 * it that is damaged or mid-change is a miss, never another document.
 */
class PublicKbCacheTest extends E2EBase {
    MockWebServer server;
    /** path -> body, Content-Type, ETag */
    final Map<String, String[]> served = new ConcurrentHashMap<>();
    /** path -> where it redirects to (a 301) */
    final Map<String, String> moved = new ConcurrentHashMap<>();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger bodies = new AtomicInteger();
    Path pub;
    Path second;

    @BeforeEach
    void serve() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.add(r);
                if (moved.containsKey(r.getPath())) {
                    return new MockResponse().setResponseCode(301).setHeader("Location", moved.get(r.getPath()));
                }
                String[] doc = served.get(r.getPath());
                if (doc == null) {
                    return new MockResponse().setResponseCode(404);
                }
                if (doc[2].equals(r.getHeader("If-None-Match"))) {
                    return new MockResponse().setResponseCode(304).setHeader("ETag", doc[2]);
                }
                bodies.incrementAndGet();
                return new MockResponse().setHeader("Content-Type", doc[1]).setHeader("ETag", doc[2])
                        .setBody(new Buffer().writeUtf8(doc[0]));
            }
        });
        server.start();
        served.put("/notes/guide.md", new String[] {markdown("Guide", "How the team works. See [the plan](plan.md)."),
                "text/markdown; charset=utf-8", "\"g1\""});
        served.put("/articles/launch.html", new String[] {html("Launch", "The launch went well"),
                "text/html; charset=utf-8", "\"l1\""});
        served.put("/notes/changing.md", new String[] {markdown("Changing", "The first version."),
                "text/markdown; charset=utf-8", "\"c1\""});
        pub = tmp.resolve("public");
        second = tmp.resolve("second");
        Kb.run(work, env, "init", pub.toString()).expect(0);
        Kb.run(work, env, "init", second.toString()).expect(0);
        // a loaded CI machine must not turn a slow first look-up into a miss: timing is not what these test
        Files.createDirectories(home.resolve(".config/kb"));
        Files.writeString(home.resolve(".config/kb/cache.properties"), "deadline = 20s\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    String url(String path) {
        return server.url(path).toString();
    }

    Kb.Result in(Path kbDir, String... args) {
        List<String> all = new ArrayList<>(List.of("--kb", kbDir.toString()));
        all.addAll(List.of(args));
        return Kb.run(work, env, all.toArray(String[]::new));
    }

    /** Every file under raw/ and wiki/sources/, its bytes with the front matter's added time left out. */
    static Map<String, String> documents(Path kbDir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String sub : List.of("raw", "wiki/sources")) {
            try (Stream<Path> s = Files.walk(kbDir.resolve(sub))) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                    out.put(kbDir.relativize(p).toString(), text.replaceAll("(?m)^added: .*$", "added: *"));
                }
            }
        }
        return out;
    }

    List<RecordedRequest> since(int from) {
        synchronized (requests) {
            return List.copyOf(requests.subList(from, requests.size()));
        }
    }

    @Test
    void aUrlThePublicKbHoldsIsRevalidatedNotDownloadedAndItsFilesAreThePublicKbs() throws IOException {
        in(pub, "add", url("/notes/guide.md"), url("/articles/launch.html")).expect(0);
        assertEquals(2, bodies.get());
        KbState.Snapshot before = KbState.snapshot(pub);

        int from = requests.size();
        Kb.Result r = in(second, "add", "--json", "--cache", "kb:" + pub, url("/notes/guide.md"),
                url("/articles/launch.html")).expect(0);
        assertEquals(2, r.summary().get("added").asInt());
        assertFalse(r.err().contains("warning"), r.err());
        assertEquals(2, bodies.get(), "a body was downloaded again");
        List<RecordedRequest> asked = since(from);
        assertEquals(2, asked.size(), "one conditional request each: " + asked);
        for (RecordedRequest q : asked) {
            assertNotNull(q.getHeader("If-None-Match"), q.getPath() + " was asked for without its validator");
        }
        assertEquals(documents(pub), documents(second));
        assertEquals(4, documents(second).size());
        KbState.assertUnchanged(before, pub);
        KbState.assertAtRest(second);

        // KB_CACHE, relative to the working directory, and --cache-max-age: neither is even asked
        // for (the public KB recorded what each fetch said, where it ended among it)
        Path third = tmp.resolve("third");
        Kb.run(work, env, "init", third.toString()).expect(0);
        from = requests.size();
        Kb.Result r3 = Kb.run(work, Kb.env(home, "KB_CACHE", "kb:" + work.relativize(pub)), "--kb", third.toString(),
                "add", "-v", "--cache-max-age", "1h", url("/notes/guide.md"), url("/articles/launch.html")).expect(0);
        assertFalse(r3.err().contains("warning"), r3.err());
        assertEquals(List.of(), since(from).stream().map(RecordedRequest::getPath).toList());
        assertTrue(r3.err().contains("kb: cache kb:" + work.relativize(pub) + ": 3 hit(s), 0 miss(es) in this run")
                || r3.err().contains("kb: cache kb:" + pub + ": 3 hit(s), 0 miss(es) in this run"), r3.err());
        assertEquals(documents(pub), documents(third));
        KbState.assertUnchanged(before, pub);
    }

    /**
     * Issue 12: "a URL ... (raw bytes and converted page ...) instead of fetched". An HTML page
     * reached through a redirect, whose Content-Type names its charset and whose text is not all
     * ASCII: the public KB recorded what the fetch said (final URL, Content-Type, name hint), so a
     * second KB is handed the URL entry that fetch stored and, under the same conversion key, the
     * public KB's page. Nothing is asked of the server, and the second KB's files are those of a
     * KB built with no cache.
     */
    @Test
    void anHtmlPageReachedThroughARedirectComesWithItsConvertedPageAndNothingIsFetched() throws IOException {
        moved.put("/handbook", "/team/handbook.html");
        served.put("/team/handbook.html", new String[] {html("Caf\u00e9 handbook",
                "Where the caf\u00e9 is: see <a href=\"rooms/floor-2.html\">the second floor</a>."),
                "text/html; charset=utf-8", "\"h1\""});
        Path none = tmp.resolve("none");
        Kb.run(work, env, "init", none.toString()).expect(0);
        in(none, "add", "--cache", "none", url("/handbook")).expect(0);
        assertTrue(read(none.resolve("wiki/sources/handbook.md")).contains(url("/team/rooms/floor-2.html")),
                "the link was not resolved against where the redirect led");
        in(pub, "add", url("/handbook")).expect(0);
        assertEquals(documents(none), documents(pub));
        KbState.Snapshot before = KbState.snapshot(pub);

        int from = requests.size();
        Kb.Result r = in(second, "add", "-v", "--json", "--cache", "kb:" + pub, "--cache-max-age", "1h",
                url("/handbook")).expect(0);
        assertEquals(1, r.summary().get("added").asInt());
        assertFalse(r.err().contains("warning"), r.err());
        assertEquals(List.of(), since(from), "the server was asked");
        assertTrue(r.err().contains("kb: cache kb:" + pub + ": 2 hit(s), 0 miss(es) in this run"),
                "the URL and its page are two hits: " + r.err());
        assertEquals(documents(none), documents(second));
        assertEquals(2, documents(second).size());
        KbState.assertAtRest(second);
        KbState.assertUnchanged(before, pub);

        // without --cache-max-age: one conditional request, answered 304 where the redirect leads,
        // which is where the record says the fetch ended; still nothing downloaded or converted
        Path third = tmp.resolve("third");
        Kb.run(work, env, "init", third.toString()).expect(0);
        int bodiesBefore = bodies.get();
        from = requests.size();
        Kb.Result t = in(third, "add", "-v", "--cache", "kb:" + pub, url("/handbook")).expect(0);
        assertEquals(bodiesBefore, bodies.get(), "the page was downloaded again");
        assertEquals(List.of("/handbook", "/team/handbook.html"),
                since(from).stream().map(RecordedRequest::getPath).toList());
        assertTrue(t.err().contains("kb: cache kb:" + pub + ": 2 hit(s), 0 miss(es) in this run"), t.err());
        assertEquals(documents(none), documents(third));
    }

    /** A PDF worth converting once: the corpus paper when ../shared is there, else a small one. */
    static byte[] paper() throws IOException {
        String shared = System.getProperty("kb.shared");
        Path p = shared == null ? null : Path.of(shared, "corpus/pdf/attention-is-all-you-need.pdf");
        return p != null && Files.isRegularFile(p) ? Files.readAllBytes(p)
                : UrlTest.minimalPdf("A paper the whole team adds, converted once");
    }

    /** Every file of the KB (.kb/ included) with its modification time: what reading it must not touch. */
    static Map<String, Long> mtimes(Path kbDir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(kbDir)) {
            for (Path p : s.filter(f -> !f.startsWith(kbDir.resolve(KbState.PROGRESS))).toList()) {
                out.put(kbDir.relativize(p).toString(), Files.getLastModifiedTime(p,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis());
            }
        }
        return out;
    }

    /**
     * Issue 12: "a URL, content hash or cloud id it already holds". A local PDF and HTML page the
     * public KB converted are not converted again by a second KB adding the same files (its row
     * records the key its page was made under and the page's hash): both are hits of the kb:
     * cache, and the second KB's files are those of a KB built with no cache. A page edited in the
     * public KB since is a quiet miss, and the file is converted again, to the same result. The
     * public KB is not written: its files, their times, no -wal or -shm beside its registry.
     */
    @Test
    void aLocalPdfThePublicKbConvertedIsNotConvertedAgainAndTheDocumentIsTheOneConvertingMakes() throws IOException {
        file("papers/attention.pdf", paper());
        file("papers/launch.html", html("Launch", "The launch went well, as the team wrote it down"));
        Path none = tmp.resolve("none");
        Kb.run(work, env, "init", none.toString()).expect(0);
        in(none, "add", "--cache", "none", "papers").expect(0);
        in(pub, "add", "papers").expect(0);
        assertEquals(documents(none), documents(pub));
        assertFalse(Files.exists(pub.resolve(".kb/registry.db-wal")) || Files.exists(pub.resolve(".kb/registry.db-shm")));
        KbState.Snapshot before = KbState.snapshot(pub);
        Map<String, Long> times = mtimes(pub);

        Kb.Result r = in(second, "add", "-v", "--json", "--cache", "kb:" + pub, "papers").expect(0);
        assertEquals(2, r.summary().get("added").asInt());
        assertFalse(r.err().contains("warning"), r.err());
        assertTrue(r.err().contains("kb: cache kb:" + pub + ": 2 hit(s), 0 miss(es) in this run"),
                "the PDF or the page was converted again: " + r.err());
        assertEquals(documents(none), documents(second));
        assertEquals(4, documents(second).size());
        KbState.assertAtRest(second);
        KbState.assertUnchanged(before, pub);
        assertEquals(times, mtimes(pub), "a file of the public KB was touched");
        assertFalse(Files.exists(pub.resolve(".kb/registry.db-wal")), "a -wal was made beside its registry");
        assertFalse(Files.exists(pub.resolve(".kb/registry.db-shm")), "a -shm was made beside its registry");

        // a person's note below the paper's text: no longer the page converting makes
        Path page = pub.resolve("wiki/sources/attention.md");
        Files.writeString(page, read(page) + "\nOur reading group's notes on it.\n");
        KbState.Snapshot edited = KbState.snapshot(pub);
        times = mtimes(pub);
        Path third = tmp.resolve("third");
        Kb.run(work, env, "init", third.toString()).expect(0);
        Kb.Result t = in(third, "add", "-v", "--cache", "kb:" + pub, "papers").expect(0);
        assertFalse(t.err().contains("warning"), "an edited page is no damage: " + t.err());
        assertTrue(t.err().contains("kb: cache kb:" + pub + ": 1 hit(s), 1 miss(es) in this run"), t.err());
        assertEquals(documents(none), documents(third), "the edit came along, or the PDF was not converted");
        KbState.assertUnchanged(edited, pub);
        assertEquals(times, mtimes(pub));
    }

    /**
     * The public KB's own writer paused mid-commit ({@code KB_TEST_PAUSE_AT=published}: its lock
     * held, its journal written, the new bytes of a document it updates published, its registry
     * not yet committed). The second KB's add does not wait for it, changes nothing there, takes
     * the unchanged document from it, and treats the one mid-change as a miss: it gets what the
     * server serves, not the public KB's new bytes under its old row.
     */
    @Test
    void whileThePublicKbsWriterHoldsItsLockMidCommitAnAddNeitherWaitsNorWritesNorTakesAHalfChangedDocument()
            throws Exception {
        in(pub, "add", url("/notes/guide.md"), url("/notes/changing.md")).expect(0);
        String[] first = served.get("/notes/changing.md");
        served.put("/notes/changing.md", new String[] {markdown("Changing", "The second version, longer than the "
                + "first."), first[1], "\"c2\""});
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Kb.Running writer = Kb.start(work, Kb.env(home, "KB_TEST_PAUSE_AT", "published", "KB_TEST_PAUSE_DIR",
                pause.toString()), "--kb", pub.toString(), "add", url("/notes/changing.md"));
        try {
            Kb.awaitCondition(Duration.ofSeconds(60), "the public KB's writer to pause after publishing",
                    () -> Files.exists(pause.resolve("paused")) || !writer.process.isAlive());
            assertTrue(writer.process.isAlive(), "its writer ended before pausing: " + writer.err());
            assertTrue(read(pub.resolve("raw/changing.md")).contains("second version"), "not published yet");
            served.put("/notes/changing.md", first); // the server serves the first version again
            KbState.Snapshot before = KbState.snapshotFiles(pub);

            int bodiesBefore = bodies.get();
            Kb.Result r = in(second, "add", "--json", "--wait", "0", "--cache", "kb:" + pub, url("/notes/guide.md"),
                    url("/notes/changing.md")).expect(0);
            assertTrue(writer.process.isAlive(), "the public KB's writer must still be paused");
            assertFalse(Files.exists(pause.resolve("resume")));
            assertEquals(2, r.summary().get("added").asInt());
            assertFalse(r.err().contains("warning"), "a writer at work there is no damage: " + r.err());
            assertEquals(bodiesBefore + 1, bodies.get(), "the half-changed document was not fetched from the server");
            KbState.assertUnchanged(before, pub);

            assertEquals(read(pub.resolve("raw/guide.md")), read(second.resolve("raw/guide.md")));
            assertEquals(first[0], read(second.resolve("raw/changing.md")), "the server's bytes, not the public KB's");
        } finally {
            Files.createFile(pause.resolve("resume"));
            writer.await().expect(0);
        }
        assertTrue(read(pub.resolve("raw/changing.md")).contains("second version"));
        KbState.assertAtRest(pub);
    }

    @Test
    void aDamagedFileOfThePublicKbIsAMissWithOneWarningAndTheDocumentComesFromTheServer() throws IOException {
        in(pub, "add", url("/notes/guide.md"), url("/articles/launch.html")).expect(0);
        Map<String, String> expected = documents(pub);
        for (String raw : List.of("raw/guide.md", "raw/launch.html")) {
            byte[] b = Files.readAllBytes(pub.resolve(raw));
            b[b.length / 2] ^= 0x01;
            Files.write(pub.resolve(raw), b);
        }
        KbState.Snapshot damaged = KbState.snapshot(pub);
        int from = requests.size();
        Kb.Result r = in(second, "add", "--cache", "kb:" + pub, url("/notes/guide.md"), url("/articles/launch.html"))
                .expect(0).assertNoStackTrace();
        List<String> warnings = r.errLines().stream().filter(l -> l.contains("warning")).toList();
        assertEquals(List.of("kb: warning: cache kb:" + pub + ": an entry failed verification (its raw does not match "
                + "its hash); ignored"), warnings);
        assertEquals(4, since(from).size(), "a conditional request, then the whole document, for each");
        assertEquals(expected, documents(second), "the documents the server serves");
        KbState.assertUnchanged(damaged, pub);

        Kb.Result v = in(second, "cache", "verify", "kb:" + pub).expect(0);
        assertEquals(List.of("kb:" + pub + " (" + pub.toRealPath() + "): 2 checked, 0 dropped, 2 failed and kept (read "
                        + "only; each is a miss)", "  guide: raw/guide.md does not match its sha256",
                "  launch: raw/launch.html does not match its sha256"), v.out().lines().toList());
        KbState.assertUnchanged(damaged, pub);
    }

    @Test
    void kbCacheInspectsItAndNeverClearsIt() throws IOException {
        in(pub, "add", url("/notes/guide.md"), url("/articles/launch.html")).expect(0);
        file("local.md", markdown("Local", "not a URL: no entry of the cache"));
        in(pub, "add", work.resolve("local.md").toString()).expect(0);
        KbState.Snapshot before = KbState.snapshot(pub);
        String spec = "kb:" + pub;

        JsonNode stats = in(second, "cache", "stats", "--json", spec).expect(0).json().get(0);
        assertEquals(spec, stats.get("cache").asText());
        assertEquals(pub.toRealPath().toString(), stats.get("path").asText());
        assertEquals(2, stats.get("entries").asInt());
        long bytes = Files.size(pub.resolve("raw/guide.md")) + Files.size(pub.resolve("raw/launch.html"));
        assertEquals(bytes, stats.get("bytes").asLong());

        JsonNode verify = in(second, "cache", "verify", "--json", spec).expect(0).json().get(0);
        assertEquals(2, verify.get("checked").asInt());
        assertEquals(0, verify.get("failed").asInt());

        in(second, "cache", "clear", spec).expect(2).oneErrorLine("cache " + spec + " is another knowledge base, read "
                + "only: kb never clears it");
        KbState.assertUnchanged(before, pub);
        assertEquals(before.rows(), KbState.rows(pub));
    }

    /** On a read-only mount (a backup, a shared volume): read as it is, with no -shm to make beside its registry. */
    @Test
    void aPublicKbOnAReadOnlyMountIsReadAsItIs() throws Exception {
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        assumeTrue(ReadOnlyKbTest.succeeds("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind -o ro '" + probe + "' '" + probe + "'"), "cannot bind-mount in a private mount namespace");
        in(pub, "add", url("/notes/guide.md")).expect(0);
        KbState.Snapshot before = KbState.snapshot(pub);
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        String kbCmd = String.join(" ", ReadOnlyKbTest.quoted(Kb.javaCommand())) + " -jar '" + Kb.jar() + "' --kb '"
                + second + "'";
        String script = String.join("\n",
                "mount --bind -o ro '" + pub + "' '" + ro + "' || exit 99",
                "touch '" + ro + "/.kb/probe' 2>/dev/null && exit 98",
                kbCmd + " add --cache 'kb:" + ro + "' '" + url("/notes/guide.md") + "'; echo \"add-exit $?\" >&2");
        Kb.Result r = Kb.startRaw(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
                work, env).await().expect(0);
        assertTrue(r.err().contains("add-exit 0"), r.err());
        assertFalse(r.err().contains("warning"), r.err());
        assertEquals(1, bodies.get(), "downloaded again");
        assertEquals(documents(pub), documents(second));
        KbState.assertUnchanged(before, pub);
    }

    @Test
    void aPathThatIsNoKnowledgeBaseIsOneWarningAndTheAddGoesToTheServer() throws IOException {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Path missing = tmp.resolve("missing");
        Kb.Result r = in(second, "add", "--cache", "kb:" + missing, "--cache", "kb:" + plain, url("/notes/guide.md"),
                url("/articles/launch.html")).expect(0).assertNoStackTrace();
        assertEquals(List.of("kb: warning: cache kb:" + missing + ": initialize: no knowledge base at " + missing
                        + " (no such directory); not used for the rest of this run",
                "kb: warning: cache kb:" + plain + ": initialize: " + plain + " is not a knowledge base (it has no "
                        + ".kb/); not used for the rest of this run"),
                r.errLines().stream().filter(l -> l.contains("warning")).toList());
        assertEquals(2, bodies.get());
        assertFalse(Files.exists(missing));
        assertEquals(List.of(), KbState.list(plain));
        assertEquals(2, KbState.rows(second).size());
    }
}
