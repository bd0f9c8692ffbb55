package dev.kb.core.cache;

import dev.kb.core.fs.Hashing;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The caches of one run, in the order given, made safe to use: what the prepare path calls, never
 * a {@link SourceCache} directly. See the package documentation for the protocol; in short:
 * <ul>
 * <li>every provider call runs on a worker thread and is given {@link CacheOptions#deadlineFor}
 *     its bytes; past it the call is abandoned (interrupted) and counts as a failure;</li>
 * <li>a failure (an exception, a timeout, a failed {@code initialize}) opens the cache's circuit:
 *     it is not asked again in this run, and one warning names it and the cause;</li>
 * <li>an entry that is malformed, of another key or version, or whose blob's bytes do not hash
 *     to what it says is a miss (a damaged one is also removed, with the same one warning);</li>
 * <li>a look-up asks the caches in order; a hit in a later one fills the earlier ones; a store
 *     goes to all.</li>
 * </ul>
 * Thread-safe: the preparers of a batch share one instance.
 */
public final class SourceCaches implements AutoCloseable {
    /** A URL's {@code user:password@} in a provider's message, which may quote its server's address. */
    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s:]*)(:[^@\\s/]*)?@");

    private final List<Layer> layers;
    private final CacheServices services;
    private final Consumer<String> warnings;
    private final ExecutorService workers;

    private SourceCaches(List<Layer> layers, CacheServices services, Consumer<String> warnings) {
        this.layers = layers;
        this.services = services;
        this.warnings = warnings;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kb-cache");
            t.setDaemon(true); // a call abandoned past its deadline must not keep the JVM alive
            return t;
        });
    }

    /**
     * Initialises {@code caches} (each under the deadline: one that fails is off for the run, with
     * its warning) and returns them ready. Disabled caches ({@code none}) are left out.
     *
     * @param warnings where the one line per failing cache goes (without a "kb: warning:" prefix)
     */
    public static SourceCaches open(List<SourceCache> caches, CacheServices services, Consumer<String> warnings) {
        List<Layer> layers = new ArrayList<>();
        for (SourceCache c : caches) {
            if (c.isEnabled()) {
                layers.add(new Layer(c));
            }
        }
        SourceCaches s = new SourceCaches(List.copyOf(layers), services, warnings);
        if (!layers.isEmpty()) {
            warmUp();
        }
        for (Layer l : s.layers) {
            s.call(l, "initialize", services.options().deadline(), () -> {
                l.cache.initialize(services);
                return Boolean.TRUE;
            });
        }
        return s;
    }

    /**
     * Loads and links what every operation uses (entry encoding, JSON, hashing) on the caller's
     * thread, before any deadline runs: on a cold JVM that is a good part of 250 ms, which would
     * otherwise pass for a cache that does not answer.
     */
    private static void warmUp() {
        try {
            CacheKey k = new CacheKey(CacheKey.Kind.URL, "https://warm.up/", "0");
            CacheEntry.decode(new CacheEntry(k, 0, Map.of("f", List.of(1, "x")), List.of(
                    new CacheEntry.Blob("raw", Hashing.sha256Hex(new byte[0]), 0))).encode());
        } catch (CacheEntry.Malformed e) {
            throw new IllegalStateException("an entry just encoded does not decode", e);
        }
    }

    public CacheOptions options() {
        return services.options();
    }

    /** Now, in epoch milliseconds, by the run's clock (what {@link CacheEntry#storedAt} is compared with). */
    public long now() {
        return services.clock().millis();
    }

    /** Whether any cache is still in use (none failed, or some remain). */
    public boolean active() {
        return layers.stream().anyMatch(l -> !l.open.get());
    }

    /** The caches, in order, for tests and {@code kb cache}. */
    public List<SourceCache> caches() {
        return layers.stream().map(l -> l.cache).toList();
    }

    /**
     * The first entry stored under {@code key} in the caches, in order, that is the entry asked
     * for; its blobs are fetched (and verified) by {@link Hit#fetch}.
     */
    public Optional<Hit> find(CacheKey key) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l.open.get()) {
                continue;
            }
            Optional<CacheEntry> found = call(l, "look-up", options().deadline(), () -> {
                try {
                    return l.cache.lookup(key);
                } catch (CacheEntry.Malformed e) {
                    degraded(l, e.getMessage());
                    try {
                        l.cache.remove(key); // a damaged entry would stay a miss for every run
                    } catch (IOException | RuntimeException readOnlyOrGone) {
                        // a read-only provider keeps it; it stays a miss
                    }
                    return Optional.<CacheEntry>empty();
                }
            });
            if (found == null || found.isEmpty()) {
                l.misses.incrementAndGet();
                continue;
            }
            CacheEntry e = found.get();
            if (!e.key().equals(key)) {
                // written by another converter (or entry layout) version: not this key's, a plain miss
                l.misses.incrementAndGet();
                continue;
            }
            return Optional.of(new Hit(i, e)); // a hit once its blobs are fetched sound (Hit#fetch)
        }
        return Optional.empty();
    }

    /**
     * Stores {@code entry} with the bytes of its blobs ({@code files}: a file per blob name, whose
     * bytes the caller has hashed) in every cache still in use. Never fails: a cache that does is
     * off for the rest of the run.
     */
    public void store(CacheEntry entry, Map<String, Path> files) {
        store(entry, files, layers.size());
    }

    private void store(CacheEntry entry, Map<String, Path> files, int upTo) {
        for (CacheEntry.Blob b : entry.blobs()) {
            if (!files.containsKey(b.name())) {
                throw new IllegalArgumentException("no file for blob " + b.name() + " of " + entry.key());
            }
        }
        Duration deadline = options().deadlineFor(entry.blobBytes());
        for (int i = 0; i < upTo; i++) {
            Layer l = layers.get(i);
            if (!l.open.get()) {
                call(l, "store", deadline, () -> {
                    l.cache.store(entry, files);
                    return Boolean.TRUE;
                });
            }
        }
    }

    /** A found entry, from the cache at {@code layer}. */
    public final class Hit {
        private final int layer;
        private final CacheEntry entry;

        private Hit(int layer, CacheEntry entry) {
            this.layer = layer;
            this.entry = entry;
        }

        public CacheEntry entry() {
            return entry;
        }

        /**
         * Copies the named blobs into the files given for them and verifies each against its
         * size and hash, and forces them to disk. True when all of them arrived sound; then a cache before the one that
         * answered is filled with the entry. False is a miss: the files are deleted, a damaged
         * entry is removed from its cache, and the caller goes the normal way.
         */
        public boolean fetch(Map<String, Path> dests) {
            Layer l = layers.get(layer);
            for (Map.Entry<String, Path> d : dests.entrySet()) {
                Optional<CacheEntry.Blob> blob = entry.blob(d.getKey());
                if (blob.isEmpty()) {
                    return missed(l, dests, "it has no " + d.getKey(), true);
                }
                if (l.open.get()) {
                    return missed(l, dests, null, false);
                }
                CacheEntry.Blob b = blob.get();
                Boolean read = call(l, "read", options().deadlineFor(b.size()), () -> l.cache.readBlob(b, d.getValue()));
                if (read == null) {
                    return missed(l, dests, null, false); // failed: warned, and off for the run
                }
                if (!read) {
                    return missed(l, dests, null, true); // its bytes are gone (evicted): the entry goes too
                }
                String why = verify(d.getValue(), b);
                if (why != null) {
                    return missed(l, dests, why, true);
                }
                if (!force(d.getValue())) {
                    return missed(l, dests, null, false);
                }
            }
            l.hits.incrementAndGet();
            if (layer > 0 && dests.keySet().containsAll(entry.blobs().stream().map(CacheEntry.Blob::name).toList())) {
                store(entry, dests, layer); // a hit in a later cache fills the earlier ones
            }
            return true;
        }

        /** The caller found the entry of no use here (a URL entry with nothing to revalidate): a miss. */
        public void notUsed() {
            layers.get(layer).misses.incrementAndGet();
        }

        private boolean missed(Layer l, Map<String, Path> dests, String damage, boolean remove) {
            l.misses.incrementAndGet();
            for (Path p : dests.values()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // in the caller's staging: removed with it
                }
            }
            if (damage != null) {
                degraded(l, damage);
            }
            if (remove && !l.open.get()) {
                call(l, "remove", options().deadline(), () -> {
                    l.cache.remove(entry.key());
                    return Boolean.TRUE;
                });
            }
            return false;
        }
    }

    /**
     * Forces a fetched blob to disk: the caller publishes it by rename (a URL's raw bytes, a cloud
     * tree), and without this a crash after the rename could leave a registered file whose bytes
     * never reached the disk. False when the staging file system refuses.
     */
    private static boolean force(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Why {@code file} is not {@code blob}'s bytes, or null when it is. */
    private static String verify(Path file, CacheEntry.Blob blob) {
        try {
            long size = Files.size(file);
            if (size != blob.size()) {
                return "its " + blob.name() + " has " + size + " bytes, not " + blob.size();
            }
            if (!Hashing.sha256Hex(file).equals(blob.sha256())) {
                return "its " + blob.name() + " does not match its hash";
            }
            return null;
        } catch (IOException e) {
            return "its " + blob.name() + " cannot be read back: " + Causes.oneLine(e);
        }
    }

    /**
     * Records each cache's hits and misses of this run with it (under the deadline), and closes
     * them. A call still running past its deadline is abandoned with the worker threads.
     */
    @Override
    public void close() {
        for (Layer l : layers) {
            if (!l.open.get() && (l.hits.get() > 0 || l.misses.get() > 0)) {
                call(l, "record counts", options().deadline(), () -> {
                    l.cache.recordUse(l.hits.get(), l.misses.get());
                    return Boolean.TRUE;
                });
            }
        }
        for (Layer l : layers) {
            try {
                l.cache.close();
            } catch (RuntimeException e) {
                // closing a cache that failed: nothing more to say than its warning did
            }
        }
        workers.shutdownNow();
    }

    /** This run's hits of the cache at {@code index} (tests, {@code --verbose}). */
    public long hits(int index) {
        return layers.get(index).hits.get();
    }

    /** This run's misses of the cache at {@code index}. */
    public long misses(int index) {
        return layers.get(index).misses.get();
    }

    /** Whether the cache at {@code index} failed and is off for the rest of the run. */
    public boolean failed(int index) {
        return layers.get(index).open.get();
    }

    /**
     * Runs {@code op} on a worker within {@code deadline}: its result, or null after a failure
     * (which opens the circuit and warns once). An interrupt of the caller is kept and is a miss.
     */
    private <T> T call(Layer l, String what, Duration deadline, Callable<T> op) {
        if (l.open.get()) {
            return null;
        }
        AtomicLong started = new AtomicLong();
        Future<T> f;
        long submitted = System.nanoTime();
        try {
            f = workers.submit(() -> {
                started.set(System.nanoTime());
                return op.call();
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return null; // after close
        }
        long limit = deadline.toNanos();
        long end = submitted + limit;
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // The deadline is the provider's: a call the machine started late (every core
                    // busy converting, a collection pausing the JVM) gets it from its start, and
                    // one not started at all gets one more, never more than two in all.
                    long s = started.get();
                    long later = s == 0 ? submitted + 2 * limit : Math.min(s + limit, submitted + 2 * limit);
                    if (later > end) {
                        end = later;
                        continue;
                    }
                    f.cancel(true);
                    fail(l, what + ": no answer within " + Durations.format(deadline));
                    return null;
                }
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            if (c instanceof Error err && !(c instanceof LinkageError)) {
                throw err; // out of memory and the like: not the cache's to hide
            }
            fail(l, what + ": " + Causes.oneLine(c));
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private void fail(Layer l, String cause) {
        if (l.open.compareAndSet(false, true)) {
            warnOnce(l, cause + "; not used for the rest of this run");
        }
    }

    private void degraded(Layer l, String why) {
        warnOnce(l, "an entry failed verification (" + why + "); ignored");
    }

    private void warnOnce(Layer l, String message) {
        if (l.warned.compareAndSet(false, true)) {
            warnings.accept("cache " + l.cache.id() + ": " + withoutPasswords(message));
        }
    }

    /** {@code message} with every URL's password taken out as {@link CacheSpec#redact} does. */
    static String withoutPasswords(String message) {
        return USERINFO.matcher(message).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group(1) + (m.group(3) != null && !m.group(2).isEmpty() ? m.group(2) + "@" : "")));
    }

    /** One cache and its state in this run. */
    private static final class Layer {
        final SourceCache cache;
        /** The circuit breaker: once open, the cache is not asked again in this run. */
        final AtomicBoolean open = new AtomicBoolean();
        final AtomicBoolean warned = new AtomicBoolean();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong misses = new AtomicLong();

        Layer(SourceCache cache) {
            this.cache = cache;
        }
    }
}
