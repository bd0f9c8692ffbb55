package dev.kb.core.progress;

import dev.kb.core.input.Outcome;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The counts of one running batch, in memory: the batch thread tells it what happens (a few
 * field updates under an uncontended monitor per input, never any I/O), and the publisher and the
 * terminal's progress line take {@link #snapshot}s from their own threads.
 */
public final class BatchProgress {
    /** The rate is taken over about this long, so that it follows a batch whose speed changes. */
    private static final long WINDOW_NANOS = 10_000_000_000L;
    private static final long SAMPLE_NANOS = 1_000_000_000L;
    /** Below this much time a rate says more about the clock than about the batch. */
    private static final long MIN_SPAN_NANOS = 500_000_000L;

    private final String command;
    private final Instant startedAt;
    private final LongSupplier nanos;
    private final long pid;
    private final Instant processStarted;

    private String phase;
    private long inputs = -1;
    private long done;
    private long added;
    private long updated;
    private long skipped;
    private long failed;
    private long removed;
    private long repaired;
    private String current;
    /** Bumped by every change, so that a publisher writes only when there is something new. */
    private long changes;
    /** (time, done) pairs at least {@link #SAMPLE_NANOS} apart, oldest first, within the window. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    public BatchProgress(String command) {
        this(command, System::nanoTime);
    }

    BatchProgress(String command, LongSupplier nanos) {
        this.command = command;
        this.nanos = nanos;
        this.startedAt = Instant.now();
        ProcessHandle self = ProcessHandle.current();
        this.pid = self.pid();
        this.processStarted = self.info().startInstant().orElse(null);
        samples.add(new long[] {nanos.getAsLong(), 0});
    }

    public String command() {
        return command;
    }

    /** The batch's inputs are known (a directory walk is done): the total, and the rate starts over. */
    public synchronized void inputs(long total) {
        inputs = total;
        restartRate();
        changes++;
    }

    /**
     * A new phase with its own total ({@code kb recover}: verifying, then repairing): done and the
     * rate start over, the counts of outcomes stay.
     */
    public synchronized void phase(String name, long total) {
        phase = name;
        inputs = total;
        done = 0;
        current = null;
        restartRate();
        changes++;
    }

    /** The input the batch now waits for. */
    public synchronized void working(String input) {
        if (input != null && !input.equals(current)) {
            current = input;
            changes++;
        }
    }

    /** An input finished with {@code status}. */
    public synchronized void finished(Outcome.Status status) {
        done++;
        switch (status) {
            case ADDED -> added++;
            case UPDATED -> updated++;
            case SKIPPED -> skipped++;
            case FAILED -> failed++;
            case REMOVED -> removed++;
            case REPAIRED -> repaired++;
        }
        changes++;
    }

    /** An input finished that has no outcome of its own (a document verified by recover). */
    public synchronized void step(String input) {
        done++;
        current = input;
        changes++;
    }

    synchronized long changes() {
        return changes;
    }

    private void restartRate() {
        samples.clear();
        samples.add(new long[] {nanos.getAsLong(), done});
    }

    private long[] second() {
        java.util.Iterator<long[]> it = samples.iterator();
        it.next();
        return it.next();
    }

    /** The progress as of now, with the rate over the last ten seconds or so. */
    public synchronized Progress snapshot() {
        long now = nanos.getAsLong();
        if (now - samples.peekLast()[0] >= SAMPLE_NANOS) {
            samples.addLast(new long[] {now, done});
        }
        // keep one sample at or beyond the window's start, so the span never shrinks to nothing
        while (samples.size() > 2 && now - second()[0] >= WINDOW_NANOS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long span = now - first[0];
        Double rate = span >= MIN_SPAN_NANOS ? (done - first[1]) * 1e9 / span : null;
        Long eta = null;
        if (rate != null && rate > 0 && inputs >= 0) {
            eta = (long) Math.ceil(Math.max(0, inputs - done) / rate);
        }
        return new Progress(pid, processStarted, command, phase, startedAt, Instant.now(),
                inputs < 0 ? null : inputs, done, added, updated, skipped, failed, removed, repaired, current, rate,
                eta);
    }
}
