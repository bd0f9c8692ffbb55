package dev.kb.core.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only crash points. When the environment variable {@value #ENV} names a step (for example
 * {@code journal-written}), the process halts at once when it reaches that step, as if killed:
 * no shutdown hooks, no finally blocks, no flushing. End-to-end tests use it to stop a real
 * {@code kb add} at every step of the commit protocol and check that the next command recovers.
 *
 * <p>When {@value #PAUSE_ENV} names a step instead, the process pauses there the first time it
 * reaches it, as if stopped with SIGSTOP, so that a test can act on the KB meanwhile: it creates
 * the file {@code paused} in the directory {@value #PAUSE_DIR_ENV} names, and goes on once a file
 * {@code resume} appears there (or halts, as above, if none has after {@link #PAUSE_LIMIT}, so a
 * test that died leaves no process behind).
 *
 * <p>Unset (always, outside tests) it costs two null checks per step.
 */
public final class Halt {
    public static final String ENV = "KB_TEST_HALT_AT";
    public static final String PAUSE_ENV = "KB_TEST_PAUSE_AT";
    public static final String PAUSE_DIR_ENV = "KB_TEST_PAUSE_DIR";

    /** Exit status of a halted process, distinct from every code in the contract. */
    public static final int STATUS = 86;

    static final Duration PAUSE_LIMIT = Duration.ofMinutes(2);

    private static final String TARGET = normalise(System.getenv(ENV));
    private static final String PAUSE = normalise(System.getenv(PAUSE_ENV));
    private static final AtomicBoolean PAUSED = new AtomicBoolean();

    private Halt() {
    }

    public static void at(String step) {
        if (TARGET != null && TARGET.equals(step)) {
            System.err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
        if (PAUSE != null && PAUSE.equals(step) && PAUSED.compareAndSet(false, true)) {
            pause();
        }
    }

    private static void pause() {
        String dir = System.getenv(PAUSE_DIR_ENV);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException(PAUSE_ENV + " is set but " + PAUSE_DIR_ENV + " is not");
        }
        Path resume = Path.of(dir, "resume");
        try {
            Files.createFile(Path.of(dir, "paused"));
            long deadline = System.nanoTime() + PAUSE_LIMIT.toNanos();
            while (!Files.exists(resume)) {
                if (System.nanoTime() > deadline) {
                    Runtime.getRuntime().halt(STATUS);
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String normalise(String v) {
        return v == null || v.isBlank() ? null : v.trim().toLowerCase(Locale.ROOT);
    }
}
