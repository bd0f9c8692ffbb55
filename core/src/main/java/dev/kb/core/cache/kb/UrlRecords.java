package dev.kb.core.cache.kb;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.convert.Sniffed;
import dev.kb.core.convert.Sniffer;
import dev.kb.core.convert.YamlEntries;
import dev.kb.core.fetch.NameHint;
import dev.kb.core.input.UrlSource;
import dev.kb.core.name.Names;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * A URL's entry made from another KB's row: the bytes it downloaded ({@code raw/}), its
 * validators, and what the fetch that got them said.
 *
 * <p>Besides the URL as given, the bytes, the ETag and Last-Modified, what decides what the bytes
 * become is the final URL after redirects, the Content-Type and the Content-Disposition: the name
 * (Content-Disposition, else the final URL's last segment), the type where the bytes leave it
 * open (Markdown or text), an HTML page's charset (the header's comes before the page's own), the
 * URL its links are resolved against, and with all of them the key of the page's conversion.
 * <ul>
 * <li><b>Recorded</b> (registry schema 5, {@code fetch_fields}: {@link DocumentRow#fetch}): the add
 *     that committed the row recorded those, as the URL's cache entry holds them, in the row's own
 *     upsert. The entry is made from them exactly as the fetch would have stored it, so the
 *     importing KB names, types and converts the bytes as downloading would have, and its
 *     conversion key is the one the row's {@code page_key} names: the page itself is then served
 *     too ({@link PageRecords}), unless it was edited since. The record is checked against the
 *     row all the same (the name it gives must be the row's, the bytes sniffed under it with that
 *     Content-Type must be of the row's type and extension); a record that disagrees, or is not
 *     one kb writes, is a miss.</li>
 * <li><b>Not recorded</b> (older rows, a rebuilt registry, a KB of an older kb): the entry says
 *     what a fetch of the URL itself, without redirect, disposition or declared charset, would
 *     have said, and is made only when the KB's own record agrees, so that it cannot make a
 *     document other than the one downloading would (the checks below).</li>
 * </ul>
 * Anything else is a miss: the download happens, nothing is lost but time. The checks without a
 * record:
 * <ul>
 * <li>The name: the KB's name for the document must be the one this name hint gives (or it with
 *     the KB's collision suffix). A document the KB named after a Content-Disposition, or after
 *     where a redirect led, fails this.</li>
 * <li>The type: the bytes, sniffed under that name with no declared type (or, where that leaves a
 *     tie, the declared type the KB's type stands for, which is all a Content-Type does to text),
 *     must be of the KB's type and extension.</li>
 * <li>HTML: the charset must be one no header could have changed: a byte-order mark, or bytes
 *     that are all ASCII. And since links depend on where redirects led, an HTML entry is always
 *     revalidated (stored "at" 0: never young enough for {@code --cache-max-age}); a 304 confirms
 *     the bytes and the URL the request ended at. (With a record the final URL is known, and an
 *     entry of any type is as old as its row's {@code updated_at}.)</li>
 * </ul>
 * Either way, the row and its files: the raw file has the row's size (its hash is checked as it
 * is read), and the page's front matter names the row's sha256 and source.
 */
final class UrlRecords {
    /** Types a URL becomes in a KB, each with the declared type that stands for it. */
    private static final Map<String, String> DECLARED = Map.of("html", "text/html", "markdown", "text/markdown",
            "text", "text/plain", "pdf", "application/pdf");

    private UrlRecords() {
    }

    /** An entry and the file its {@code raw} blob is read from. */
    record Answer(CacheEntry entry, Path raw) {
    }

    /** A row whose files disagree with it: damage, or a writer of that KB at work. */
    static final class Disagrees extends Exception {
        private static final long serialVersionUID = 1L;

        Disagrees(String message) {
            super(message);
        }
    }

    /**
     * The URL key's name for {@code sourceUri} (a row's URL as given): normalised as the
     * prepare path normalises what it fetches (scheme and host lower case, default port dropped,
     * no userinfo, no fragment); null when it is not an http(s) URL.
     */
    static String keyName(String sourceUri) {
        HttpUrl u = HttpUrl.parse(sourceUri);
        return u == null ? null : u.newBuilder().username("").password("").fragment(null).build().toString();
    }

    /**
     * The entry {@code row} answers {@code key} with, or null when it cannot say what a download
     * would make of it (a miss, quietly).
     *
     * @throws Disagrees when its files are not its own: a raw file of another size, a page that
     *                   names other content
     */
    static Answer answer(CacheKey key, DocumentRow row, KbFiles files) throws IOException, Disagrees {
        String type = row.type();
        HttpUrl url = HttpUrl.parse(key.name());
        if (url == null || row.rawPath() == null || !DECLARED.containsKey(type)
                || !key.name().equals(keyName(row.sourceUri()))) {
            return null;
        }
        Path raw = files.raw(row.rawPath());
        Path page = files.page(row.sourcePath());
        if (raw == null || page == null) {
            return null; // not paths kb writes: not a document of this KB's to serve
        }
        long size = KbFiles.size(raw);
        if (size != row.size()) {
            throw new Disagrees(size < 0 ? KbFiles.absent(raw, row.rawPath())
                    : row.rawPath() + " has " + size + " bytes, not " + row.size());
        }
        pageNames(row, page);
        if (row.fetch() != null) {
            CacheEntry e = recorded(key, row, raw);
            return e == null ? null : new Answer(e, raw);
        }

        // the name: what a fetch of the URL itself hints, as the KB named it
        String hint = NameHint.of(null, url);
        boolean isHost = NameHint.isHost(null, url);
        String stem = isHost ? hint : UrlSource.stem(hint);
        if (!Names.isUniqueNameOf(row.docName(), Names.sanitize(stem), row.sourceUri())) {
            return null;
        }
        // the type: the bytes under that name decide it as the KB recorded it
        byte[] head = KbFiles.head(raw, Sniffer.HEAD_SIZE);
        String extension = extension(row.rawPath());
        String declared = null;
        if (!sniffsAs(head, null, hint, type, extension)) {
            declared = DECLARED.get(type);
            if (!sniffsAs(head, declared, hint, type, extension)) {
                return null;
            }
        }
        boolean html = type.equals("html");
        if (html && !hasByteOrderMark(head) && !KbFiles.ascii(raw)) {
            return null; // its charset may have been the Content-Type's, which the KB did not keep
        }

        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("final_url", url.uri().toString()); // as a fetch ending there says it
        fields.put("content_type", declared);
        fields.put("name_hint", hint);
        fields.put("name_is_host", isHost);
        fields.put("etag", row.etag());
        fields.put("last_modified", row.lastModified());
        long at = html ? 0 : millis(row.updatedAt());
        CacheEntry e = new CacheEntry(key, at, fields, List.of(new CacheEntry.Blob("raw", row.sha256(), row.size())));
        return new Answer(e, raw);
    }

    /**
     * The entry the fetch recorded with {@code row} stored, or null when the record is not one kb
     * writes or disagrees with the row: the name it hints is not the row's, or the bytes sniffed
     * under it with its Content-Type are not of the row's type and extension.
     */
    private static CacheEntry recorded(CacheKey key, DocumentRow row, Path raw) throws IOException {
        Map<String, Object> f = PageRecords.json(row.fetch());
        if (f == null || !(f.get("final_url") instanceof String finalUrl)
                || !(f.get("name_hint") instanceof String hint) || hint.isEmpty()
                || !(f.get("name_is_host") instanceof Boolean isHost)
                || f.get("content_type") != null && !(f.get("content_type") instanceof String)
                || HttpUrl.parse(finalUrl) == null) {
            return null;
        }
        String declared = (String) f.get("content_type");
        String stem = isHost ? hint : UrlSource.stem(hint);
        if (!Names.isUniqueNameOf(row.docName(), Names.sanitize(stem), row.sourceUri())) {
            return null;
        }
        if (!sniffsAs(KbFiles.head(raw, Sniffer.HEAD_SIZE), declared, hint, row.type(), extension(row.rawPath()))) {
            return null;
        }
        // the fields in the order, and of the types, CachedUrl.store gives them
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("final_url", finalUrl);
        fields.put("content_type", declared);
        fields.put("name_hint", hint);
        fields.put("name_is_host", isHost);
        fields.put("etag", row.etag());
        fields.put("last_modified", row.lastModified());
        return new CacheEntry(key, millis(row.updatedAt()), fields,
                List.of(new CacheEntry.Blob("raw", row.sha256(), row.size())));
    }

    /**
     * That the page of {@code row} is there and its front matter names the row's sha256 and
     * source: the row, its raw file and its page are of one commit.
     */
    static void pageNames(DocumentRow row, Path page) throws IOException, Disagrees {
        if (KbFiles.size(page) < 0) {
            throw new Disagrees(KbFiles.absent(page, row.sourcePath()));
        }
        String head = KbFiles.pageHead(page);
        Map<String, String> keys = kbKeys(head);
        String sha;
        String source;
        if (keys != null) {
            sha = keys.get("sha256");
            source = keys.get("source");
        } else {
            Optional<String> damage = FrontMatter.damage(head, row.sha256());
            if (damage.isPresent()) {
                throw new Disagrees(row.sourcePath() + ": " + damage.get());
            }
            sha = row.sha256();
            try {
                source = YamlEntries.parse(head.substring(4, head.indexOf("\n---\n", 3) + 1)).text("source")
                        .orElse(null);
            } catch (YamlEntries.Unsplittable e) {
                source = null; // damage() read it: not reached
            }
        }
        if (!row.sha256().equals(sha)) {
            throw new Disagrees(row.sourcePath() + ": its front matter names "
                    + (sha == null ? "no sha256" : "another sha256"));
        }
        if (!row.sourceUri().equals(source)) {
            throw new Disagrees(row.sourcePath() + ": its front matter names another source");
        }
    }

    /**
     * kb's {@code sha256} and {@code source} as the front matter writes them, read from its
     * lines: a key at the start of a line, its value a plain scalar or one quoted without escapes,
     * alone on its line. That is how kb writes them (a URL and a hex digest), and reading them so
     * costs nothing on a cold start, where a YAML reader's first use would take a look-up's whole
     * deadline. Null when a page says them any other way (then YAML reads them), or has no front
     * matter that closes; a key it does not hold is absent from the map.
     */
    static Map<String, String> kbKeys(String head) {
        return kbKeys(head, List.of("sha256", "source"));
    }

    /** The same for the front matter's {@code keys}, read as {@link #kbKeys(String)} reads kb's two. */
    static Map<String, String> kbKeys(String head, List<String> keys) {
        if (!head.startsWith("---\n")) {
            return null;
        }
        int end = head.indexOf("\n---\n", 3);
        if (end < 0) {
            return null;
        }
        String[] lines = head.substring(4, end + 1).split("\n", -1);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            for (String key : keys) {
                if (!line.startsWith(key + ":")) {
                    continue;
                }
                String next = i + 1 < lines.length ? lines[i + 1] : "";
                if (!next.isEmpty() && (next.charAt(0) == ' ' || next.charAt(0) == '\t')) {
                    return null; // a value continued on the next line
                }
                String v = scalar(line.substring(key.length() + 1).strip());
                if (v == null || out.containsKey(key)) {
                    return null;
                }
                out.put(key, v);
            }
        }
        return out;
    }

    /** A one-line YAML scalar's text: plain, or quoted with nothing to unescape; null otherwise. */
    private static String scalar(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            String in = v.substring(1, v.length() - 1);
            return in.indexOf('"') < 0 && in.indexOf('\\') < 0 ? in : null;
        }
        if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
            String in = v.substring(1, v.length() - 1);
            return in.indexOf('\'') < 0 ? in : null;
        }
        if (v.isEmpty() || "\"'&*!|>%@`{[#".indexOf(v.charAt(0)) >= 0 || v.contains(" #") || v.contains(": ")) {
            return null;
        }
        return v;
    }

    private static boolean sniffsAs(byte[] head, String declared, String name, String type, String extension) {
        Sniffed s = Sniffer.sniff(head, head.length, declared, name);
        return s.supported() && s.kind().name().toLowerCase(Locale.ROOT).equals(type)
                && s.extension().equals(extension);
    }

    private static boolean hasByteOrderMark(byte[] b) {
        byte[] utf8 = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        return b.length >= 3 && Arrays.equals(Arrays.copyOf(b, 3), utf8)
                || b.length >= 2 && (b[0] == (byte) 0xFE && b[1] == (byte) 0xFF || b[0] == (byte) 0xFF && b[1] == (byte) 0xFE);
    }

    private static String extension(String rawPath) {
        String name = Path.of(rawPath).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    /** An ISO-8601 instant in epoch milliseconds; 0 (long ago) when it is not one. */
    static long millis(String iso) {
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException | NullPointerException e) {
            return 0;
        }
    }
}
