package dev.kb.core.cache.kb;

import dev.kb.core.KbException;
import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.CacheStats;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheProvider;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code kb:PATH}: another knowledge base, read only, as a source cache (a team's "public" KB).
 * See the package documentation for how it is read without writing or locking anything there.
 *
 * <p>What it answers, by key kind:
 * <ul>
 * <li>{@link CacheKey.Kind#URL}: the row whose {@code source_uri} is the URL (as normalised, or
 *     with a fragment), its raw bytes and validators, and what its fetch said (final URL,
 *     Content-Type, name hint) as the row recorded it ({@code fetch_fields}, schema 5): the entry
 *     that download stored, so the conversion key the importing KB then asks for is the row's
 *     {@code page_key}, and its page is served too (below). See {@link UrlRecords}, also for a row
 *     without that record, whose entry is made only when the row's name and type show that no
 *     redirect, disposition or header charset was involved.</li>
 * <li>{@link CacheKey.Kind#CONVERSION}: the page of a row whose record of how it was made
 *     ({@link dev.kb.core.store.PageOrigin}, registry schema 5) names exactly the key asked for
 *     (its id: the raw bytes' SHA-256, every other input of the conversion and the converters'
 *     identity) and whose bytes still hash as they did when committed; see {@link PageRecords}.
 *     Without that record (a row of an older schema or rebuilt from the files, Markdown and
 *     text) a KB says neither which converter made a page nor whether a person edited it since,
 *     and serving its page could make a document other than converting would: a miss.</li>
 * <li>{@link CacheKey.Kind#CLOUD}: the row of {@code pageindex-cloud:<id>} when its record names
 *     the key asked for (this kb's rendering of that id); a row that records another rendering is
 *     a miss. A row that records none (an import by a kb before schema 5) only with the setting
 *     {@value #CLOUD_SETTING}{@code = trust}: its page's hash is in the registry, so edits show,
 *     but which kb rendered it is not recorded. A team that writes its KBs with one kb build may
 *     say so; the entry says it was trusted, and the importing KB records no origin for it.</li>
 * </ul>
 * Read only: {@link #store}, {@link #remove} and {@link #recordUse} do nothing, {@link #clear}
 * refuses (a usage error), {@link #verify} reports what fails and drops nothing, {@link #stats}
 * counts what it could answer for (no hits or misses are kept anywhere).
 */
public final class KbCache implements SourceCache {
    /** The layout of URL entries the prepare path reads ({@code CachedUrl.LAYOUT}); a key of another is a miss. */
    public static final String URL_LAYOUT = "url-1";
    /** The setting ({@code cache.properties}) that lets cloud documents come from such a KB. */
    public static final String CLOUD_SETTING = "kb.cloud";

    private final CacheSpec spec;
    private volatile State state;
    /** Where each blob this instance handed out is read from, by its SHA-256. */
    private final Map<String, Region> blobs = new ConcurrentHashMap<>();

    /** The other KB, open. */
    private record State(KbFiles files, KbSnapshot registry, boolean cloud) {
    }

    /** Bytes of a file of the other KB: a whole raw file, or a page after its front matter. */
    record Region(Path file, long offset, long length) {
    }

    KbCache(CacheSpec spec) {
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

    /** The other KB's root, once initialised. */
    public Path root() {
        return ready().files().root();
    }

    /**
     * Finds the KB and opens its registry. A missing path, a directory that is no KB, a registry
     * that cannot be read or is of a newer schema: an IOException saying so (the caller warns
     * once and misses from then on).
     */
    @Override
    public synchronized void initialize(CacheServices services) throws IOException {
        if (state != null) {
            return;
        }
        String cloud = services.setting(CLOUD_SETTING).orElse("miss").strip().toLowerCase(Locale.ROOT);
        if (!cloud.equals("miss") && !cloud.equals("trust")) {
            throw new IOException("setting " + CLOUD_SETTING + " = " + cloud + ": it is 'miss' (the default) or 'trust'");
        }
        Path dir = spec.path(services.env());
        if (!Files.exists(dir)) {
            throw new IOException("no knowledge base at " + dir + " (no such directory)");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("no knowledge base at " + dir + " (it is a file, not a directory)");
        }
        KnowledgeBase kb;
        try {
            kb = KnowledgeBase.open(dir);
        } catch (KbException e) {
            throw new IOException(dir + " is not a knowledge base (it has no " + KnowledgeBase.META_DIR + "/)");
        }
        if (!Files.isRegularFile(kb.registryFile())) {
            throw new IOException(dir + " is not a knowledge base (it has no " + KnowledgeBase.META_DIR
                    + "/registry.db)");
        }
        state = new State(new KbFiles(kb.root()), KbSnapshot.open(kb.registryFile()), cloud.equals("trust"));
    }

    private State ready() {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("cache " + id() + " used before initialize()");
        }
        return s;
    }

    @Override
    public Optional<CacheEntry> lookup(CacheKey key) throws IOException, CacheEntry.Malformed {
        State s = ready();
        try {
            return switch (key.kind()) {
                case URL -> url(s, key);
                case CLOUD -> cloud(s, key);
                case CONVERSION -> conversion(s, key);
            };
        } catch (UrlRecords.Disagrees d) {
            if (s.files().writerAtWork()) {
                return Optional.empty(); // most likely its writer between publishing and committing
            }
            throw new CacheEntry.Malformed(d.getMessage());
        }
    }

    private Optional<CacheEntry> url(State s, CacheKey key) throws IOException, UrlRecords.Disagrees {
        if (!URL_LAYOUT.equals(key.version())) {
            return Optional.empty();
        }
        List<DocumentRow> candidates = new ArrayList<>();
        DocumentRow exact = s.registry().bySourceUri(key.name());
        if (exact != null) {
            candidates.add(exact);
        }
        String hostOnly = hostOnly(key.name());
        DocumentRow other = hostOnly == null ? null : s.registry().bySourceUri(hostOnly);
        if (other != null) {
            candidates.add(other);
        }
        candidates.addAll(s.registry().withFragment(key.name()));
        UrlRecords.Disagrees first = null;
        for (DocumentRow r : candidates) {
            try {
                UrlRecords.Answer a = UrlRecords.answer(key, r, s.files());
                if (a != null) {
                    blobs.put(r.sha256(), new Region(a.raw(), 0, r.size()));
                    return Optional.of(a.entry());
                }
            } catch (UrlRecords.Disagrees d) {
                if (first == null) {
                    first = d;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return Optional.empty();
    }

    /** {@code http://host:port/} as it is also given, {@code http://host:port} (the same download); else null. */
    static String hostOnly(String normalised) {
        int path = normalised.indexOf('/', normalised.indexOf("://") + 3);
        return path == normalised.length() - 1 ? normalised.substring(0, path) : null;
    }

    /**
     * The page of a row recorded as made under {@code key}. No second look at the row afterwards:
     * bytes that hash as the page made under the key did are that page, whatever the row says
     * by then, and the body is checked against its hash again as it is copied.
     */
    private Optional<CacheEntry> conversion(State s, CacheKey key) throws IOException, UrlRecords.Disagrees {
        UrlRecords.Disagrees first = null;
        for (DocumentRow r : s.registry().byPageKey(key.id())) {
            try {
                PageRecords.Answer a = PageRecords.conversion(key, r, s.files());
                if (a != null) {
                    blobs.put(a.entry().blobs().get(0).sha256(), a.body());
                    return Optional.of(a.entry());
                }
            } catch (UrlRecords.Disagrees d) {
                if (first == null) {
                    first = d;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return Optional.empty();
    }

    private Optional<CacheEntry> cloud(State s, CacheKey key) throws IOException, UrlRecords.Disagrees {
        DocumentRow row = s.registry().bySourceUri(CloudRecords.SCHEME + key.name());
        if (row == null) {
            return Optional.empty();
        }
        if (row.origin() != null ? !row.origin().key().equals(key.id()) : !s.cloud()) {
            return Optional.empty(); // another kb's rendering; or, unrecorded, not trusted
        }
        CloudRecords.Answer a = CloudRecords.answer(key, row, s.files());
        if (a == null) {
            return Optional.empty();
        }
        // the page and the tree were read after the row: a row unchanged since says they are of its commit
        DocumentRow now = s.registry().bySourceUri(row.sourceUri());
        if (!row.equals(now)) {
            return Optional.empty();
        }
        for (CacheEntry.Blob b : a.entry().blobs()) {
            blobs.put(b.sha256(), b.name().equals("tree") ? a.tree() : a.body());
        }
        return Optional.of(a.entry());
    }

    /**
     * Copies the blob's bytes from the other KB. Bytes that do not hash as the entry said are
     * handed on when the KB is at rest (the caller then reports the damage once and misses); while
     * that KB's writer has a mutation in flight they are a quiet miss.
     */
    @Override
    public boolean readBlob(CacheEntry.Blob blob, Path dest) throws IOException {
        State s = ready();
        Region r = blobs.get(blob.sha256());
        if (r == null || KbFiles.size(r.file()) < 0) {
            return false; // gone since the look-up, or a link put in its place (never followed)
        }
        String sha;
        try {
            sha = KbFiles.copy(r.file(), r.offset(), r.length(), dest);
        } catch (NoSuchFileException gone) {
            return false; // removed or renamed by that KB's writer since the look-up
        }
        if (!sha.equals(blob.sha256()) && s.files().writerAtWork()) {
            Files.deleteIfExists(dest);
            return false;
        }
        return true;
    }

    /** Does nothing: another KB is never written. */
    @Override
    public void store(CacheEntry entry, Map<String, Path> files) {
        ready();
    }

    /** Does nothing: an entry that failed verification is a miss, and stays one until that KB is repaired. */
    @Override
    public void remove(CacheKey key) {
        ready();
    }

    /** Does nothing: counts would have to be written into the other KB. */
    @Override
    public void recordUse(long hits, long misses) {
        ready();
    }

    /**
     * What it could answer for by the KB's records: its URL documents, those whose page's origin
     * is recorded (conversions, cloud imports) and with {@code kb.cloud = trust} every cloud one;
     * their bytes. Whether a recorded page is still unedited, and of this kb's converters, shows
     * only when it is asked for.
     */
    @Override
    public CacheStats stats() throws IOException {
        State s = ready();
        long[] t = s.registry().servableTotals(s.cloud());
        return new CacheStats(0, 0, t[0], t[1]);
    }

    /**
     * Reads and re-hashes each document it could answer for: the raw bytes against the row's
     * sha256 and the page's front matter against the row (a cloud document's page against its
     * hash). Nothing is dropped: each that fails is reported, and is a miss until that KB is
     * repaired ({@code kb recover} there). A page edited below its front matter is no failure:
     * it is the person's page, and only its conversion is a miss.
     */
    @Override
    public CacheStats.Verified verify() throws IOException {
        State s = ready();
        long checked = 0;
        List<String> bad = new ArrayList<>();
        for (DocumentRow r : s.registry().servable(s.cloud())) {
            checked++;
            String why = check(s.files(), r);
            if (why != null) {
                bad.add(r.docName() + ": " + why);
            }
        }
        return new CacheStats.Verified(checked, 0, bad);
    }

    /** Why the files of {@code r} are not its own, or null when they are. */
    private static String check(KbFiles files, DocumentRow r) {
        try {
            if (r.rawPath() == null) {
                Path page = files.page(r.sourcePath());
                if (page == null) {
                    return "its page is not under " + KnowledgeBase.SOURCES + "/";
                }
                if (KbFiles.size(page) < 0) {
                    return KbFiles.absent(page, r.sourcePath());
                }
                return KbFiles.sha256(page).equals(r.sha256()) ? null : r.sourcePath() + " does not match its sha256";
            }
            Path raw = files.raw(r.rawPath());
            Path page = files.page(r.sourcePath());
            if (raw == null || page == null) {
                return "its files are not under " + KnowledgeBase.RAW + "/ and " + KnowledgeBase.SOURCES + "/";
            }
            if (KbFiles.size(raw) < 0) {
                return KbFiles.absent(raw, r.rawPath());
            }
            if (!KbFiles.sha256(raw).equals(r.sha256())) {
                return r.rawPath() + " does not match its sha256";
            }
            UrlRecords.pageNames(r, page);
            return null;
        } catch (UrlRecords.Disagrees d) {
            return d.getMessage();
        } catch (IOException e) {
            return "cannot be read: " + Causes.oneLine(e);
        }
    }

    /** Refuses: another KB is never emptied by its readers. */
    @Override
    public void clear() {
        ready();
        throw new KbException(KbException.Kind.USAGE, "cache " + id() + " is another knowledge base, read only: "
                + "kb never clears it (its own writers remove documents there, with kb remove)");
    }

    @Override
    public void close() {
        State s = state;
        if (s != null) {
            s.registry().close();
        }
        blobs.clear();
    }

    /** The factory of {@code kb:PATH}; loads nothing of the provider until a SPEC names it. */
    public static final class Provider implements SourceCacheProvider {
        @Override
        public List<String> schemes() {
            return List.of(CacheSpec.KB);
        }

        @Override
        public SourceCache create(CacheSpec spec) {
            return new KbCache(spec);
        }
    }
}
