package dev.kb.core.store;

/**
 * One row of the {@code documents} table. Paths are KB-relative. {@code sha256} is the hex of the
 * raw bytes, or of the source file for a document that has no raw bytes (a cloud import).
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
        String lastModified) {
}
