package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kb.testing.RedisExtension;
import dev.kb.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --cache redis://…} end to end: real kb processes, a real redis-server started for each
 * test, web documents from a MockWebServer. A second KB gets what a first one downloaded and
 * converted from Redis; every way the server can fail is a warning and the KB built without it;
 * and nothing of the client is loaded by a kb that has no Redis cache.
 */
class RedisCacheTest extends E2EBase {
    static final int PAGES = 5;

    @RegisterExtension
    final RedisExtension redis = new RedisExtension();

    MockWebServer web;
    /** Responses with a body (200) the web server gave, and all requests. */
    final AtomicInteger bodies = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<RecordedRequest> recorded = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void serve() throws IOException {
        web = new MockWebServer();
        web.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                requests.incrementAndGet();
                recorded.add(r);
                String path = r.getPath();
                String etag = "\"" + path.hashCode() + "\"";
                if (!path.startsWith("/page-") && !path.startsWith("/paper-")) {
                    return new MockResponse().setResponseCode(404);
                }
                if (etag.equals(r.getHeader("If-None-Match"))) {
                    return new MockResponse().setResponseCode(304).setHeader("ETag", etag);
                }
                bodies.incrementAndGet();
                if (path.startsWith("/paper-")) {
                    return new MockResponse().setHeader("Content-Type", "application/pdf").setHeader("ETag", etag)
                            .setBody(new Buffer().write(UrlTest.minimalPdf("A paper served as " + path)));
                }
                return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setHeader("ETag", etag)
                        .setBody(html("Page " + path, "The text of " + path + "."));
            }
        });
        web.start();
    }

    @AfterEach
    void stopWeb() throws IOException {
        web.shutdown();
    }

    String redisUrl() {
        return redis.server().url();
    }

    List<String> urls(int pages, int papers) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= pages; i++) {
            out.add(web.url("/page-" + i + ".html").toString());
        }
        for (int i = 1; i <= papers; i++) {
            out.add(web.url("/paper-" + i).toString());
        }
        return out;
    }

    Path newKb(String name) {
        Path k = tmp.resolve(name);
        Kb.run(work, env, "init", k.toString()).expect(0);
        return k;
    }

    Kb.Result addInto(Path k, List<String> options, List<String> inputs) {
        return Kb.run(work, env, args(k, options, inputs));
    }

    static String[] args(Path k, List<String> options, List<String> inputs) {
        List<String> a = new ArrayList<>(List.of("--kb", k.toString(), "add", "--json"));
        a.addAll(options);
        a.addAll(inputs);
        return a.toArray(String[]::new);
    }

    static void allAdded(Kb.Result r, int n) {
        assertEquals(n, r.events().size(), r.out() + r.err());
        for (JsonNode e : r.events()) {
            assertEquals("added", e.get("status").asText(), e.toString() + "\n" + r.err());
        }
    }

    /** The lines of stderr that are warnings about a cache. */
    static List<String> cacheWarnings(Kb.Result r) {
        return r.errLines().stream().filter(l -> l.startsWith("kb: warning: cache ")).toList();
    }

    /** raw/ and wiki/sources/ of a KB, each file's bytes as text, the time it was added left out. */
    static Map<String, String> content(Path k) {
        Map<String, String> out = new TreeMap<>();
        for (String dir : List.of("raw", "wiki/sources")) {
            Path root = k.resolve(dir);
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1); // every byte kept
                    out.put(k.relativize(p).toString(), text.replaceAll("(?m)^added: .*$", "added: *"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    @Test
    void aSecondKbGetsWhatTheFirstDownloadedFromRedisAndIsTheSame() {
        List<String> inputs = urls(PAGES, 2);
        Path kb1 = newKb("kb1");
        allAdded(addInto(kb1, List.of("--cache", redisUrl()), inputs).expect(0), inputs.size());
        assertEquals(inputs.size(), bodies.get(), "the first KB downloads everything");

        bodies.set(0);
        requests.set(0);
        recorded.clear();
        Path kb2 = newKb("kb2");
        Kb.Result second = addInto(kb2, List.of("--cache", redisUrl()), inputs).expect(0);
        allAdded(second, inputs.size());
        assertEquals(List.of(), cacheWarnings(second));
        assertEquals(0, bodies.get(), "the second KB downloaded bodies again");
        assertEquals(inputs.size(), requests.get(), "one conditional request per URL (max age 0)");
        for (RecordedRequest r : recorded) {
            assertTrue(r.getHeader("If-None-Match") != null, "an unconditional request: " + r.getPath());
        }
        assertEquals(content(kb1), content(kb2));

        // younger than --cache-max-age: not even a conditional request
        requests.set(0);
        Path kb3 = newKb("kb3");
        allAdded(addInto(kb3, List.of("--cache", redisUrl(), "--cache-max-age", "1h"), inputs).expect(0), inputs.size());
        assertEquals(0, requests.get(), "a fresh cached URL was asked for");
        assertEquals(content(kb1), content(kb3));

        // and the KB built with no cache at all is the same
        Path none = newKb("none");
        allAdded(addInto(none, List.of(), inputs).expect(0), inputs.size());
        assertEquals(content(none), content(kb1));

        JsonNode stats = Kb.run(work, env, "cache", "stats", "--json", redisUrl()).expect(0).json().get(0);
        assertTrue(stats.get("entries").asLong() >= inputs.size(), stats.toString());
        assertTrue(stats.get("hits").asLong() >= 2L * inputs.size(), stats.toString());
    }

    /** The class-load log of one kb command run with {@code -Xlog:class+load}. */
    List<String> classesLoaded(String name, String... args) throws IOException {
        Path log = tmp.resolve("classes-" + name + ".log");
        Kb.runWithJvmFlags(work, env, List.of("-Xlog:class+load:file=" + log), withKb(args)).expect(0);
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.size() > 300, name + ": the class-load log has " + lines.size() + " lines: not a log of it");
        return lines;
    }

    static List<String> clientClasses(List<String> log) {
        return log.stream().filter(l -> l.contains(" redis.clients.") || l.contains(" org.apache.commons.pool2."))
                .toList();
    }

    @Test
    void noClientClassIsLoadedWithoutARedisCache() throws IOException {
        List<String> version = classesLoaded("version", "--version");
        assertEquals(List.of(), clientClasses(version), "kb --version");
        init();
        file("note.md", markdown("A note", "Plain text."));
        file("page.html", html("A page", "Some page text."));
        file("other.html", html("Another page", "Other page text."));
        assertEquals(List.of(), clientClasses(classesLoaded("status", "status")), "kb status");
        assertEquals(List.of(), clientClasses(classesLoaded("add", "add", "note.md")), "kb add");
        assertEquals(List.of(), clientClasses(classesLoaded("add-dir", "add", "--cache", "dir:" + tmp.resolve("dc"),
                "page.html")), "kb add --cache dir:…");
        assertEquals(List.of(), clientClasses(classesLoaded("list", "list", "--json")), "kb list");
        // the control: the log would show them
        List<String> withRedis = clientClasses(classesLoaded("add-redis", "add", "--cache", redisUrl(), "other.html"));
        assertTrue(withRedis.stream().anyMatch(l -> l.contains(" redis.clients.jedis.Connection ")), withRedis.toString());
        assertTrue(withRedis.stream().anyMatch(l -> l.contains(" org.apache.commons.pool2.")), withRedis.toString());
    }

    /** Every file under {@code dir} whose bytes contain {@code secret}. */
    static List<Path> filesHolding(Path dir, String secret) throws IOException {
        byte[] s = secret.getBytes(StandardCharsets.UTF_8);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                        .contains(new String(s, StandardCharsets.ISO_8859_1))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Test
    void aWrongPasswordIsOneWarningWithoutItAndTheAddGoesOn() throws Exception {
        String right = "Right-Pw-42";
        String wrong = "Wrong-Pw-17";
        try (RedisServer locked = RedisServer.startWithPassword(tmp.resolve("locked"), right)) {
            List<String> inputs = urls(3, 1);
            Path k = newKb("kb-wrong");
            String spec = "redis://:" + wrong + "@127.0.0.1:" + locked.port();
            Kb.Result r = addInto(k, List.of("--cache", spec), inputs).expect(0);
            allAdded(r, inputs.size());
            List<String> w = cacheWarnings(r);
            assertEquals(1, w.size(), r.err());
            assertTrue(w.get(0).startsWith("kb: warning: cache redis://127.0.0.1:" + locked.port() + ": "), w.get(0));
            assertTrue(w.get(0).contains("authentication failed"), w.get(0));
            assertFalse(r.out().contains(wrong) || r.err().contains(wrong), r.out() + r.err());
            assertEquals(0L, locked.command("DBSIZE"));

            Path ok = newKb("kb-right");
            String good = "redis://:" + right + "@127.0.0.1:" + locked.port();
            Kb.Result g = addInto(ok, List.of("--cache", good, "--verbose"), inputs).expect(0);
            allAdded(g, inputs.size());
            assertEquals(List.of(), cacheWarnings(g));
            assertTrue((Long) locked.command("DBSIZE") > 0, "nothing stored with the right password");
            assertFalse(g.out().contains(right) || g.err().contains(right), g.err());
            // in no file kb wrote: KBs, HOME (kb's cache and config directories)
            assertEquals(List.of(), filesHolding(tmp.resolve("kb-wrong"), wrong));
            assertEquals(List.of(), filesHolding(tmp.resolve("kb-right"), right));
            assertEquals(List.of(), filesHolding(home, wrong));
            assertEquals(List.of(), filesHolding(home, right));
            assertEquals(content(k), content(ok));
        }
    }

    @Test
    void aServerKilledMidBatchIsOneWarningAndTheBatchCompletes() throws Exception {
        String[] paths = {"/g1", "/g2", "/g3", "/g4", "/g5", "/g6"};
        try (GatedServer gated = new GatedServer(paths)) {
            init();
            List<String> a = new ArrayList<>(List.of("add", "--json", "--cache", redisUrl()));
            for (String p : paths) {
                a.add(gated.url(p));
            }
            Kb.Running run = startKb(a.toArray(String[]::new));
            gated.release("/g1");
            gated.release("/g2");
            // the first documents went through Redis: their entries are there
            Kb.awaitCondition(Duration.ofSeconds(60), "entries in Redis", () -> {
                try {
                    return ((List<?>) redis.server().command("KEYS", "kb:e:*")).size() >= 2;
                } catch (IOException e) {
                    return false;
                }
            });
            redis.server().kill();
            for (String p : paths) {
                gated.release(p);
            }
            Kb.Result r = run.await().expect(0);
            allAdded(r, paths.length);
            assertEquals(1, cacheWarnings(r).size(), r.err());
            KbState.assertAtRest(kb);
        }
    }

    @Test
    void aStoppedServerCostsTheBatchAboutOneDeadlineAndOneWarning() throws Exception {
        List<String> inputs = urls(20, 0);
        redis.server().pause();
        try {
            // interleaved, so that a machine busy with something else slows both alike
            long without = 0;
            long with = 0;
            for (int round = 0; round < 2; round++) {
                Path plain = newKb("plain-" + round);
                long t0 = System.nanoTime();
                allAdded(addInto(plain, List.of(), inputs).expect(0), inputs.size());
                without += System.nanoTime() - t0;
                Path cached = newKb("stopped-" + round);
                long t1 = System.nanoTime();
                Kb.Result r = addInto(cached, List.of("--cache", redisUrl()), inputs).expect(0);
                with += System.nanoTime() - t1;
                allAdded(r, inputs.size());
                List<String> w = cacheWarnings(r);
                assertEquals(1, w.size(), r.err());
                assertTrue(w.get(0).contains("no answer within 250ms"), w.get(0));
                assertEquals(content(plain), content(cached));
            }
            long extra = TimeUnit.NANOSECONDS.toMillis(with - without) / 2;
            // one deadline (250 ms) is the design; the rest is room for a loaded machine
            assertTrue(extra < 2500, "a stopped Redis cost each batch " + extra + " ms more");
        } finally {
            redis.server().resume();
        }
    }

    @Test
    void twoKbsWrittenAtOnceThroughOneRedisAreTheKbBuiltWithout() throws Exception {
        List<String> inputs = new ArrayList<>(urls(8, 2));
        for (int i = 1; i <= 3; i++) {
            inputs.add(file("local-" + i + ".html", html("Local " + i, "Local page " + i + ".")).toString());
        }
        inputs.add(file("local.pdf", UrlTest.minimalPdf("A local paper")).toString());
        Path a = newKb("kb-a");
        Path b = newKb("kb-b");
        List<String> cache = List.of("--cache", redisUrl());
        Kb.Running ra = Kb.start(work, env, args(a, cache, inputs));
        Kb.Running rb = Kb.start(work, env, args(b, cache, inputs));
        Kb.Result resA = ra.await().expect(0);
        Kb.Result resB = rb.await().expect(0);
        allAdded(resA, inputs.size());
        allAdded(resB, inputs.size());
        assertEquals(List.of(), cacheWarnings(resA));
        assertEquals(List.of(), cacheWarnings(resB));
        Path none = newKb("kb-none");
        allAdded(addInto(none, List.of(), inputs).expect(0), inputs.size());
        Path warm = newKb("kb-warm");
        allAdded(addInto(warm, cache, inputs).expect(0), inputs.size());
        Map<String, String> expected = content(none);
        assertEquals(expected, content(a));
        assertEquals(expected, content(b));
        assertEquals(expected, content(warm));
        KbState.assertAtRest(a);
        KbState.assertAtRest(b);
    }

    @Test
    void anEntryDamagedByHandIsDownloadedAgainAndKbCacheVerifyDropsIt() throws Exception {
        List<String> inputs = urls(3, 1);
        Path kb1 = newKb("kb1");
        allAdded(addInto(kb1, List.of("--cache", redisUrl()), inputs).expect(0), inputs.size());
        RedisServer server = redis.server();
        // what redis-cli SET would do to one blob: other bytes of the same length
        @SuppressWarnings("unchecked")
        List<byte[]> blobs = (List<byte[]>) server.command("KEYS", "kb:b:*");
        int damaged = 0;
        for (byte[] k : blobs) {
            byte[] v = (byte[]) server.command("GET", k);
            String text = new String(v, StandardCharsets.ISO_8859_1);
            if (text.startsWith("<!DOCTYPE") && text.contains("The text of /page-1.html")) { // the page as downloaded
                v[v.length / 2] ^= 0x20;
                server.command("SET", k, v, "KEEPTTL");
                damaged++;
            }
        }
        assertEquals(1, damaged, "the page's raw bytes were not found among " + blobs.size() + " blobs");
        server.command("SET", "team-x:e:0000", "another team's entry");
        server.command("SET", "kbx:b:1111", "not ours either");

        bodies.set(0);
        Path kb2 = newKb("kb2");
        Kb.Result r = addInto(kb2, List.of("--cache", redisUrl()), inputs).expect(0);
        allAdded(r, inputs.size());
        assertEquals(1, cacheWarnings(r).size(), r.err());
        assertTrue(cacheWarnings(r).get(0).contains("failed verification"), r.err());
        assertEquals(1, bodies.get(), "only the damaged document is downloaded again");
        assertEquals(content(kb1), content(kb2));

        JsonNode v = Kb.run(work, env, "cache", "verify", "--json", redisUrl()).expect(0).json().get(0);
        assertEquals(0, v.get("dropped").asLong(), "the add replaced the damaged entry: " + v);
        for (byte[] k : blobs) {
            byte[] bytes = (byte[]) server.command("GET", k);
            if (bytes != null) {
                bytes[0] ^= 0x01;
                server.command("SET", k, bytes, "KEEPTTL");
                break;
            }
        }
        v = Kb.run(work, env, "cache", "verify", "--json", redisUrl()).expect(0).json().get(0);
        assertTrue(v.get("dropped").asLong() >= 1, v.toString());
        assertTrue(v.get("checked").asLong() >= inputs.size(), v.toString());

        JsonNode before = Kb.run(work, env, "cache", "stats", "--json", redisUrl()).expect(0).json().get(0);
        assertTrue(before.get("entries").asLong() > 0, before.toString());
        Kb.run(work, env, "cache", "clear", redisUrl()).expect(0);
        JsonNode after = Kb.run(work, env, "cache", "stats", "--json", redisUrl()).expect(0).json().get(0);
        assertEquals(0, after.get("entries").asLong(), after.toString());
        assertEquals(0, after.get("bytes").asLong(), after.toString());
        assertEquals(List.of("kbx:b:1111", "team-x:e:0000"), ((List<?>) server.command("KEYS", "*")).stream()
                .map(k -> new String((byte[]) k, StandardCharsets.UTF_8)).sorted().toList(), "clear went past its prefix");
    }

    @Test
    void anEntryOverRedisMaxEntryIsNotStoredAndTheDocumentIsAdded() throws Exception {
        init();
        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = " + redisUrl() + "\nredis.max-entry = 1KB\n");
        List<String> inputs = urls(2, 0); // each page is a few KB
        Kb.Result r = Kb.run(work, env, args(kb, List.of(), inputs)).expect(0);
        allAdded(r, inputs.size());
        assertEquals(List.of(), cacheWarnings(r));
        assertEquals(List.of(), redis.server().command("KEYS", "kb:e:*"), "an entry over 1KB was stored");

        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = " + redisUrl() + "\nredis.ttl = a while\n");
        Kb.Result bad = Kb.run(work, env, args(kb, List.of(), urls(3, 0)));
        assertEquals(2, bad.code(), bad.err());
        bad.oneErrorLine("cache.properties", "redis.ttl", "a while");
    }
}
