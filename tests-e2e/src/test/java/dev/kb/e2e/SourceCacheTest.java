package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Source caches from the outside (contract: {@code --cache}, {@code KB_CACHE}, {@code kb cache}):
 * a second KB takes URLs with a 304 and converts no PDF again; a broken cache costs at most one
 * warning and changes nothing of what the KB becomes; two processes share one {@code dir} cache;
 * without a cache, nothing of the machinery is loaded.
 */
class SourceCacheTest extends E2EBase {
    static final String PAGE = html("Cached Page", "An article that a team adds to many knowledge bases.");
    static final byte[] PDF = UrlTest.minimalPdf("Figures of a paper that several KBs hold");

    MockWebServer server;
    final AtomicInteger fullBodies = new AtomicInteger();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());

    /**
     * A deadline for cache operations that a loaded machine meets: these tests check what
     * caching does, and two JVMs converting on two busy cores can take a local file operation
     * past 250 ms (a timeout is a miss, and would pass here for a wrong count). Settings come
     * from the user's file; it names no cache, so the flags still choose them.
     */
    @BeforeEach
    void patientDeadline() throws IOException {
        Files.createDirectories(home.resolve(".config/kb"));
        Files.writeString(home.resolve(".config/kb/cache.properties"), "deadline = 20s\n");
    }

    @BeforeEach
    void serve() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.add(r);
                switch (r.getPath()) {
                    case "/page.html":
                        if ("\"p1\"".equals(r.getHeader("If-None-Match"))) {
                            return new MockResponse().setResponseCode(304).setHeader("ETag", "\"p1\"");
                        }
                        fullBodies.incrementAndGet();
                        return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                                .setHeader("ETag", "\"p1\"").setBody(PAGE);
                    case "/paper.pdf":
                        if ("Mon, 01 Dec 2025 10:00:00 GMT".equals(r.getHeader("If-Modified-Since"))) {
                            return new MockResponse().setResponseCode(304);
                        }
                        fullBodies.incrementAndGet();
                        return new MockResponse().setHeader("Content-Type", "application/pdf")
                                .setHeader("Last-Modified", "Mon, 01 Dec 2025 10:00:00 GMT").setBody(new Buffer().write(PDF));
                    default:
                        return new MockResponse().setResponseCode(404);
                }
            }
        });
        server.start();
        file("in/local.pdf", UrlTest.minimalPdf("A local PDF converted once for the whole team"));
        file("in/notes.md", markdown("Notes", "plain notes, never cached"));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    String url(String path) {
        return server.url(path).toString();
    }

    /** {@code kb --kb <dir> args…}. */
    Kb.Result at(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of("--kb", dir.toString()));
        all.addAll(List.of(args));
        return Kb.run(work, env, all.toArray(String[]::new));
    }

    Path newKb(String name) {
        Path dir = tmp.resolve(name);
        Kb.run(work, env, "init", dir.toString()).expect(0);
        return dir;
    }

    /** raw/ and wiki/sources/ by path, the bytes as text, the front matter's added time blanked. */
    static Map<String, String> contents(Path kb) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String sub : List.of("raw", "wiki/sources")) {
            try (Stream<Path> s = Files.walk(kb.resolve(sub))) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    out.put(kb.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                            .replaceAll("(?m)^added: .*$", "added: *"));
                }
            }
        }
        return out;
    }

    String[] inputs(String... more) {
        List<String> all = new ArrayList<>(List.of("add", "in", url("/page.html"), url("/paper.pdf")));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static String[] join(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** Lines of stderr that are warnings about a cache. */
    static List<String> cacheWarnings(Kb.Result r) {
        return r.err().lines().filter(l -> l.startsWith("kb: warning: cache ")).toList();
    }

    JsonNode stats(String spec) {
        List<JsonNode> j = Kb.run(work, env, "cache", "stats", "--json", spec).expect(0).json();
        assertEquals(1, j.size());
        return j.get(0);
    }

    @Test
    void aSecondKbTakesItsUrlsWithA304AndConvertsNoPdfAgain() throws IOException {
        Path none = newKb("kb-none");
        at(none, join(inputs(), "--cache", "none")).expect(0);
        assertEquals(2, fullBodies.get());

        Path first = newKb("kb-first");
        Kb.Result cold = at(first, join(inputs(), "--cache", "dir", "-v")).expect(0);
        assertTrue(cold.err().contains("kb: cache dir: 0 hit(s), 5 miss(es) in this run"), cold.err());
        assertEquals(4, fullBodies.get());

        Path second = newKb("kb-second");
        int before = requests.size();
        Kb.Result warm = at(second, join(inputs(), "--cache", "dir", "-v")).expect(0);
        assertEquals(4, fullBodies.get(), "the second KB downloaded again");
        List<RecordedRequest> asked = requests.subList(before, requests.size());
        assertEquals(2, asked.size(), "one conditional request per URL");
        assertTrue(asked.stream().allMatch(r -> r.getHeader("If-None-Match") != null
                || r.getHeader("If-Modified-Since") != null), "a request without validators");
        // two URLs revalidated, and the page, the remote PDF and the local PDF not converted again
        assertTrue(warm.err().contains("kb: cache dir: 5 hit(s), 0 miss(es) in this run"), warm.err());
        assertEquals(List.of(), cacheWarnings(warm));
        assertTrue(warm.err().contains("kb: 4 added, 0 updated, 0 skipped, 0 failed"), warm.err());

        Map<String, String> expected = contents(none);
        assertEquals(8, expected.size(), expected.keySet().toString());
        assertEquals(expected, contents(first));
        assertEquals(expected, contents(second));

        JsonNode s = stats("dir");
        assertEquals(5, s.get("hits").asLong(), s.toString());
        assertEquals(5, s.get("misses").asLong(), s.toString());
        assertTrue(s.get("entries").asLong() >= 5, s.toString());
        assertTrue(s.get("bytes").asLong() > PDF.length, s.toString());
        assertEquals(home.resolve(".cache/kb/sources").toString(), s.get("path").asText());
        KbState.assertAtRest(second);
    }

    @Test
    void underCacheMaxAgeAWarmCacheSendsNoRequest() {
        at(newKb("kb-a"), join(inputs(), "--cache", "dir")).expect(0);
        int before = requests.size();
        at(newKb("kb-b"), join(inputs(), "--cache", "dir", "--cache-max-age", "1h")).expect(0);
        assertEquals(before, requests.size(), "requests under --cache-max-age 1h");
    }

    @Test
    void aCacheThatIsNotADirectoryCostsOneWarningAndChangesNothing() throws IOException {
        Path none = newKb("kb-none");
        at(none, inputs()).expect(0);
        Path notADir = Files.writeString(tmp.resolve("a-file"), "not a directory");
        Path kbx = newKb("kb-x");
        Kb.Result r = at(kbx, join(inputs(), "--cache", "dir:" + notADir)).expect(0);
        List<String> w = cacheWarnings(r);
        assertEquals(1, w.size(), r.err());
        assertTrue(w.get(0).startsWith("kb: warning: cache dir:" + notADir + ": "), w.get(0));
        assertTrue(w.get(0).endsWith("; not used for the rest of this run"), w.get(0));
        assertEquals(contents(none), contents(kbx));
        assertEquals("not a directory", read(notADir));
    }

    @Test
    void aCacheWhoseWritesFailMidRunWarnsOnceAndTheAddsSucceed() throws IOException {
        Path shared = tmp.resolve("shared");
        at(newKb("kb-warm"), join(inputs(), "--cache", "dir:" + shared)).expect(0);
        // stores now fail (the blobs folder is a file; as root, a chmod would not stop a write)
        deleteTree(shared.resolve("blobs"));
        Files.writeString(shared.resolve("blobs"), "in the way");
        for (int i = 0; i < 4; i++) {
            file("more/extra-" + i + ".pdf", UrlTest.minimalPdf("Extra PDF number " + i));
        }
        Path none = newKb("kb-none");
        at(none, join(inputs(), "more")).expect(0);
        Path kbx = newKb("kb-x");
        Kb.Result r = at(kbx, join(inputs(), "more", "--cache", "dir:" + shared)).expect(0);
        assertEquals(1, cacheWarnings(r).size(), r.err());
        assertEquals(contents(none), contents(kbx));
    }

    @Test
    void corruptEntriesAreMissesWithAtMostOneWarningAndTheSameKb() throws IOException {
        Path shared = tmp.resolve("shared");
        at(newKb("kb-warm"), join(inputs(), "--cache", "dir:" + shared)).expect(0);
        int flipped = 0;
        try (Stream<Path> s = Files.walk(shared.resolve("blobs"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                b[b.length / 2] ^= 0x01;
                Files.write(p, b);
                flipped++;
            }
        }
        try (Stream<Path> s = Files.walk(shared.resolve("entries"))) {
            Path one = s.filter(Files::isRegularFile).findFirst().orElseThrow();
            Files.write(one, java.util.Arrays.copyOf(Files.readAllBytes(one), 40)); // cut short
        }
        assertTrue(flipped >= 4, "blobs: " + flipped);
        Path none = newKb("kb-none");
        at(none, inputs()).expect(0);
        int bodies = fullBodies.get();
        Path kbx = newKb("kb-x");
        Kb.Result r = at(kbx, join(inputs(), "--cache", "dir:" + shared)).expect(0);
        assertTrue(cacheWarnings(r).size() <= 1, r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals(contents(none), contents(kbx));
        assertEquals(bodies + 2, fullBodies.get(), "the damaged URLs were not fetched again");
        // what the run stored in place of the damaged entries is sound: a next KB is all hits
        Kb.Result again = at(newKb("kb-y"), join(inputs(), "--cache", "dir:" + shared, "-v")).expect(0);
        assertTrue(again.err().contains("5 hit(s), 0 miss(es)"), again.err() + "\n--- first run:\n" + r.err());
    }

    @Test
    void twoKbsOnOneDirCacheWrittenByConcurrentProcesses() throws IOException {
        for (int i = 0; i < 12; i++) {
            file("batch/doc-" + i + ".pdf", UrlTest.minimalPdf("Concurrent PDF number " + i));
            file("batch/page-" + i + ".html", html("Concurrent page " + i, "Page " + i + " of a shared batch."));
        }
        String shared = "dir:" + tmp.resolve("shared");
        Path a = newKb("kb-a");
        Path b = newKb("kb-b");
        String[] args = join(inputs("batch"), "--cache", shared);
        Kb.Running ra = Kb.start(work, env, join(new String[] {"--kb", a.toString()}, args));
        Kb.Running rb = Kb.start(work, env, join(new String[] {"--kb", b.toString()}, args));
        Kb.Result resA = ra.await().expect(0);
        Kb.Result resB = rb.await().expect(0);
        assertEquals(List.of(), cacheWarnings(resA), resA.err());
        assertEquals(List.of(), cacheWarnings(resB), resB.err());
        Path none = newKb("kb-none");
        at(none, inputs("batch")).expect(0);
        Map<String, String> expected = contents(none);
        assertEquals(expected, contents(a));
        assertEquals(expected, contents(b));
        List<JsonNode> v = Kb.run(work, env, "cache", "verify", "--json", shared).expect(0).json();
        assertEquals(0, v.get(0).get("dropped").asLong(), v.toString());
        assertTrue(v.get(0).get("checked").asLong() >= 2 * 27, v.toString());
        Kb.Result c = at(newKb("kb-c"), join(args, "-v")).expect(0);
        assertTrue(c.err().contains("hit(s), 0 miss(es)"), c.err());
        KbState.assertAtRest(a);
        KbState.assertAtRest(b);
    }

    @Test
    void withoutACacheNothingOfTheCacheMachineryIsLoaded() throws IOException {
        Files.delete(home.resolve(".config/kb/cache.properties")); // nothing configured at all
        init();
        Path log = tmp.resolve("classes.log");
        Kb.runWithJvmFlags(work, env, List.of("-Xlog:class+load=info:file=" + log), "--kb", kb.toString(), "add",
                "in/notes.md").expect(0);
        List<String> loaded = Files.readAllLines(log).stream().filter(l -> l.contains("dev.kb.core.cache."))
                .map(l -> l.replaceAll(".*(dev\\.kb\\.core\\.cache\\.\\S+).*", "$1")).distinct().toList();
        assertEquals(List.of("dev.kb.core.cache.CacheConfig"), loaded);
    }

    @Test
    void anUnreachableRedisIsOneWarningAndABadSpecAUsageErrorWithoutItsPassword() {
        init();
        // nothing listens on port 1: an outage (one warning naming the cache without its
        // password, the add done), and the password appears nowhere
        Kb.Result r = kb("add", "in/notes.md", "--cache", "redis://ops:hunter2@127.0.0.1:1/0");
        assertFalse(r.err().contains("hunter2") || r.out().contains("hunter2"), r.err());
        assertTrue(r.err().contains("redis://ops@127.0.0.1:1/0"), r.err());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.contains("redis://")).count(), r.err());
        kb("remove", "notes").expect(0);
        KbState.Snapshot before = KbState.snapshot(kb);
        kb("add", "in/notes.md", "--cache", "memcached://x").expect(2);
        kb("add", "in/notes.md", "--cache", "none", "--cache", "dir").expect(2);
        kbEnv(new String[] {"KB_CACHE", "dir:" + tmp + ",nonsense"}, "add", "in/notes.md").expect(2);
        Kb.Result j = kb("add", "in/notes.md", "--json", "--cache", "bogus").expect(2);
        assertEquals(2, j.json().get(0).get("error").get("code").asInt(), j.out());
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheKbConfigWhichBeatsTheUserConfig() throws IOException {
        init();
        Path user = tmp.resolve("c-user");
        Path kbc = tmp.resolve("c-kb");
        Path envc = tmp.resolve("c-env");
        Path flag = tmp.resolve("c-flag");
        Files.writeString(home.resolve(".config/kb/cache.properties"), "# the user's caches\ncache = dir:" + user + "\n");
        kb("add", "in/local.pdf").expect(0);
        assertTrue(hasEntries(user), "the user config was not used");

        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = dir:" + kbc + "\nmax-age = 1h\n");
        file("in/two.pdf", UrlTest.minimalPdf("Second PDF"));
        kb("add", "in/two.pdf").expect(0);
        assertTrue(hasEntries(kbc), "the KB config was not used");
        assertEquals(1, entries(user), "the user config was used although the KB's names a cache");

        file("in/three.pdf", UrlTest.minimalPdf("Third PDF"));
        kbEnv(new String[] {"KB_CACHE", "dir:" + envc}, "add", "in/three.pdf").expect(0);
        assertTrue(hasEntries(envc));
        assertEquals(1, entries(kbc));

        file("in/four.pdf", UrlTest.minimalPdf("Fourth PDF"));
        kbEnv(new String[] {"KB_CACHE", "dir:" + envc}, "add", "in/four.pdf", "--cache", "dir:" + flag).expect(0);
        assertTrue(hasEntries(flag));
        assertEquals(1, entries(envc));

        // kb cache without SPEC: the configured ones (here the KB's)
        List<JsonNode> s = kb("cache", "stats", "--json").expect(0).json();
        assertEquals("dir:" + kbc, s.get(0).get("cache").asText());
        // a bad setting is a usage error naming the file and the key
        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = dir:" + kbc + "\ndeadline = soon\n");
        Kb.Result bad = kb("add", "in/four.pdf").expect(2);
        assertTrue(bad.err().contains(kb.resolve(".kb/cache.properties") + ": deadline: "), bad.err());
    }

    @Test
    void kbCacheStatsVerifyAndClear() throws IOException {
        at(newKb("kb-a"), join(inputs(), "--cache", "dir")).expect(0);
        JsonNode s = stats("dir");
        long entries = s.get("entries").asLong();
        assertEquals(5, entries, s.toString());
        Path blobs = home.resolve(".cache/kb/sources/blobs");
        try (Stream<Path> w = Files.walk(blobs)) {
            Path one = w.filter(Files::isRegularFile).findFirst().orElseThrow();
            Files.writeString(one, "tampered", StandardOpenOption_APPEND);
        }
        List<JsonNode> v = Kb.run(work, env, "cache", "verify", "--json").expect(0).json();
        assertTrue(v.get(0).get("dropped").asLong() >= 1, v.toString());
        Kb.Result human = Kb.run(work, env, "cache", "stats").expect(0);
        assertTrue(human.out().startsWith("dir (" + home.resolve(".cache/kb/sources") + "): "), human.out());
        Kb.run(work, env, "cache", "clear").expect(0);
        JsonNode after = stats("dir");
        assertEquals(0, after.get("entries").asLong(), after.toString());
        assertEquals(0, after.get("hits").asLong(), after.toString());
        Kb.run(work, env, "cache").expect(2);
    }

    private static final java.nio.file.OpenOption StandardOpenOption_APPEND = java.nio.file.StandardOpenOption.APPEND;

    static boolean hasEntries(Path dir) throws IOException {
        return entries(dir) > 0;
    }

    static long entries(Path dir) throws IOException {
        Path e = dir.resolve("entries");
        if (!Files.isDirectory(e)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(e)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
