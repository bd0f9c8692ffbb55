package dev.kb.cli;

import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fs.RuntimeSetup;
import dev.kb.core.ingest.Ingest;
import dev.kb.core.input.Expansion;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import dev.kb.core.progress.BatchProgress;
import dev.kb.core.progress.ProgressPublisher;
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
import java.util.function.Supplier;

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

    /**
     * @param items the inputs, expanded once the progress is published: a long directory walk
     *              shows as a batch whose total is not known yet, and its inputs are begun as
     *              the walk finds them
     */
    static int ingest(KnowledgeBase kb, Supplier<Expansion> items, String command, WriteOptions write,
                      Output out) {
        return ingest(kb, items, command, write, out, null, false);
    }

    /**
     * @param caches  the source caches the batch uses, or null for none
     * @param verbose whether to report each cache's hits and misses of this run after the summary
     */
    static int ingest(KnowledgeBase kb, Supplier<Expansion> items, String command, WriteOptions write,
                      Output out, CachePlan caches, boolean verbose) {
        // the lambda captures the options, not the plan: linking a lambda loads the classes it
        // captures, and a run without caches must not load theirs
        Ingest.Options options = Ingest.Options.defaults(write.wait, command).withCaches(caches);
        int code = run(kb, command, out, INGEST, l -> new Ingest(kb, options, l), ingest -> ingest.run(items.get()));
        if (verbose && caches != null && caches.lastRun() != null) {
            SourceCaches used = caches.lastRun();
            List<SourceCache> all = used.caches();
            for (int i = 0; i < all.size(); i++) {
                out.info("kb: cache " + all.get(i).id() + ": " + used.hits(i) + " hit(s), " + used.misses(i)
                        + " miss(es) in this run" + (used.failed(i) ? " (failed, then not used)" : ""));
            }
        }
        return code;
    }

    /**
     * @param create makes the batch, reporting to the listener it is given
     * @param body   runs it to its end (or to the safe point a cancel stops it at)
     */
    static <B extends Batch> int run(KnowledgeBase kb, String command, Output out, List<Outcome.Status> keys,
                                     Function<Batch.Listener, B> create, Consumer<B> body) {
        // before any input is read: the cache directory (sqlite-jdbc's library, PDFBox's font cache)
        RuntimeSetup.ensure();
        long start = System.nanoTime();
        // what 'kb status' and the terminal's progress line show; the batch thread only counts
        BatchProgress progress = new BatchProgress(command);
        ProgressPublisher published = ProgressPublisher.start(kb, progress, out::warning);
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
                    count(o);
                    out.outcome(o);
                }
            }

            @Override
            public void outcomes(List<Outcome> group) {
                synchronized (seen) {
                    if (reported.get()) {
                        return;
                    }
                    for (Outcome o : group) {
                        count(o);
                    }
                    out.outcomes(group);
                }
            }

            private void count(Outcome o) {
                seen.merge(o.status(), 1, Integer::sum);
                progress.finished(o.status());
            }

            @Override
            public void inputs(int total) {
                progress.inputs(total);
            }

            @Override
            public void working(String input) {
                progress.working(input);
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
                // the batch is over: its progress goes before the summary is printed
                published.close();
                out.endProgress();
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
        out.startProgress(progress);
        try {
            body.accept(batch);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns as soon as the batch has
            }
            // a batch that failed as a whole (exit 2, 3, 75) leaves no progress behind either,
            // and its one error line is not drawn over
            published.close();
            out.endProgress();
        }
        summary.run();
        return seen.getOrDefault(Outcome.Status.FAILED, 0) > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
    }
}
