package dev.kb.core.store;

/**
 * One row of the {@code documents} table. Paths are KB-relative. {@code sha256} is the hex of the
 * raw bytes, or of the source file for a document that has no raw bytes (a cloud import).
 * {@code origin} is how its page was made, or null when that is not known ({@link PageOrigin}).
 * {@code fetch} is, for a URL, what the fetch that got its bytes said beyond them (registry schema
 * 5, column {@code fetch_fields}): a JSON object of the final URL after redirects, the
 * Content-Type and the name hint, exactly as the URL's source-cache entry holds them; null for
 * every other row, for a row of an older schema and for one rebuilt from the files.
 */
public record DocumentRow(
        String docName,
        String sha256,
        String rawPath,
        String sourcePath,
        String sourceUri,
        String type,
        String title,
        long size,
        String addedAt,
        String updatedAt,
        String etag,
        String lastModified,
        PageOrigin origin,
        String fetch) {

    /** A row without a record of its fetch (not a URL's, or not recorded). */
    public DocumentRow(String docName, String sha256, String rawPath, String sourcePath, String sourceUri, String type,
                       String title, long size, String addedAt, String updatedAt, String etag, String lastModified,
                       PageOrigin origin) {
        this(docName, sha256, rawPath, sourcePath, sourceUri, type, title, size, addedAt, updatedAt, etag, lastModified,
                origin, null);
    }

    /** A row without a record of how its page was made. */
    public DocumentRow(String docName, String sha256, String rawPath, String sourcePath, String sourceUri, String type,
                       String title, long size, String addedAt, String updatedAt, String etag, String lastModified) {
        this(docName, sha256, rawPath, sourcePath, sourceUri, type, title, size, addedAt, updatedAt, etag, lastModified,
                null);
    }
}
