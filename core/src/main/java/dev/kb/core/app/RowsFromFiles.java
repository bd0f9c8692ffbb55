package dev.kb.core.app;

import dev.kb.core.fs.Hashing;
import dev.kb.core.input.CloudSource;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.text.Causes;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The registry rows that {@code raw/} and the front matter of {@code wiki/sources/} describe, for
 * {@code kb recover --rebuild-registry}. Each page {@code wiki/sources/<name>.md} whose front
 * matter can be read is the document {@code <name>}:
 * <ul>
 *   <li>{@code title}, {@code type}, {@code source_uri} and {@code added_at} come from its front
 *       matter (an add writes the row's {@code added_at} as the front matter's {@code added});</li>
 *   <li>with a {@code sha256} in it, its raw file is the {@code raw/<name>.<ext>} whose bytes have
 *       that hash (hashed here, not trusted), and {@code size} is that file's;</li>
 *   <li>a PageIndex Cloud import ({@code source: pageindex-cloud:<id>}) has no raw bytes and no
 *       {@code sha256} in its front matter: its row's hash and size are the page's own;</li>
 *   <li>not on disk, so not rebuilt as they were: {@code etag} and {@code last_modified} (null: the
 *       next add of a URL downloads it in full rather than asking whether it changed), and
 *       {@code updated_at}, taken from the modification time of the raw file (of the page, for a
 *       cloud import), never earlier than {@code added_at}.</li>
 * </ul>
 * Nothing is guessed: a page without readable front matter, one whose raw file is missing or
 * does not match its hash, one that repeats another's source, and a raw file that no page claims
 * are reported and left out of the registry (their files stay where they are).
 */
final class RowsFromFiles {
    /** How much of a page is read for its front matter: kb's keys and a converter's extras fit many times over. */
    static final int FRONT_MATTER_LIMIT = FrontMatter.PAGE_HEAD_LIMIT;

    /** The {@code type} that {@link CloudSource} gives its documents. */
    private static final String CLOUD_TYPE = "pageindex-cloud";

    private static final byte[] CLOSING_FENCE = "\n---\n".getBytes(StandardCharsets.US_ASCII);

    private final KnowledgeBase kb;
    /** Raw files by the name of the document they would belong to (the file name without its extension). */
    private final Map<String, List<String>> rawByName = new TreeMap<>();
    private final TreeSet<String> unclaimedRaw = new TreeSet<>();
    private final List<String> notRebuilt = new ArrayList<>();

    private RowsFromFiles(KnowledgeBase kb) {
        this.kb = kb;
    }

    /** A page that yields no row, and why; the message completes "{@code path} ...". */
    private static final class Skip extends Exception {
        private static final long serialVersionUID = 1L;

        Skip(String why) {
            super(why);
        }
    }

    /**
     * Hands every row found to {@code sink}, page by page in name order, and returns what was not
     * rebuilt, one line each ("{@code path}: why").
     *
     * @param sink adds a row; returns why it could not (its source or name is another row's), or empty
     */
    static List<String> scan(KnowledgeBase kb, Function<DocumentRow, Optional<String>> sink) throws IOException {
        RowsFromFiles s = new RowsFromFiles(kb);
        s.indexRaw();
        for (Path page : s.pages()) {
            String rel = kb.relative(page);
            try {
                DocumentRow row = s.row(page);
                Optional<String> refused = sink.apply(row);
                if (refused.isPresent()) {
                    throw new Skip(refused.get());
                }
                if (row.rawPath() != null) {
                    s.unclaimedRaw.remove(Path.of(row.rawPath()).getFileName().toString());
                }
            } catch (Skip e) {
                s.notRebuilt.add(rel + ": " + e.getMessage());
            }
        }
        for (String raw : s.unclaimedRaw) {
            s.notRebuilt.add(KnowledgeBase.RAW + "/" + raw + ": no page in " + KnowledgeBase.SOURCES
                    + "/ that was rebuilt names these bytes");
        }
        return s.notRebuilt;
    }

    /** The regular files directly in {@code raw/}; anything else there is no document's, as verification reports. */
    private void indexRaw() throws IOException {
        for (Path p : list(kb.rawDir())) {
            String file = p.getFileName().toString();
            int dot = file.lastIndexOf('.');
            if (dot > 0 && dot < file.length() - 1) {
                rawByName.computeIfAbsent(file.substring(0, dot), k -> new ArrayList<>()).add(file);
            }
            unclaimedRaw.add(file);
        }
    }

