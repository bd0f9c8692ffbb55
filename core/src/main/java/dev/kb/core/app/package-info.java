/**
 * The entry points of the commands that are not a plain ingest batch, one class each, each a thin
 * composition of the packages below: {@code Init} (lay out a KB), {@code Remove} (a batch of
 * removals through a {@link dev.kb.core.mutation.WriterSession}), {@code Recover} (recovery,
 * verification and {@code --repair}), {@code RebuildRegistry} ({@code --rebuild-registry}, with
 * {@code RowsFromFiles} reading the rows off {@code raw/} and {@code wiki/sources/}), {@code Listing}
 * ({@code list} and {@code show}, read-only), {@code Status} (a snapshot without the lock). No
 * printing here: the CLI formats what they return.
 */
package dev.kb.core.app;
