package dev.kb.core.store;

import java.util.Objects;

/**
 * How a document's page was made, committed with its row (registry schema 5): what another KB
 * reading this one as a source cache ({@code kb:PATH}) needs to know that the page is exactly
 * what its own converter (or PageIndex Cloud rendering) makes of the same input, and that nobody
 * has edited it since. Without it a page of unknown origin could be served in place of a
 * conversion, and a KB built with the cache would differ from one built without.
 *
 * <p>Only what made the page knows this, so only the add that made it records it: rows of older
 * schemas, Markdown and text rows (not cached conversions) and rows rebuilt from the files
 * ({@code kb recover --rebuild-registry}) have none, and their pages are never served as
 * conversions.
 *
 * @param key    the id ({@code CacheKey.id()}) of the source-cache key the page was made under: for
 *               a conversion the raw bytes' SHA-256 and every other input of it at the converters'
 *               identity, for a cloud import the doc id at the rendering's identity
 * @param sha256 lower-case hex SHA-256 of the page's bytes as published: a page edited since no
 *               longer hashes to it
 * @param fields what the page's front matter was rendered from, as a JSON object: the fields of
 *               the cache entry stored under {@code key} (a conversion's title, metadata, own
 *               front matter and warnings; a cloud document's title and front-matter values)
 */
public record PageOrigin(String key, String sha256, String fields) {
    public PageOrigin {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(fields, "fields");
    }

    /** The origin the three columns of a row say, or null when any of them is empty. */
    public static PageOrigin of(String key, String sha256, String fields) {
        return key == null || sha256 == null || fields == null ? null : new PageOrigin(key, sha256, fields);
    }
}
