/**
 * The file-operation seam: every rename, delete, fsync and atomic write that the protocol makes
 * goes through {@link dev.kb.core.fs.FileOps}, so tests can fail the N-th one
 * ({@code FailingFileOps}) or halt the process at a named step ({@link dev.kb.core.fs.Halt}); plus
 * streaming SHA-256 ({@link dev.kb.core.fs.Hashing}); and kb's cache directory, the one place
 * outside a KB it writes, chosen absolute and private ({@link dev.kb.core.fs.CacheDirectory}).
 * Nothing here knows what a document is.
 */
package dev.kb.core.fs;
