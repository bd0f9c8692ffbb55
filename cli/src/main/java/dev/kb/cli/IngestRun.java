package dev.kb.cli;

import dev.kb.core.ingest.Ingest;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shared by add and import: runs the batch, prints events and summary, maps to an exit code. */
final class IngestRun {
    private IngestRun() {
    }

    static int run(KnowledgeBase kb, List<Inputs.Item> items, String command, WriteOptions write, Output out) {
        long start = System.nanoTime();
        Map<Outcome.Status, Integer> seen = Collections.synchronizedMap(Ingest.emptySummary());
        // Printed once, by the main thread or the shutdown hook, whichever gets there first.
        AtomicBoolean reported = new AtomicBoolean();
        Ingest ingest = new Ingest(kb, Ingest.Options.defaults(write.wait, command), new Batch.Listener() {
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
                if (ingest.cancelled()) {
                    out.info(safePoint.get()
                            ? "kb: interrupted: stopped after the last committed group; the same command adds the rest"
                            : "kb: interrupted: no safe point reached in time; the next kb command cleans up after this one");
                }
                synchronized (seen) {
                    out.summary(seen, (System.nanoTime() - start) / 1_000_000);
                }
                printed.countDown();
            }
        };
        // Ctrl-C / SIGTERM: let the group being committed finish and report what was done (the
        // JVM then exits 130 / 143); whatever a harder stop leaves, the next command cleans up.
        // The JVM halts when the hook returns, so the hook waits for the summary to be out.
        Thread hook = new Thread(() -> {
            safePoint.set(ingest.cancel(Duration.ofSeconds(10)));
            summary.run();
            try {
                printed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ingest.run(items);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns as soon as run() has
            }
        }
        summary.run();
        return seen.get(Outcome.Status.FAILED) > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
    }
}
