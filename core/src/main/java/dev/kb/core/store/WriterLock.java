package dev.kb.core.store;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The exclusive right to mutate one knowledge base, held from {@link Factory#acquire} to
 * {@link #close}. Everything between the journal and the commit point runs under it.
 */
public interface WriterLock extends AutoCloseable {

    /**
     * Guards code that must run under the lock. Not holding it is a bug
     * ({@link IllegalStateException}); having lost it without letting go (its file removed by hand)
     * throws {@link LockLostException}: another writer may be at work, so neither commit nor undo.
     */
    void assertHeld();

    boolean isHeld();

    @Override
    void close();

    /** Takes the lock of one knowledge base. */
    @FunctionalInterface
    interface Factory {
        /**
         * Waits up to {@code wait}; {@code onWait} is told once who holds it when we have to wait.
         * Throws {@link dev.kb.core.KbException.Kind#LOCK_BUSY} naming the holder when the wait runs out.
         */
        WriterLock acquire(Duration wait, String command, Consumer<String> onWait);
    }
}
