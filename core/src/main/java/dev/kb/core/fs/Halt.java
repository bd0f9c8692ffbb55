package dev.kb.core.fs;

import java.util.Locale;

/**
 * Test-only crash points. When the environment variable {@value #ENV} names a step (for example
 * {@code journal-written}), the process halts at once when it reaches that step, as if killed:
 * no shutdown hooks, no finally blocks, no flushing. End-to-end tests use it to stop a real
 * {@code kb add} at every step of the commit protocol and check that the next command recovers.
 * Unset (always, outside tests) it costs one string comparison per step.
 */
public final class Halt {
    public static final String ENV = "KB_TEST_HALT_AT";

    /** Exit status of a halted process, distinct from every code in the contract. */
    public static final int STATUS = 86;

    private static final String TARGET = normalise(System.getenv(ENV));

    private Halt() {
    }

    public static void at(String step) {
        if (TARGET != null && TARGET.equals(step)) {
            System.err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
    }

    private static String normalise(String v) {
        return v == null || v.isBlank() ? null : v.trim().toLowerCase(Locale.ROOT);
    }
}
