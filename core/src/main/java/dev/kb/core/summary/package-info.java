/**
 * The summary {@code kb status} shows (documents and bytes by type, the last commit, the last
 * {@value dev.kb.core.summary.SummaryCache#RECENT} commits) and its cache in {@code .kb/}.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li><b>Tagged with the revision.</b> A summary is read from the registry in one statement
 *       ({@link dev.kb.core.store.Registry#snapshot}) together with the registry's revision, which
 *       every commit point moves by one in its own transaction: a summary tagged with revision
 *       <i>r</i> is the summary of exactly the rows of <i>r</i>.</li>
 *   <li><b>The writer refreshes it</b> after each commit, as the last post-commit step
 *       ({@link dev.kb.core.summary.SummaryCache#refresh}): best effort, after the commit point,
 *       never undoing anything; a failure is a warning. The summary is read from totals the
 *       registry keeps by type, so it costs the same after every group of a 200,000-document
 *       ingest as of a 10-document one.</li>
 *   <li><b>Status</b> ({@link dev.kb.core.summary.SummaryCache#serve}) reads the revision (one row)
 *       and the file. Same revision: served. Older, and a writer holds the lock: served marked
 *       stale, unless older than {@link dev.kb.core.summary.SummaryCache#MAX_STALE_AGE} (the
 *       writer stores the new one at its next commit). Otherwise, or when the file is missing or
 *       corrupt: rebuilt inline and stored if the revision did not move meanwhile and the KB can
 *       be written. A read-only KB still answers, with a summary it does not store.</li>
 *   <li><b>Unopened while the registry rests.</b> A status that finds the cached summary current,
 *       or rebuilds it, also stores the registry's {@link dev.kb.core.summary.RegistryStamp} (its
 *       files' inode, size and times) when it is settled and did not move during the read. While
 *       the files still match it, the next status serves the summary without loading SQLite
 *       ({@link dev.kb.core.summary.SummaryCache#serveUnopened}); any commit changes them. The
 *       stamp line carries the CRC-32 of the lines above it, so an edited summary loses it.</li>
 *   <li><b>Never a second source of truth.</b> Deleting the file costs one rebuild; a corrupt
 *       one is ignored (and said so with {@code --verbose}). A rebuilt registry gets a revision
 *       above every revision a summary was cached at
 *       ({@link dev.kb.core.app.RebuildRegistry}), so no old summary matches it.</li>
 * </ul>
 * <i>Crashes:</i> a writer killed after its commit and before the refresh leaves a summary of an
 * older revision, which the next status rebuilds; one killed between writing the temporary file
 * and renaming it ({@code summary-staged}) leaves that temporary, which the next recovery removes.
 */
package dev.kb.core.summary;
