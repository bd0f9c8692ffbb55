package dev.kb.core.input;

import dev.kb.core.KbException;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.cloud.Page;
import dev.kb.core.convert.Converter;
import dev.kb.core.convert.Sniffer;
import dev.kb.core.fs.Hashing;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.FileStat;
import dev.kb.core.text.Sizes;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A local file: copied once into staging while hashed (twice when it changed during the first
 * copy), then converted from that private copy; or, when its stamp is the one recorded when its
 * document was committed, skipped without being opened (the stat cache, {@link FileStat}).
 */
public final class FileSource implements Source {
    /**
     * How recent a change may be for size, modification and change times to miss another one
     * made during the copy ({@link FileStat#GRANULARITY_NS}). A file changed no later than this
     * before its copy began is copied, then read again to compare hashes.
     */
    private static final long RACY_NS = FileStat.GRANULARITY_NS;

    /** What a test runs during a copy: {@code attempt} (1, or 2 for the retry) and the bytes copied so far. */
    @FunctionalInterface
    interface ReadHook {
        void during(int attempt, long copied) throws IOException;
    }

    private final Path file;
    private final String input;
    private final long maxBytes;
    private final ReadHook hook;
    /** The directory the walk found the file in, with its real path, else null. */
    private final SourcePaths.Folder folder;
    /** The file's name in {@link #folder}. */
    private final String name;
    /**
     * How long the walk's stat of a file stands for a stat of it now. A batch reaches a file
     * soon after the walk met it, unless slow inputs ahead of it hold it up; a file deleted or
     * changed after a stat older than this is seen as it is now, as without the walk's stat.
     */
    private static final long WALKED_FRESH_NS = 1_000_000_000L;

    /** The walk's stat of the file, else null (the file is stat'ed when prepared). */
    private final Stamp walked;
    /** When the walk made it ({@link System#nanoTime}). */
    private final long walkedAt;
    /** {@link SourcePaths#spellings} of the file, once known (by {@link #unread}, then {@link #prepare}). */
    private List<String> keys;

    /** @param maxBytes the contract's {@code --max-size}: a larger file fails and nothing of it is kept */
    public FileSource(Path file, String input, long maxBytes) {
        this(file, input, maxBytes, null, null, null);
    }

    /**
     * A file met in a directory walk, with what the walk knew of it so that preparing it asks
     * the system nothing more when it is unchanged.
     *
     * @param folder the directory it is an entry of (not through a link), with its real path; or null
     * @param name   its name there
     * @param walked the walk's stat of it, or null
     */
    FileSource(Path file, String input, long maxBytes, SourcePaths.Folder folder, String name, Stamp walked) {
        this(file, input, maxBytes, (attempt, copied) -> { }, folder, name, walked);
    }

    FileSource(Path file, String input, long maxBytes, ReadHook hook) {
        this(file, input, maxBytes, hook, null, null, null);
    }

    private FileSource(Path file, String input, long maxBytes, ReadHook hook, SourcePaths.Folder folder, String name,
                       Stamp walked) {
        this.file = file;
        this.input = input;
        this.maxBytes = maxBytes;
        this.hook = hook;
        this.folder = folder;
        this.name = name;
        this.walked = walked;
        this.walkedAt = System.nanoTime();
    }

    @Override
    public String input() {
        return input;
    }

    /** Reading, hashing and converting: this machine's cores and disk (a cache's round trip is short). */
    @Override
    public boolean waitsOnNetwork() {
        return false;
    }

    @Override
    public String knownNameHint() {
        return stem(file.getFileName().toString());
    }

    /** The keys of its document, best first; the system is asked once per source. */
    private List<String> keys() {
        if (keys == null) {
            keys = folder != null ? folder.spellings(file, name) : SourcePaths.spellings(file);
        }
        return keys;
    }

    /**
     * One stat at most (none for a file without a stat-cache entry, none when the walk made one
     * just now), no open: a file stamped as when its document was committed has that document's
     * content.
     */
    @Override
    public Prep unread(PrepareContext ctx) {
        try {
            // no entry, nothing to compare: a new file costs the committing thread no stat here
            if (ctx.fileStat(keys()).isEmpty()) {
                return null;
            }
            Stamp now = walked != null && System.nanoTime() - walkedAt < WALKED_FRESH_NS ? walked : Stamp.of(file);
            return now.size() > maxBytes ? null : unchangedByStat(ctx, keys(), now);
        } catch (IOException | KbException e) {
            if (e instanceof KbException k && k.kind() != KbException.Kind.INPUT_FAILED) {
                throw k;
            }
            return null; // preparing says what is wrong with it
        }
    }

