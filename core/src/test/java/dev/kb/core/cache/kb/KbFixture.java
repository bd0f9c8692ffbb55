package dev.kb.core.cache.kb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kb.core.app.Init;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.convert.Sniffed;
import dev.kb.core.convert.Sniffer;
import dev.kb.core.fetch.FetchOptions;
import dev.kb.core.fetch.NameHint;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PrepareContext;
import dev.kb.core.input.Prepared;
import dev.kb.core.input.Source;
import dev.kb.core.input.UrlSource;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import okhttp3.HttpUrl;

/** Real knowledge bases for the kb: cache's tests, built and read through the library. */
public final class KbFixture {
    private KbFixture() {
    }

    public static KnowledgeBase init(Path dir) {
        if (!Files.isDirectory(dir.resolve(".kb"))) {
            Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        }
        return KnowledgeBase.open(dir);
    }

    /** A batch's events and warnings. */
    public record Run(List<Outcome> events, List<String> warnings) {
        public Outcome only() {
            assertEquals(1, events.size(), events.toString());
            return events.get(0);
        }
    }

    /** Runs {@code items} through the real ingest into the KB at {@code dir}, with {@code caches} (or none). */
    public static Run ingest(Path dir, List<Inputs.Item> items, CachePlan caches) {
        KnowledgeBase kb = init(dir);
        List<Outcome> events = Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        new Ingest(kb, new Ingest.Options(Duration.ZERO, "kb add", 2, 50, FileOps.REAL).withCaches(caches),
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
                }).run(items);
        return new Run(List.copyOf(events), List.copyOf(warnings));
    }

    /** Adds URLs (and paths, relative to {@code cwd}) the way {@code kb add} does. */
    public static Run add(Path dir, Path cwd, CachePlan caches, String... args) {
        KnowledgeBase kb = init(dir);
        UrlFetcher fetcher = new UrlFetcher(FetchOptions.defaults());
        List<Inputs.Item> items = Inputs.expand(List.of(args), cwd, kb,
                a -> UrlFetcher.isUrl(a) ? new UrlSource(UrlFetcher.parseUrl(a), a, fetcher) : null, 1 << 30);
        return ingest(dir, items, caches);
    }

    /** The kb: cache at {@code spec} (relative to {@code base}) with its own settings, deadline long enough for a loaded machine. */
    public static CachePlan plan(Path base, Map<String, String> settings, Duration maxAge, String... specs) {
        CacheServices services = new CacheServices(Map.of("HOME", base.toString()),
                CacheOptions.defaults().withDeadline(Duration.ofSeconds(10)).withMaxAge(maxAge), settings,
                Clock.systemUTC(), base.resolve("xdg-cache"));
        List<dev.kb.core.cache.SourceCache> caches = new ArrayList<>();
        for (String s : specs) {
            caches.add(CacheProviders.create(CacheSpec.parse(s, base)));
        }
        return new CachePlan(caches, services, null);
    }

    /**
     * A document registered under {@code uri} with {@code bytes} as its raw file, prepared the way
     * the prepare path prepares a URL's (name from the URL's last segment, type from the bytes),
     * without a server: for keys no test server can answer ({@code https://example.org/...}).
     */
    static final class UrlLike implements Source {
        private final String uri;
        private final byte[] bytes;

        UrlLike(String uri, byte[] bytes) {
            this.uri = uri;
            this.bytes = bytes;
        }

        @Override
        public String input() {
            return uri;
        }

        @Override
        public Prep prepare(PrepareContext ctx) throws Exception {
            Path raw = ctx.staging().write(".raw", bytes);
            HttpUrl u = HttpUrl.get(uri);
            String hint = NameHint.of(null, u);
            String stem = NameHint.isHost(null, u) ? hint : UrlSource.stem(hint);
            Sniffed sniffed = Sniffer.sniff(raw, null, hint).requireSupported();
            String type = sniffed.kind().name().toLowerCase(Locale.ROOT);
            String sha = Hashing.sha256Hex(bytes);
            String added = FrontMatter.added(ctx.bySourceUri(uri));
            String fm = FrontMatter.render(stem, uri, sha, type, added, Map.of());
            Path page = ctx.staging().write(KnowledgeBase.PAGE_EXTENSION, FrontMatter.document(fm, "A page of " + uri)
                    .getBytes(StandardCharsets.UTF_8));
            return Prep.of(new Prepared(uri, uri, stem, type, stem, sha, bytes.length, raw, sniffed.extension(), page,
                    List.of(), null, null, true, List.of(), added));
        }
    }

    /** The row of {@code sourceUri} in the KB at {@code dir}, read as {@code kb show} reads it. */
    public static DocumentRow row(Path dir, String sourceUri) {
        try (Registry r = SqliteRegistry.openReadOnly(dir.resolve(".kb/registry.db"))) {
            return r.bySourceUri(sourceUri).orElseThrow(() -> new AssertionError("no row of " + sourceUri));
        }
    }

    /**
     * Every file and directory under {@code root}, {@code .kb/} included, with each file's SHA-256
     * and each directory marked: what must not change when another KB reads this one.
     */
    public static Map<String, String> tree(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel + "/", "dir");
                } else {
                    out.put(rel, Hashing.sha256Hex(p) + " " + Files.size(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every file under raw/ and wiki/sources/, by path, its bytes with the front matter's added time left out. */
    public static Map<String, String> contents(Path root) {
        Map<String, String> out = new TreeMap<>();
        for (String sub : List.of("raw", "wiki/sources")) {
            try (Stream<Path> s = Files.walk(root.resolve(sub))) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1); // every byte kept
                    out.put(root.relativize(p).toString(), text.replaceAll("(?m)^added: .*$", "added: *"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
