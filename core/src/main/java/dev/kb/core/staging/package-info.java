/**
 * Private staging: where a process prepares documents (downloads, conversions) before it takes
 * the writer lock.
 *
 * <p>Each process gets {@code .kb/staging/p-<uuid>/} and an owner file beside it,
 * {@code p-<uuid>.owner}, on which it holds an OS file lock for its lifetime. The kernel drops
 * that lock when the process dies, so "is this folder orphaned?" has an exact answer: its owner
 * file can be locked by someone else (or is missing). The owner file is created and locked
 * <em>before</em> the folder exists, and the creator checks after locking that the path still
 * names the file it locked, so a sweeper can never delete a folder that a live process is
 * about to use. Inside its folder each thread stages into a lane of its own, {@code t<N>/}
 * (creating a file takes its folder's lock: preparers sharing one queued on it in every create);
 * a lane belongs to the folder it is in, and goes with it. Backups of a journal live in {@code j-<journal id>/} and belong to that journal;
 * without it, an empty one is removed and one holding files is moved to {@code .kb/quarantine/}.
 *
 * <p>The owner file holds its process's pid, for messages only. Recovery uses the same liveness
 * test on the folder a journal's staged files lie in ({@link dev.kb.core.staging.StagingOwner}):
 * a journal of a process still running is not a crash's leftover.
 */
package dev.kb.core.staging;
