/**
 * Crash-safe mutations of a knowledge base: the journal, publishing, and recovery.
 *
 * <h2>Protocol (one mutation = one journal = one registry transaction)</h2>
 * Every step runs under the writer lock. Staged files were written and forced in a private
 * staging folder before the lock was taken.
 * <ol>
 *   <li><b>Journal.</b> {@code .kb/journal/<id>.json} is written atomically with status
 *       {@code active}: for each file to publish, its staged path, its target, and, when the target
 *       exists, where the live file will be parked ({@code .kb/staging/j-<id>/<n>}). All paths are
 *       KB-relative. <i>Crash here:</i> nothing is published; recovery rolls back (a no-op) and
 *       discards the journal.</li>
 *   <li><b>Publish.</b> For each entry in order: move the live target to its backup (if any),
 *       then rename the staged file onto the target; then fsync the touched directories.
 *       <i>Crash here:</i> some entries are done; rollback undoes exactly those, because each
 *       entry's state is visible on disk (backup present? staged file gone?).</li>
 *   <li><b>Commit point.</b> One SQLite transaction writes the documents' rows and the journal id
 *       into {@code commits}. <i>Crash before it returns:</i> the id is absent, recovery rolls back.
 *       <i>After:</i> the id is present, recovery finishes.</li>
 *   <li><b>Mark.</b> The journal is rewritten with status {@code committed} (informational: the
 *       registry, not this status, decides).</li>
 *   <li><b>Post-commit hooks.</b> Append {@code wiki/log.md}, update {@code wiki/index.md}. Their
 *       failure is a warning; they never undo a commit. Recovery of a committed journal repairs
 *       them (the log gets its missing lines, the index is rebuilt from the registry).</li>
 *   <li><b>Discard.</b> Delete the backups (durably), then the journal, then forget its id. So a
 *       backup folder never outlives its journal holding files.</li>
 * </ol>
 *
 * <h2>Recovery decides from the registry, never by guessing</h2>
 * For each journal: unreadable (empty, not JSON, missing fields, paths escaping the KB) → moved to
 * {@code .kb/quarantine/} with a loud message, never deleted, never blocking the KB (its backup
 * folder first and durably, then the journal, so a crash between the two cannot orphan the
 * backups); its id in
 * {@code commits} → finished; otherwise → rolled back in reverse entry order: a present backup is
 * renamed back over the target; a target whose staged file is gone (it was published) is renamed
 * back to its staged path while that staging folder exists (so a failed group can be retried one
 * document at a time), else removed. Rollback is idempotent, so a crash during recovery is recovered the same way. It is
 * tried a bounded number of times; if it still fails, the KB is unusable until {@code kb recover}
 * succeeds (exit 3) — committing on top of a half-undone state could lose data.
 * Then staging folders owned by no journal and no live process are removed, except a journal's
 * backup folder that still holds files: its journal was lost some other way and it may hold the
 * only copy of a replaced file, so it is quarantined with a warning instead.
 */
package dev.kb.core.journal;
