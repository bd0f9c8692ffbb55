package dev.kb.core.input;

import dev.kb.core.KbException;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.cloud.Page;
import dev.kb.core.convert.Converter;
import dev.kb.core.fs.Hashing;
import dev.kb.core.staging.StagingArea;
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

/**
 * A local file: copied once into staging while hashed (twice when it changed during the first
 * copy), then converted from that private copy.
 */
public final class FileSource implements Source {
    /**
     * How recent a change may be for size, modification and change times to miss another one
     * made during the copy: file systems keep these times in ticks of the kernel's coarse clock
     * (a few milliseconds), some in whole seconds or (FAT) two. A file changed no later than this
     * before its copy began is copied, then read again to compare hashes.
     */
    private static final long RACY_MILLIS = 2_000;

    /** What a test runs during a copy: {@code attempt} (1, or 2 for the retry) and the bytes copied so far. */
    @FunctionalInterface
    interface ReadHook {
        void during(int attempt, long copied) throws IOException;
    }

    private final Path file;
    private final String input;
    private final long maxBytes;
    private final ReadHook hook;

    /** @param maxBytes the contract's {@code --max-size}: a larger file fails and nothing of it is kept */
    public FileSource(Path file, String input, long maxBytes) {
        this(file, input, maxBytes, (attempt, copied) -> { });
    }

    FileSource(Path file, String input, long maxBytes, ReadHook hook) {
        this.file = file;
        this.input = input;
        this.maxBytes = maxBytes;
        this.hook = hook;
    }

    @Override
    public String input() {
        return input;
    }

    @Override
    public String knownNameHint() {
        return stem(file.getFileName().toString());
    }

    @Override
    public Prep prepare(PrepareContext ctx) throws IOException {
        List<String> keys = SourcePaths.spellings(file);
        String uri = keys.get(0);
        Path raw = ctx.staging().newPath(".raw");
        Hashing.Copy copy;
        try {
            copy = stableCopy(raw);
        } catch (Hashing.LimitExceeded e) {
            throw tooLarge(""); // it grew while being read; the staged part goes with the failure
        } catch (java.nio.file.NoSuchFileException e) {
            throw KbException.inputFailed("no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw KbException.inputFailed("permission denied");
        }
        Optional<Outcome> known = ctx.knownContent(input, keys, copy.sha256());
        if (known.isPresent()) {
            Files.deleteIfExists(raw);
            return Prep.done(known.get());
        }
        String fileName = file.getFileName().toString();
        String added = FrontMatter.added(ctx.bySource(keys)); // present: an update of that row
        RawConversion.Page page = stagePage(ctx.staging(), raw, fileName, uri, copy.sha256(), added, ctx.caches());
        RawConversion.Result c = page.conversion();
        String ext = extension(fileName);
        String rawExt = ext.isEmpty() ? c.extension() : ext.toLowerCase(Locale.ROOT);
        return Prep.of(new Prepared(input, uri, stem(fileName), c.type(), c.title(), copy.sha256(), copy.size(), raw,
                rawExt, page.staged(), List.of(), null, null, true, new ArrayList<>(c.warnings()), added,
                keys.subList(1, keys.size())));
    }

    /**
     * Copies the file into {@code raw} as one version of it: a copy during which the file changed
     * is thrown away and made again, and a file that changes during the second copy too fails.
     * Without this, a file rewritten while kb read it (an editor saving in place, a log) was
     * stored as a mix of the old version's start and the new one's rest, under a hash of neither.
     */
    private Hashing.Copy stableCopy(Path raw) throws IOException {
        for (int attempt = 1; attempt <= 2; attempt++) {
            Hashing.Copy copy = copyOnce(raw, attempt);
            if (copy != null) {
                return copy;
            }
            Files.deleteIfExists(raw);
        }
        throw KbException.inputFailed("changed while being read (twice in a row); add it again once nothing writes it");
    }

    /** One copy into {@code raw}, or null when the file changed while it was made. */
    private Hashing.Copy copyOnce(Path raw, int attempt) throws IOException {
        long started = System.currentTimeMillis();
        Stamp before = Stamp.of(file);
        // The size the file system knows refuses a large file before a byte of it is copied.
        if (before.size() > maxBytes) {
            throw tooLarge(": the file has " + Sizes.format(before.size()));
        }
        Hashing.Copy copy = Hashing.copyAndHash(file, raw, maxBytes, copied -> hook.during(attempt, copied));
        if (!before.equals(Stamp.of(file))) {
            return null; // written, truncated, grown, or replaced by another file
        }
        if (before.changedSince(started - RACY_MILLIS) && !Hashing.sha256Hex(file).equals(copy.sha256())) {
            return null; // written within one tick of the clock that stamps it: only the bytes tell
        }
        return copy;
    }

    /**
     * What the file system says about a file without reading it: size, modification time, change
     * time (set by the kernel on every write, and on setting the modification time back) and
     * identity (device and inode: replaced by a rename). Any write during a copy changes it,
     * unless it falls in the clock tick of the change before ({@link #changedSince}).
     */
    record Stamp(long size, Object modified, Object changed, Object identity) {
        static Stamp of(Path file) throws IOException {
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,dev,ino");
                return new Stamp((Long) a.get("size"), a.get("lastModifiedTime"), a.get("ctime"),
                        List.of(a.get("dev"), a.get("ino")));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no "unix" view (Windows): no change time, so every copy is read twice
                BasicFileAttributes b = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(b.size(), b.lastModifiedTime(), null, b.fileKey());
            }
        }

        /** Whether the last change may be at or after {@code millis} (the epoch's), or is unknown. */
        boolean changedSince(long millis) {
            return !(changed instanceof FileTime t) || t.toMillis() >= millis;
        }
    }

    /**
     * Converts the staged raw bytes of a local file named {@code fileName} and stages its page with
     * front matter. The page depends on nothing else, so {@code kb recover --repair} regenerates
     * a lost page byte for byte from {@code raw/} with the same arguments.
     */
    static RawConversion.Page stagePage(StagingArea staging, Path raw, String fileName, String uri, String sha256,
                                        String added) throws IOException {
        return stagePage(staging, raw, fileName, uri, sha256, added, null);
    }

    /** The same, taking the conversion from {@code caches} (or null) when they hold it. */
    static RawConversion.Page stagePage(StagingArea staging, Path raw, String fileName, String uri, String sha256,
                                        String added, SourceCaches caches) throws IOException {
        return RawConversion.stage(raw, sha256, fileName, null, null, stem(fileName), Converter.DEFAULT_TIMEOUT, staging,
                caches, c -> FrontMatter.render(c.title(), uri, sha256, c.type(), added, c.metadata(),
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
