package dev.kb.cli;

import dev.kb.core.fs.RuntimeSetup;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Shared by add, import and remove: runs a batch, prints its events and summary, stops it at a
 * safe point on Ctrl-C or SIGTERM, and maps what happened to an exit code.
 */
final class BatchRun {
    /** The summary keys of add and import (contract). */
    static final List<Outcome.Status> INGEST = List.of(Outcome.Status.ADDED, Outcome.Status.UPDATED,
            Outcome.Status.SKIPPED, Outcome.Status.FAILED);
    /** The summary keys of remove (contract). */
    static final List<Outcome.Status> REMOVE = List.of(Outcome.Status.REMOVED, Outcome.Status.SKIPPED,
            Outcome.Status.FAILED);

    private BatchRun() {
    }

    static int ingest(KnowledgeBase kb, List<Inputs.Item> items, String command, WriteOptions write, Output out) {
        return run(out, INGEST, l -> new Ingest(kb, Ingest.Options.defaults(write.wait, command), l),
                ingest -> ingest.run(items));
    }

    /**
     * @param create makes the batch, reporting to the listener it is given
     * @param body   runs it to its end (or to the safe point a cancel stops it at)
     */
    static <B extends Batch> int run(Output out, List<Outcome.Status> keys, Function<Batch.Listener, B> create,
                                     Consumer<B> body) {
        // before any input is read: URL fetching logs through java.util.logging, which the set-up silences
        RuntimeSetup.ensure();
        long start = System.nanoTime();
        Map<Outcome.Status, Integer> seen = Collections.synchronizedMap(new EnumMap<>(Outcome.Status.class));
        for (Outcome.Status s : keys) {
            seen.put(s, 0);
        }
        // Printed once, by the main thread or the shutdown hook, whichever gets there first.
        AtomicBoolean reported = new AtomicBoolean();
        B batch = create.apply(new Batch.Listener() {
            @Override
            public void outcome(Outcome o) {
                synchronized (seen) {
                    if (reported.get()) {
                        return; // the summary is out (an interrupt's grace ran out): it stays last
                    }
                    seen.merge(o.status(), 1, Integer::sum);
                    out.outcome(o);
                }
            }

            @Override
            public void warning(String message) {
                out.warning(message);
            }

            @Override
            public void waitingForLock(String holder) {
                out.waiting(holder);
            }
        });
        AtomicBoolean safePoint = new AtomicBoolean(true);
        CountDownLatch printed = new CountDownLatch(1);
        Runnable summary = () -> {
            boolean first;
            synchronized (seen) {
                first = reported.compareAndSet(false, true);
            }
            if (first) {
                if (batch.cancelled()) {
                    out.info(safePoint.get()
                            ? "kb: interrupted: stopped after the last committed group; the same command does the rest"
                            : "kb: interrupted: no safe point reached in time; the next kb command cleans up after this one");
                }
                synchronized (seen) {
                    out.summary(keys, seen, (System.nanoTime() - start) / 1_000_000, batch.cancelled());
                }
                printed.countDown();
            }
        };
        // Ctrl-C / SIGTERM: let the group being committed finish and report what was done (the
        // JVM then exits 130 / 143); whatever a harder stop leaves, the next command cleans up.
        // The JVM halts when the hook returns, so the hook waits for the summary to be out.
        Thread hook = new Thread(() -> {
            safePoint.set(batch.cancel(Duration.ofSeconds(10)));
            summary.run();
            try {
                printed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            body.accept(batch);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns as soon as the batch has
            }
        }
        summary.run();
        return seen.getOrDefault(Outcome.Status.FAILED, 0) > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
    }
}
