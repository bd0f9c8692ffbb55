package dev.kb.core.store;

/**
 * One row of the {@code documents} table. Paths are KB-relative. {@code sha256} is the hex of the
 * raw bytes, or of the source file for a document that has no raw bytes (a cloud import).
 * {@code origin} is how its page was made, or null when that is not known ({@link PageOrigin}).
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
        PageOrigin origin) {

    /** A row without a record of how its page was made. */
    public DocumentRow(String docName, String sha256, String rawPath, String sourcePath, String sourceUri, String type,
                       String title, long size, String addedAt, String updatedAt, String etag, String lastModified) {
        this(docName, sha256, rawPath, sourcePath, sourceUri, type, title, size, addedAt, updatedAt, etag, lastModified,
                null);
    }
}
