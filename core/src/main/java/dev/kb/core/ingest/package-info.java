/**
 * The add/import batch scheduler: inputs are prepared concurrently outside the writer lock (a
 * bounded pool, a bounded window of staged documents), then committed serially in input order
 * through a {@link dev.kb.core.mutation.WriterSession}, ready documents together as one group. Input
 * order makes names deterministic whatever the thread count.
 */
package dev.kb.core.ingest;
