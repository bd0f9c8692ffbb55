/**
 * The per-KB writer lock.
 *
 * <p>One process at a time mutates a knowledge base. The lock is an OS file lock
 * ({@code fcntl}) on {@code .kb/ingest.lock}: the kernel releases it when the holder dies, even by
 * {@code kill -9}, so a stale lock never needs breaking by hand. Within one JVM a semaphore per
 * lock file keeps threads apart too (file locks are per process, not per thread).
 *
 * <p>The holder writes its pid, command and start time into the lock file so that others can say
 * who is busy. That text can outlive its writer; readers trust it only when the process with that
 * pid is alive and started at the recorded instant (pid reuse). Within the JVM that holds the lock
 * nothing but the holder's own channel may open the lock file: closing any descriptor of a file
 * drops all of the process's fcntl locks on it, so readers there are answered from memory
 * ({@link FcntlWriterLock#currentHolder}).
 *
 * <p>Removing {@code .kb/ingest.lock} by hand breaks the lock: the holder's lock stays on the
 * unlinked file and the next process locks a fresh one. Two defences: the holder checks before
 * each recovery, each group's commit and the commit point itself that the file at the path is the
 * one it locked ({@link FcntlWriterLock#assertHeld}, one stat), and stops with
 * {@link LockLostException} (exit 3) when it is not; and recovery never undoes or finishes a
 * journal whose staged files lie in another live process's staging folder (see
 * {@link dev.kb.core.journal}).
 *
 * <p>Taking the lock is the moment to drain what an interrupted writer left: callers run
 * {@link dev.kb.core.mutation.Recovery} right after {@link FcntlWriterLock#acquire}.
 */
package dev.kb.core.lock;
