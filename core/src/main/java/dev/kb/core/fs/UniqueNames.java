package dev.kb.core.fs;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names no other process or call uses (journal ids, staging areas, temporaries renamed into
 * place), in the form of a UUID. Not {@link UUID#randomUUID}: its SecureRandom costs a cold JVM
 * 15 ms (the security providers, the entropy source), a sixth of a one-file {@code kb add}'s own
 * work, and nothing here needs names nobody can guess: every file made under one is created with
 * {@code CREATE_NEW}, which fails rather than follow or reuse what is there.
 *
 * <p>The high half is this process's id and the millisecond this class was loaded: no two live
 * processes of one pid namespace share a pid, and a pid used again later starts later. The low
 * half, a counter from a random start (ThreadLocalRandom, seeded from the clocks, not from the
 * entropy source), sets apart the names of one process, and of two processes that share the
 * high half anyway: containers writing one KB whose processes got the same pid in the same
 * millisecond, or a clock set back (a collision then needs their random starts to fall within
 * the few names either makes, out of 2^64).
 * Journal ids are kept in the registry ({@code Recovery} trusts them), so this matters.
 */
public final class UniqueNames {
    private static final long HIGH = (ProcessHandle.current().pid() << 42) ^ (System.currentTimeMillis() & ((1L << 42) - 1));
    private static final AtomicLong LOW = new AtomicLong(ThreadLocalRandom.current().nextLong());

    private UniqueNames() {
    }

    /** A new name: 36 characters of hex digits and dashes, as a UUID is written. */
    public static String next() {
        return new UUID(HIGH, LOW.getAndIncrement()).toString();
    }
}
