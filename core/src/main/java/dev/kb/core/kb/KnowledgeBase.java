package dev.kb.core.kb;

import dev.kb.core.KbException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A knowledge base on disk: the root and the fixed layout of the contract. Paths kept in journals
 * and in the registry are relative to {@link #root()}, so a KB can be moved, even mid-mutation.
 */
public final class KnowledgeBase {
    public static final String META_DIR = ".kb";
    /** KB-relative folders of the documents' files; the layout lives here and nowhere else. */
    public static final String RAW = "raw";
    public static final String SOURCES = "wiki/sources";
    /** Extension of a document's wiki page. */
    public static final String PAGE_EXTENSION = ".md";
    /**
     * Suffix of the temporary sibling an atomic write renames into place; a crash can leave one,
     * and recovery removes it.
     */
    public static final String TEMP_SUFFIX = ".kbtmp";
    /** Suffix of a journal file in {@code .kb/journal/}: {@code <id>.json}. */
    public static final String JOURNAL_SUFFIX = ".json";
    /** Suffix of the section-tree artifact of a PageIndex Cloud document: {@code <name>.tree.json}. */
    public static final String TREE_SUFFIX = ".tree.json";
    /** The cached summary of {@code kb status} in {@code .kb/} (see {@link dev.kb.core.summary}). */
    public static final String SUMMARY_FILE = "summary.txt";
    /**
     * In {@code .kb/progress/}, what one running batch publishes ({@link dev.kb.core.progress}):
     * {@code <pid>-<id>.json} (renamed into place from {@code <pid>-<id>.json.kbtmp}), and
     * {@code <pid>-<id>.lock}, which the writer keeps locked while it runs.
     */
    public static final String PROGRESS_SUFFIX = ".json";
    public static final String PROGRESS_LOCK_SUFFIX = ".lock";

    /** {@code raw/<name>.<ext>}: where a document's original bytes live. */
    public static String rawPath(String name, String extension) {
        return RAW + "/" + name + "." + extension;
    }

    /** {@code wiki/sources/<name>.md}: a document's wiki page. */
    public static String sourcePath(String name) {
        return SOURCES + "/" + name + PAGE_EXTENSION;
    }

    /** {@code wiki/sources/<name><suffix>}: an extra artifact, e.g. {@code .tree.json}. */
    public static String artifactPath(String name, String suffix) {
        return SOURCES + "/" + name + suffix;
    }

    /** {@code wiki/sources/<name>/}: a document's folder of further artifacts. */
    public static String artifactDir(String name) {
        return SOURCES + "/" + name;
    }

    private final Path root;
    /** {@code root} as a string, for {@link #relative}'s shortcut. */
    private final String rootText;

    private KnowledgeBase(Path root) {
        this.root = root;
        this.rootText = root.toString();
    }

    /** Opens an existing KB at exactly {@code dir}; exit 3 when there is none. */
    public static KnowledgeBase open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            // "run 'kb init' there first" would have the user try to make a KB of a file
            throw new KbException(KbException.Kind.KB_UNUSABLE,
                    "no knowledge base at " + abs + ": it is a file, not a directory");
        }
        if (!Files.isDirectory(abs.resolve(META_DIR))) {
            throw new KbException(KbException.Kind.KB_UNUSABLE,
                    "no knowledge base at " + abs + " (run 'kb init' there first)");
        }
        return new KnowledgeBase(realPath(abs));
    }

    /**
     * Finds the KB the contract's way: {@code --kb DIR}, else {@code KB_DIR}, else the nearest
     * directory at or above {@code workingDir} that contains {@code .kb/}.
     */
    public static KnowledgeBase discover(Path explicit, String envKbDir, Path workingDir) {
        if (explicit != null) {
            return open(explicit);
        }
        if (envKbDir != null && !envKbDir.isBlank()) {
            return open(Path.of(envKbDir));
        }
        Path start = workingDir.toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(META_DIR))) {
                return new KnowledgeBase(realPath(p));
            }
        }
        throw new KbException(KbException.Kind.KB_UNUSABLE,
                "no knowledge base found at or above " + start + " (use --kb DIR, set KB_DIR, or run 'kb init')");
    }

    /** Wraps a directory that {@code Init} has just laid out. */
    static KnowledgeBase at(Path root) {
        return new KnowledgeBase(realPath(root.toAbsolutePath().normalize()));
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    public Path root() {
        return root;
    }

    public Path metaDir() {
        return root.resolve(META_DIR);
    }

    /**
     * Refuses, in one line, to start writing a KB that this process cannot write: a read-only
     * mount, or a user with read permission only. Without it the first write to fail named a
     * staging or lock file, and a reader's registry error could come first; readers (status,
     * list, show) still work there.
     *
     * @throws KbException {@link KbException.Kind#KB_UNUSABLE}
     */
    public void requireWritable() {
        Path meta = metaDir();
        if (!Files.isDirectory(meta) || Files.isWritable(meta)) {
            return; // a missing .kb/ is for the next step to report
        }
        // Only creating a file tells a read-only mount (EROFS) from missing permission (EACCES):
        // the file store of a read-only bind mount is its source's, which Java reports writable.
        boolean readOnlyMount = false;
        try {
            Files.delete(Files.createTempFile(meta, ".probe", TEMP_SUFFIX)); // access(2) said no: it fails
            return;
        } catch (java.nio.file.FileSystemException e) {
            readOnlyMount = e.getReason() != null && e.getReason().toLowerCase(java.util.Locale.ROOT)
                    .contains("read-only file system");
        } catch (IOException e) {
            // permission, as access(2) said
        }
        throw new KbException(KbException.Kind.KB_UNUSABLE, "cannot write to knowledge base " + root + ": "
                + (readOnlyMount ? "read-only file system"
                : "it is read-only for this user (permission denied: " + meta + ")"));
    }

    public Path registryFile() {
        return metaDir().resolve("registry.db");
    }

    public Path lockFile() {
        return metaDir().resolve("ingest.lock");
    }

    public Path summaryFile() {
        return metaDir().resolve(SUMMARY_FILE);
    }

    public Path journalDir() {
        return metaDir().resolve("journal");
    }

    public Path stagingDir() {
        return metaDir().resolve("staging");
    }

    public Path quarantineDir() {
        return metaDir().resolve("quarantine");
    }

    /** Where running batches publish their progress; made by the first, removed by the last. */
    public Path progressDir() {
        return metaDir().resolve("progress");
    }

    public Path rawDir() {
        return root.resolve(RAW);
    }

    public Path wikiDir() {
        return root.resolve("wiki");
    }

    public Path sourcesDir() {
        return root.resolve(SOURCES);
    }

    public Path indexFile() {
        return wikiDir().resolve("index.md");
    }

    public Path logFile() {
        return wikiDir().resolve("log.md");
    }

    /**
     * KB-relative form of a path inside the KB, always with '/' separators.
     *
     * <p>The committing thread asks this and {@link #resolve} for every file of every document it
     * publishes (about 2 % of a corpus add's CPU went to building, normalising and comparing the
     * paths in between). A path that is the root's text, a '/', then {@link #plain} names, is answered from
     * the text; anything else the long way, with the same answer ({@code KnowledgeBaseTest}).
     */
    public String relative(Path p) {
        if (SLASHES && p.isAbsolute()) {
            String s = p.toString();
            if (s.length() > rootText.length() + 1 && s.startsWith(rootText) && s.charAt(rootText.length()) == '/') {
                String rel = s.substring(rootText.length() + 1);
                if (plain(rel)) {
                    return rel;
                }
            }
        }
        return relativeAnyway(p);
    }

    String relativeAnyway(Path p) {
        Path rel = root.relativize(p.toAbsolutePath().normalize());
        if (rel.startsWith("..")) {
            throw new IllegalStateException("path outside the knowledge base: " + p);
        }
        return rel.toString().replace(java.io.File.separatorChar, '/');
    }

    /** Resolves a KB-relative path, refusing one that would escape the KB (a corrupt or hostile journal). */
    public Path resolve(String relative) {
        if (SLASHES && plain(relative)) {
            return root.resolve(relative); // normal already, and inside
        }
        return resolveAnyway(relative);
    }

    Path resolveAnyway(String relative) {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || Path.of(relative).isAbsolute()) {
            throw new IllegalArgumentException("path escapes the knowledge base: " + relative);
        }
        return p;
    }

    /** Whether paths are written with '/' alone (the shortcuts of {@link #relative} and {@link #resolve} assume it). */
    private static final boolean SLASHES = java.io.File.separatorChar == '/';

    /**
     * Whether {@code s} is a relative path that normalising leaves as it is: names joined by
     * single slashes, none of them "." or "..", no slash at either end, no NUL.
     */
    static boolean plain(String s) {
        int n = s.length();
        if (n == 0 || s.charAt(0) == '/' || s.charAt(n - 1) == '/') {
            return false;
        }
        int start = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? s.charAt(i) : '/';
            if (c == '\0') {
                return false;
            }
            if (c == '/') {
                int len = i - start;
                if (len == 0 || (len == 1 && s.charAt(start) == '.')
                        || (len == 2 && s.charAt(start) == '.' && s.charAt(start + 1) == '.')) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    /** True when {@code p} is this KB's root (used to skip the KB when walking a parent directory). */
    public boolean isRoot(Path p) {
        try {
            return Files.isSameFile(root, p);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True when {@code p} lies in this KB (the root included), by its own path or by where its
     * symbolic links lead. Following the links matters: a link to {@code wiki/} in a walked
     * directory would otherwise make kb ingest its own index, log and documents, more of them
     * on every run.
     */
    public boolean isInside(Path p) {
        try {
            if (p.toRealPath(LinkOption.NOFOLLOW_LINKS).startsWith(root)) {
                return true;
            }
        } catch (IOException e) {
            if (p.toAbsolutePath().normalize().startsWith(root)) {
                return true;
            }
        }
        try {
            return p.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false; // a dangling link or a loop: it leads nowhere, so not into the KB
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