    /** {@code wiki/sources/<name>.md}, regular files only, in name order; hidden files are no pages. */
    private List<Path> pages() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : list(kb.sourcesDir())) {
            String file = p.getFileName().toString();
            if (file.endsWith(KnowledgeBase.PAGE_EXTENSION) && !file.startsWith(".")
                    && file.length() > KnowledgeBase.PAGE_EXTENSION.length()) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private DocumentRow row(Path page) throws Skip {
        String file = page.getFileName().toString();
        String name = file.substring(0, file.length() - KnowledgeBase.PAGE_EXTENSION.length());
        Map<String, Object> fm = frontMatter(page);
        String source = required(fm, "source");
        String type = required(fm, "type");
        String added = required(fm, "added");
        String title = text(fm, "title");
        String sha256 = text(fm, "sha256");
        Instant addedAt;
        try {
            addedAt = Instant.parse(added);
        } catch (DateTimeParseException e) {
            throw new Skip("its front matter's added (" + added + ") is not an ISO-8601 time");
        }
        boolean cloud = source.startsWith(CloudSource.SCHEME);
        if (cloud != CLOUD_TYPE.equals(type)) {
            throw new Skip("its front matter's type " + type + " does not fit its source " + source);
        }
        try {
            if (cloud) {
                if (sha256 != null) {
                    throw new Skip("its front matter names a sha256, which a PageIndex Cloud import never has");
                }
                return new DocumentRow(name, Hashing.sha256Hex(page), null, KnowledgeBase.sourcePath(name), source,
                        type, title, Files.size(page), added, updatedAt(page, addedAt, added), null, null);
            }
            if (sha256 == null) {
                throw new Skip("its front matter names no sha256");
            }
            String raw = rawFile(name, sha256);
            Path rawPath = kb.rawDir().resolve(raw);
            return new DocumentRow(name, sha256, KnowledgeBase.RAW + "/" + raw, KnowledgeBase.sourcePath(name), source,
                    type, title, Files.size(rawPath), added, updatedAt(rawPath, addedAt, added), null, null);
        } catch (IOException e) {
            throw new Skip("cannot be read: " + Causes.oneLine(e));
        }
    }

    /** The raw file of document {@code name} whose bytes hash to {@code sha256}. */
    private String rawFile(String name, String sha256) throws IOException, Skip {
        List<String> candidates = rawByName.getOrDefault(name, List.of());
        if (candidates.isEmpty()) {
            throw new Skip("no raw file " + KnowledgeBase.RAW + "/" + name + ".* holds its bytes");
        }
        for (String c : candidates) {
            if (Hashing.sha256Hex(kb.rawDir().resolve(c)).equalsIgnoreCase(sha256)) {
                return c;
            }
        }
        throw new Skip(KnowledgeBase.RAW + "/" + String.join(", " + KnowledgeBase.RAW + "/", candidates)
                + (candidates.size() == 1 ? " does" : " do") + " not match the sha256 its front matter names"
                + " (changed outside kb?)");
    }

    /** Not kept on disk: the time the file was written, which is the time of its last add or update. */
    private static String updatedAt(Path file, Instant addedAt, String added) throws IOException {
        Instant written = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
        return written.isAfter(addedAt) ? written.toString() : added;
    }

    /** The front matter of a page, read from its first {@value #FRONT_MATTER_LIMIT} bytes at most. */
    private static Map<String, Object> frontMatter(Path page) throws Skip {
        byte[] head;
        try (InputStream in = Files.newInputStream(page, LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(FRONT_MATTER_LIMIT);
        } catch (IOException e) {
            throw new Skip("cannot be read: " + Causes.oneLine(e));
        }
        int end = indexOf(head, CLOSING_FENCE, 3);
        int length = end < 0 ? head.length : end + CLOSING_FENCE.length;
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(head, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw new Skip(end < 0 && head.length == FRONT_MATTER_LIMIT
                    ? "its front matter is not closed in its first " + FRONT_MATTER_LIMIT / 1024 + " KiB"
                    : "its front matter is not UTF-8 text");
        }
        try {
            return FrontMatter.fields(text);
        } catch (FrontMatter.Unreadable e) {
            throw new Skip(e.getMessage());
        }
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String required(Map<String, Object> fm, String key) throws Skip {
        String v = text(fm, key);
        if (v == null || v.isBlank()) {
            throw new Skip("its front matter names no " + key);
        }
        return v;
    }

    /** A scalar of the front matter as text, or null when absent. */
    private static String text(Map<String, Object> fm, String key) throws Skip {
        Object v = fm.get(key);
        if (v instanceof Map || v instanceof List) {
            throw new Skip("its front matter's " + key + " is not text");
        }
        return v == null ? null : v.toString();
    }
}
