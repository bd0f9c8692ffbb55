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
 * ({@link WriterLock#currentHolder}).
 *
 * <p>Taking the lock is the moment to drain what an interrupted writer left: callers run
 * {@link dev.kb.core.journal.Recovery} right after {@link WriterLock#acquire}.
 */
package dev.kb.core.lock;
