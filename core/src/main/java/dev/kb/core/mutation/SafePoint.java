package dev.kb.core.mutation;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The stop request of one {@link Batch} and the moment it ended: a signal handler asks with
 * {@link #cancel}, the batch checks {@link #cancelled} between groups and calls {@link #reached}
 * when it returns, whatever way it returns.
 */
public final class SafePoint {
    private volatile boolean cancelled;
    private final CountDownLatch finished = new CountDownLatch(1);

    /** Asks the batch to stop and waits up to {@code grace} for it to get there. */
    public boolean cancel(Duration grace) {
        cancelled = true;
        try {
            return finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The batch has ended (called from its finally block). */
    public void reached() {
        finished.countDown();
    }
}