    /** The skip its stat-cache entry vouches for, or null. */
    private Prep unchangedByStat(PrepareContext ctx, List<String> keys, Stamp now) {
        Optional<FileStat> entry = now.stat() == null ? Optional.empty() : ctx.fileStat(keys);
        if (entry.isPresent() && entry.get().vouchesFor(now.stat())) {
            return Prep.done(Outcome.unchanged(input, entry.get().docName(), Outcome.BY_STAT));
        }
        return null;
    }

    @Override
    public Prep prepare(PrepareContext ctx) throws IOException {
        List<String> keys = keys();
        String uri = keys.get(0);
        Stamp now;
        long started = wallNs(); // before the stamp: the copy's "changed too recently" check relies on it
        try {
            now = Stamp.of(file);
            if (now.size() > maxBytes) {
                throw tooLarge(": the file has " + Sizes.format(now.size()));
            }
            Prep skip = unchangedByStat(ctx, keys, now);
            if (skip != null) {
                return skip;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw KbException.inputFailed("no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw KbException.inputFailed("permission denied");
        }
        Path raw = ctx.staging().newPath(".raw");
        Copied copied;
        try {
            copied = stableCopy(raw, now, started);
        } catch (Hashing.LimitExceeded e) {
            throw tooLarge(""); // it grew while being read; the staged part goes with the failure
        } catch (java.nio.file.NoSuchFileException e) {
            throw KbException.inputFailed("no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw KbException.inputFailed("permission denied");
        }
        Hashing.Copy copy = copied.copy();
        // the entry this read makes; one whose file changed too recently would never be trusted
        FileStat read = copied.stamp().stat() == null ? null
                : new FileStat(uri, null, copy.sha256(), copied.stamp().stat(), copied.startedNs());
        if (read != null && read.racy()) {
            read = null;
        }
        Optional<DocumentRow> row = ctx.bySource(keys);
        Optional<Outcome> known = ctx.knownContent(input, row, copy.sha256());
        if (known.isPresent()) {
            Files.deleteIfExists(raw);
            boolean unchanged = row.isPresent() && Outcome.UNCHANGED.equals(known.get().reason());
            return unchanged && read != null
                    ? Prep.done(known.get(), read.under(row.get().sourceUri(), row.get().docName()))
                    : Prep.done(known.get());
        }
        String fileName = file.getFileName().toString();
        String added = FrontMatter.added(row); // present: an update of that row
        RawConversion.Page page = stagePage(ctx.staging(), raw, copy, fileName, uri, copy.sha256(), added,
                ctx.caches());
        RawConversion.Result c = page.conversion();
        String ext = extension(fileName);
        String rawExt = ext.isEmpty() ? c.extension() : ext.toLowerCase(Locale.ROOT);
        return Prep.of(new Prepared(input, uri, stem(fileName), c.type(), c.title(), copy.sha256(), copy.size(), raw,
                rawExt, page.staged(), List.of(), null, null, true, new ArrayList<>(c.warnings()), added,
                keys.subList(1, keys.size()), read, page.origin()));
    }

    /**
     * A copy made as one version of the file, the stamp it had throughout, and the wall clock
     * just before that stamp was taken (in nanoseconds since the epoch).
     */
    private record Copied(Hashing.Copy copy, Stamp stamp, long startedNs) {
    }

    /**
     * Copies the file into {@code raw} as one version of it: a copy during which the file changed
     * is thrown away and made again, and a file that changes during the second copy too fails.
     * Without this, a file rewritten while kb read it (an editor saving in place, a log) was
     * stored as a mix of the old version's start and the new one's rest, under a hash of neither.
     */
    private Copied stableCopy(Path raw, Stamp first, long firstStarted) throws IOException {
        for (int attempt = 1; attempt <= 2; attempt++) {
            // the first copy starts from the stat prepare just made (one stat fewer per file)
            long started = attempt == 1 ? firstStarted : wallNs();
            Copied copy = copyOnce(raw, attempt, attempt == 1 ? first : Stamp.of(file), started);
            if (copy != null) {
                return copy;
            }
            Files.deleteIfExists(raw);
        }
        throw KbException.inputFailed("changed while being read (twice in a row); add it again once nothing writes it");
    }

    /**
     * One copy into {@code raw}, or null when the file changed while it was made. {@code before}:
     * the file's stamp, taken after the wall clock read {@code started} and before the copy.
     */
    private Copied copyOnce(Path raw, int attempt, Stamp before, long started) throws IOException {
        // The size the file system knows refuses a large file before a byte of it is copied.
        if (before.size() > maxBytes) {
            throw tooLarge(": the file has " + Sizes.format(before.size()));
        }
        Hashing.Copy copy = Hashing.copyAndHash(file, raw, maxBytes, Sniffer.HEAD_SIZE,
                copied -> hook.during(attempt, copied));
        if (!before.equals(Stamp.of(file))) {
            return null; // written, truncated, grown, or replaced by another file
        }
        if (before.changedSince(started - RACY_NS) && !Hashing.sha256Hex(file).equals(copy.sha256())) {
            return null; // written within one tick of the clock that stamps it: only the bytes tell
        }
        return new Copied(copy, before, started);
    }

    /** The wall clock in nanoseconds since the epoch, at the millisecond's resolution. */
    private static long wallNs() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    /**
     * What the file system says about a file without reading it: size, modification time, change
     * time (set by the kernel on every write, and on setting the modification time back) and
     * identity (device and inode: replaced by a rename). Any write during a copy changes it,
     * unless it falls in the clock tick of the change before ({@link #changedSince}).
     *
     * @param stat     all of it, in the form the stat cache keeps; null without a "unix" view
     *                 (Windows: no change time), where every copy is read twice and no file is
     *                 ever skipped unread
     * @param fallback the size, modification time and file key where there is no {@code stat}
     */
    record Stamp(FileStat.Stamp stat, Object fallback) {
        /**
         * The attributes a stamp is made of, and no more: asking for "unix:*" costs five times
         * as much (it looks up the owner's and group's names).
         */
        static final String ATTRIBUTES = "unix:size,lastModifiedTime,ctime,dev,ino";

        /** One stat. */
        static Stamp of(Path file) throws IOException {
            try {
                return from(Files.readAttributes(file, ATTRIBUTES));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                BasicFileAttributes b = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(null, List.of(b.size(), b.lastModifiedTime(), String.valueOf(b.fileKey())));
            }
        }

        /** The stamp in the attributes of a "unix" view that include {@link #ATTRIBUTES}. */
        static Stamp from(Map<String, Object> a) {
            return new Stamp(new FileStat.Stamp((Long) a.get("size"), nanos(a.get("lastModifiedTime")),
                    nanos(a.get("ctime")), (Long) a.get("dev"), (Long) a.get("ino")), null);
        }

        private static long nanos(Object time) {
            return ((FileTime) time).to(TimeUnit.NANOSECONDS);
        }

        long size() {
            return stat != null ? stat.size() : (Long) ((List<?>) fallback).get(0);
        }

        /*
         * By hand, as FileStat.Stamp's: the generated equals is bootstrapped through
         * java.lang.runtime.ObjectMethods on first use, spinning method handles that the class-data
         * archive cannot keep: 13 ms of every one-file 'kb add', for one comparison.
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp s && java.util.Objects.equals(stat, s.stat)
                    && java.util.Objects.equals(fallback, s.fallback);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(stat, fallback);
        }

        /** Whether the last change may be at or after {@code nanos} (the epoch's), or is unknown. */
        boolean changedSince(long nanos) {
            return stat == null || stat.changedNs() >= nanos;
        }
    }

    /**
     * Converts the staged raw bytes of a local file named {@code fileName} and stages its page with
     * front matter. The page depends on nothing else, so {@code kb recover --repair} regenerates
     * a lost page byte for byte from {@code raw/} with the same arguments.
     */
    static RawConversion.Page stagePage(StagingArea staging, Path raw, String fileName, String uri, String sha256,
                                        String added) throws IOException {
        return stagePage(staging, raw, null, fileName, uri, sha256, added, null);
    }

    /**
     * The same, taking the conversion from {@code caches} (or null) when they hold it; {@code copy}
     * is the copy that made {@code raw} when there was one, else null (see {@link RawConversion#stage}).
     */
    static RawConversion.Page stagePage(StagingArea staging, Path raw, Hashing.Copy copy, String fileName, String uri,
                                        String sha256, String added, SourceCaches caches) throws IOException {
        return RawConversion.stage(raw, copy, sha256, fileName, null, null, stem(fileName), Converter.DEFAULT_TIMEOUT,
                staging, caches, c -> FrontMatter.render(c.title(), uri, sha256, c.type(), added, c.metadata(),
                        c.ownFrontMatter()));
    }

    /** The file name without its last extension: what the document's name is derived from. */
    static String stem(String fileName) {
        String ext = extension(fileName);
        return ext.isEmpty() ? fileName : fileName.substring(0, fileName.length() - ext.length() - 1);
    }

    private KbException tooLarge(String detail) {
        return KbException.inputFailed("larger than " + Sizes.format(maxBytes) + " (--max-size)" + detail);
    }

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 || dot == fileName.length() - 1 ? "" : fileName.substring(dot + 1);
    }

    /** The types a local file may have, by extension; directories skip the rest. */
    public static boolean supportedExtension(String fileName) {
        return RawConversion.SUPPORTED_EXTENSIONS.contains(extension(fileName).toLowerCase(Locale.ROOT));
    }
}
