package dev.kb.core.fs;

/**
 * Process-wide set-up that only some commands need, run once, just before the first use of what
 * it prepares. The CLI registers it ({@link #register}); the registry calls {@link #ensure} before
 * its first SQLite connection, and PDF conversion before PDFBox starts. Done eagerly, the choice
 * of the cache directory, the check of sqlite-jdbc's native library and the logging reset cost
 * every {@code kb --version} and {@code kb --help} about 40 ms of the JVM's start for nothing.
 */
public final class RuntimeSetup {
    private static Runnable pending;

    private RuntimeSetup() {
    }

    /** What {@link #ensure} runs, once; replaces anything registered and not yet run. */
    public static synchronized void register(Runnable setUp) {
        pending = setUp;
    }

    /**
     * Runs the registered set-up if it has not run yet; a no-op without one (tests and embedders
     * that use the library directly). It must not throw: the set-up only improves where files go.
     */
    public static synchronized void ensure() {
        Runnable r = pending;
        pending = null;
        if (r != null) {
            r.run();
        }
    }
}
