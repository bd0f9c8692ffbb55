package dev.kb.core.cache;

import dev.kb.core.fs.CacheDirectory;
import dev.kb.core.fs.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code dir[:PATH]}: a cache in a local directory, by default {@code <kb's cache
 * directory>/sources} ({@code $XDG_CACHE_HOME/kb/sources}). Layout:
 * <pre>
 * PATH/                 private to the user (0700); refused when others may write it
 *   entries/ab/abcd…    one entry per key, named by {@link CacheKey#id()}
 *   blobs/ef/ef01…      bytes, named by their SHA-256 (shared by the entries that hold them)
 *   tmp/                files being written
 *   counts, counts.lock hits and misses of every run, and the size last measured
 * </pre>
 *
 * <p><b>Many processes at once.</b> Every file is written in {@code tmp/} and renamed into place
 * (a rename replaces atomically), blob before entry, so a reader sees a whole file or none. Files
 * are not forced: a crash may leave an entry or blob cut short, and since nothing here is trusted
 * without its hash that is a miss, where an fsync would cost every store milliseconds. Readers
 * race evictions: a file gone between look-up and read is a miss.
 *
 * <p><b>Size.</b> Kept under {@link CacheOptions#dirMaxBytes} with least-recently-used eviction:
 * a hit sets its files' modification time to now; when the bytes written since the size was
 * last measured could take it past the cap, the directory is measured and the files used longest
 * ago are deleted until it is under 90% of the cap. Temporary files of crashed writers older than
 * an hour go in the same pass.
 */
public final class DirCache implements SourceCache {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final long STALE_TMP_MILLIS = 3_600_000L;
    /** Serialises this process's updates of the counts file (FileLock is per process, not per thread). */
    private static final Object COUNTS = new Object();

    private final CacheSpec spec;
    private volatile Path root;
    private volatile long maxBytes;
    /** The size last measured, plus what this process wrote since. */
    private final AtomicLong estimate = new AtomicLong();
    private final AtomicLong writtenSinceMeasure = new AtomicLong();

    DirCache(CacheSpec spec) {
        this.spec = spec;
    }

    @Override
    public String id() {
        return spec.shown();
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    /** The directory, once initialised. */
    public Path directory() {
        return ready();
    }

    @Override
    public synchronized void initialize(CacheServices services) throws IOException {
        if (root != null) {
            return;
        }
        Path dir;
        if (spec.rest().isEmpty()) {
            dir = services.cacheHome().orElseThrow(() -> new IOException("no private cache directory to keep it in"))
                    .resolve("sources");
        } else {
            dir = spec.path(services.env());
        }
        mkdirs(dir);
        long uid = CacheDirectory.currentUid();
        if (!CacheDirectory.isPrivate(dir, uid)) {
            // others could plant entries whose bytes hash as they say: only this user's own may be trusted
            throw new IOException(dir + " is not private to this user (owned by another, or writable by others)");
        }
        for (String sub : List.of("entries", "blobs", "tmp")) {
            mkdirs(dir.resolve(sub));
        }
        maxBytes = services.options().dirMaxBytes();
        estimate.set(readCounts(dir).bytes);
        root = dir;
    }

    private static void mkdirs(Path dir) throws IOException {
        try {
            if (CacheDirectory.posix()) {
                Files.createDirectories(dir, CacheDirectory.PRIVATE);
            } else {
                Files.createDirectories(dir);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // its message is only the path; the warning then read "FileAlreadyExistsException: PATH"
            throw new IOException(e.getFile() + " exists and is not a directory", e);
        }
    }

    private Path ready() {
        Path r = root;
        if (r == null) {
            throw new IllegalStateException("cache " + id() + " used before initialize()");
        }
        return r;
    }

    private Path entryFile(CacheKey key) {
        String id = key.id();
        return ready().resolve("entries").resolve(id.substring(0, 2)).resolve(id);
    }

    private Path blobFile(String sha256) {
        if (!HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        return ready().resolve("blobs").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public Optional<CacheEntry> lookup(CacheKey key) throws IOException, CacheEntry.Malformed {
        Path f = entryFile(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        CacheEntry e = CacheEntry.decode(bytes);
        touch(f);
        return Optional.of(e);
    }

    @Override
    public boolean readBlob(CacheEntry.Blob blob, Path dest) throws IOException {
        Path f = blobFile(blob.sha256());
        try {
            Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            if (e.getFile() != null && Path.of(e.getFile()).equals(f)) {
                return false; // evicted
            }
            throw e;
        }
        touch(f);
        return true;
    }

    /** Marks a file used now, for least-recently-used eviction; a file evicted meanwhile is no matter. */
    private static void touch(Path f) {
        try {
            Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // gone, or a read-only copy: its age is only a hint
        }
    }

    @Override
    public void store(CacheEntry entry, Map<String, Path> files) throws IOException {
        long written = 0;
        for (CacheEntry.Blob b : entry.blobs()) {
            Path target = blobFile(b.sha256());
            try {
                // content-addressed: the same bytes may be there already, but only their hash says
                // so (a blob damaged in place keeps its name and size, and would be kept for good)
                if (Files.size(target) == b.size() && Hashing.sha256Hex(target).equals(b.sha256())) {
                    touch(target);
                    continue;
                }
            } catch (NoSuchFileException absent) {
                // to be written
            }
            Path tmp = tmpFile();
            try {
                Files.copy(files.get(b.name()), tmp, StandardCopyOption.REPLACE_EXISTING);
                publish(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            written += b.size();
        }
        byte[] encoded = entry.encode();
        Path tmp = tmpFile();
        try {
            Files.write(tmp, encoded, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            publish(tmp, entryFile(entry.key()));
        } finally {
            Files.deleteIfExists(tmp);
        }
        written += encoded.length;
        estimate.addAndGet(written);
        // measured again once what was written since could have taken it over the cap
        if (writtenSinceMeasure.addAndGet(written) > Math.max(1, maxBytes / 10) || estimate.get() > maxBytes) {
            writtenSinceMeasure.set(0);
            evict();
        }
    }

    /** A name no other writer uses: this process's id and a counter (UUID's SecureRandom costs a cold JVM 50 ms). */
    private Path tmpFile() {
        return ready().resolve("tmp").resolve(PID + "-" + TMP_COUNTER.incrementAndGet() + ".tmp");
    }

    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong TMP_COUNTER = new AtomicLong(System.nanoTime() & 0xffffff);

    /** Renames {@code tmp} to {@code target}, replacing it at once (parents made as needed). */
    private static void publish(Path tmp, Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return;
            } catch (NoSuchFileException e) {
                if (attempt > 0 || !Files.exists(tmp)) {
                    throw e;
                }
                mkdirs(target.getParent()); // the fan-out folder, made on first use (or evicted meanwhile)
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                throw new IOException("cannot rename into " + target + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Removes the entry and the blobs it names: it is removed because it failed verification, and
     * what failed may be a blob, which a later store of the same bytes would otherwise find in
     * place (same name, same size) and keep.
     */
    @Override
    public void remove(CacheKey key) throws IOException {
        Path f = entryFile(key);
        try {
            for (CacheEntry.Blob b : CacheEntry.decode(Files.readAllBytes(f)).blobs()) {
                Files.deleteIfExists(blobFile(b.sha256()));
            }
        } catch (NoSuchFileException | CacheEntry.Malformed | IllegalArgumentException e) {
            // no entry, or one that names nothing readable: only the file goes
        }
        Files.deleteIfExists(f);
    }

    /** A file of the cache and when it was last used. */
    private record Item(Path path, long size, long used) {
    }

    private List<Item> items(String sub) throws IOException {
        Path dir = ready().resolve(sub);
        List<Item> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.add(new Item(p, a.size(), a.lastModifiedTime().toMillis()));
                    }
                } catch (NoSuchFileException gone) {
                    // evicted or renamed by another process during the walk
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (NoSuchFileException gone) {
            return out;
        }
        return out;
    }

    /** Deletes the least recently used files until the cache is under 90% of its cap; sweeps stale temporary files. */
    synchronized void evict() throws IOException {
        long now = System.currentTimeMillis();
        for (Item t : items("tmp")) {
            if (now - t.used() > STALE_TMP_MILLIS) {
                Files.deleteIfExists(t.path());
            }
        }
        List<Item> all = new ArrayList<>(items("entries"));
        all.addAll(items("blobs"));
        long total = all.stream().mapToLong(Item::size).sum();
        if (total > maxBytes) {
            all.sort(Comparator.comparingLong(Item::used));
            long goal = maxBytes - maxBytes / 10;
            for (Item i : all) {
                if (total <= goal) {
                    break;
                }
                Files.deleteIfExists(i.path());
                total -= i.size();
            }
        }
        estimate.set(total);
    }

    @Override
    public void recordUse(long hits, long misses) throws IOException {
        updateCounts(c -> {
            c.hits += hits;
            c.misses += misses;
            c.bytes = estimate.get();
        });
    }

    @Override
    public CacheStats stats() throws IOException {
        List<Item> entries = items("entries");
        long bytes = entries.stream().mapToLong(Item::size).sum() + items("blobs").stream().mapToLong(Item::size).sum();
        Counts c = readCounts(ready());
        return new CacheStats(c.hits, c.misses, entries.size(), bytes);
    }

    @Override
    public CacheStats.Verified verify() throws IOException {
        long checked = 0;
        long dropped = 0;
        for (Item b : items("blobs")) {
            checked++;
            String name = b.path().getFileName().toString();
            boolean sound;
            try {
                sound = HEX64.matcher(name).matches() && Hashing.sha256Hex(b.path()).equals(name);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (!sound) {
                Files.deleteIfExists(b.path());
                dropped++;
            }
        }
        for (Item e : items("entries")) {
            checked++;
            if (!soundEntry(e.path())) {
                Files.deleteIfExists(e.path());
                dropped++;
            }
        }
        evict(); // measures the size again
        return new CacheStats.Verified(checked, dropped);
    }

    /** An entry that decodes, is stored under its own key, and whose blobs are all there. */
    private boolean soundEntry(Path file) throws IOException {
        try {
            CacheEntry e = CacheEntry.decode(Files.readAllBytes(file));
            if (!file.getFileName().toString().equals(e.key().id())) {
                return false;
            }
            for (CacheEntry.Blob b : e.blobs()) {
                Path f = blobFile(b.sha256());
                if (!Files.isRegularFile(f) || Files.size(f) != b.size()) {
                    return false;
                }
            }
            return true;
        } catch (CacheEntry.Malformed | NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void clear() throws IOException {
        Path r = ready();
        for (String sub : List.of("entries", "blobs", "tmp")) {
            for (Item i : items(sub)) {
                Files.deleteIfExists(i.path());
            }
            try (DirectoryStream<Path> fans = Files.newDirectoryStream(r.resolve(sub))) {
                for (Path fan : fans) {
                    if (Files.isDirectory(fan)) {
                        try {
                            Files.deleteIfExists(fan);
                        } catch (java.nio.file.DirectoryNotEmptyException racing) {
                            // another process stored into it meanwhile
                        }
                    }
                }
            }
        }
        updateCounts(c -> {
            c.hits = 0;
            c.misses = 0;
            c.bytes = 0;
        });
        estimate.set(0);
    }

    @Override
    public void close() {
    }

    /** The counts file: hits and misses over all runs, the size last known. */
    private static final class Counts {
        long hits;
        long misses;
        long bytes;
    }

    private static Counts readCounts(Path dir) throws IOException {
        Counts c = new Counts();
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("counts"))) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return c;
        } catch (IllegalArgumentException e) {
            return c; // damaged: the counts start again
        }
        c.hits = number(p, "hits");
        c.misses = number(p, "misses");
        c.bytes = number(p, "bytes");
        return c;
    }

    private static long number(Properties p, String key) {
        try {
            return Math.max(0, Long.parseLong(p.getProperty(key, "0").strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Read, change and replace the counts file under its lock (other processes do the same). */
    private void updateCounts(java.util.function.Consumer<Counts> change) throws IOException {
        Path r = ready();
        synchronized (COUNTS) {
            try (FileChannel lock = FileChannel.open(r.resolve("counts.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock held = lock.lock()) {
                Counts c = readCounts(r);
                change.accept(c);
                String text = "# kb dir cache: hits and misses of every run, and its size when last measured\n"
                        + "hits=" + c.hits + "\nmisses=" + c.misses + "\nbytes=" + c.bytes + "\n";
                Path tmp = tmpFile();
                try {
                    Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE);
                    publish(tmp, r.resolve("counts"));
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    /** The factory of {@code dir} and {@code dir:PATH}. */
    static final class Provider implements SourceCacheProvider {
        @Override
        public List<String> schemes() {
            return List.of(CacheSpec.DIR);
        }

        @Override
        public SourceCache create(CacheSpec spec) {
            return new DirCache(spec);
        }
    }
}
