package dev.kb.core.cache;

import dev.kb.core.fs.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * What a cache entry is found by: its kind, its natural name and the version of whatever made
 * it. Providers store an entry under {@link #id()}, a hash of all three, so a key's text (a URL
 * with its query, a file name) never becomes a file name or a Redis key as it is; and two
 * versions of a converter never share an entry.
 *
 * @param kind    what the entry holds
 * @param name    the natural key: a URL without its userinfo ({@link Kind#URL}), the raw bytes'
 *                SHA-256 plus the conversion's inputs ({@link Kind#CONVERSION}), a PageIndex
 *                Cloud doc id ({@link Kind#CLOUD}). Never a secret: a URL name with userinfo is
 *                refused, since a key is stored in the clear.
 * @param version who made the entry: for a conversion the converter's identity and version, for
 *                the others the entry layout. An entry whose version is not the key's is a miss.
 */
public record CacheKey(Kind kind, String name, String version) {

    /** What an entry holds; the tag is part of the key's hash and of the stored entry. */
    public enum Kind {
        /** The bytes of a URL and what kb keeps of the response; blob {@code raw}. */
        URL("url"),
        /** A conversion of raw bytes: front-matter fields; blob {@code body}, the page below its front matter. */
        CONVERSION("conversion"),
        /** A completed PageIndex Cloud document: blobs {@code body} and {@code tree}. */
        CLOUD("cloud");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }

        /** The kind whose {@link #tag()} is {@code tag}, or null. */
        public static Kind ofTag(String tag) {
            for (Kind k : values()) {
                if (k.tag.equals(tag)) {
                    return k;
                }
            }
            return null;
        }
    }

    public CacheKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (kind == Kind.URL && hasUserInfo(name)) {
            // a programming error: the password would be stored in the clear as part of the key
            throw new IllegalArgumentException("a URL cache key must not carry userinfo");
        }
    }

    /** Lower-case hex SHA-256 of kind, version and name: the name a provider stores the entry under. */
    public String id() {
        return Hashing.sha256Hex((kind.tag() + "\n" + version + "\n" + name).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean hasUserInfo(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return false;
        }
        int end = scheme + 3;
        while (end < url.length() && "/\\?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(scheme + 3, end).indexOf('@') >= 0;
    }

    @Override
    public String toString() {
        // a key is shown in messages of tests and --verbose traces: the name may be long
        String shown = name.length() > 120 ? name.substring(0, 120) + "…" : name;
        return kind.tag().toUpperCase(Locale.ROOT) + "[" + shown + " @ " + version + "]";
    }
}
