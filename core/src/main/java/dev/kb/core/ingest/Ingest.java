package dev.kb.core.ingest;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PrepareContext;
import dev.kb.core.input.Prepared;
import dev.kb.core.input.Source;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.AddPlanner;
import dev.kb.core.mutation.Batch;
import dev.kb.core.mutation.Storage;
import dev.kb.core.mutation.WriterSession;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import dev.kb.core.text.Causes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a batch: prepares inputs concurrently outside the lock (a bounded pool, a bounded window
 * of staged documents), and commits them serially in input order, so names are deterministic.
 * Ready documents are committed together as one group (one journal, one transaction); the lock
 * is taken per group, so no network or conversion work ever happens while it is held.
 */
public final class Ingest implements Batch {

    /** Tuning and policy of one batch. */
    public record Options(Duration lockWait, String command, int threads, int maxGroup, FileOps ops) {
        /**
         * Preparing is mostly waiting (fsync of staged files, downloads), so the pool is larger
         * than the core count; {@code kb.threads} overrides it for benchmarks.
         */
        public static Options defaults(Duration wait, String command) {
            int cpus = Runtime.getRuntime().availableProcessors();
            int threads = Integer.getInteger("kb.threads", Math.max(4, Math.min(16, cpus * 4)));
            return new Options(wait, command, Math.max(1, threads), 256, FileOps.REAL);
        }
    }


    private final KnowledgeBase kb;
    private final Options options;
    private final Batch.Listener listener;
    private volatile boolean cancelled;
    private final CountDownLatch finished = new CountDownLatch(1);

    public Ingest(KnowledgeBase kb, Options options, Batch.Listener listener) {
        this.kb = kb;
        this.options = options;
        this.listener = listener;
    }

    /** Counts per status. */
    public static Map<Outcome.Status, Integer> emptySummary() {
        Map<Outcome.Status, Integer> m = new EnumMap<>(Outcome.Status.class);
        for (Outcome.Status s : Outcome.Status.values()) {
            m.put(s, 0);
        }
        return m;
    }

    /**
     * Asks a running batch to stop after the group being committed (Ctrl-C, SIGTERM) and waits
     * up to {@code grace} for it to reach that safe point. A batch waiting for a document still
     * being prepared (a slow download) stops waiting at once.
     *
     * @return whether the batch stopped within the grace period; if not, the process is ending
     *         somewhere that the next command's recovery cleans up after
     */
    @Override
    public boolean cancel(Duration grace) {
        cancelled = true;
        try {
            return finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether {@link #cancel} was called. */
    @Override
    public boolean cancelled() {
        return cancelled;
    }

    public Map<Outcome.Status, Integer> run(List<Inputs.Item> items) {
        Map<Outcome.Status, Integer> summary = emptySummary();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "kb-prepare");
            t.setDaemon(true);
            return t;
        });
        try (Registry reader = SqliteRegistry.openReadOnly(kb.registryFile());
             WriterSession session = WriterSession.open(Storage.local(kb, options.ops()), options.lockWait(),
                     options.command(), listener);
             Stopper stopper = new Stopper(pool, () -> abortNetwork(items))) {
            AddPlanner planner = new AddPlanner(kb);
            PrepareContext ctx = new PrepareContext(session.staging(), reader);
            Deque<Future<Source.Prep>> window = new ArrayDeque<>();
            int next = 0;
            int windowSize = Math.max(options.threads() * 4, options.maxGroup() * 2);
            List<Source.Prep> group = new ArrayList<>();
            int toCommit = 0;
            for (int i = 0; i < items.size() && !cancelled; i++) {
                while (next < items.size() && window.size() < windowSize) {
                    window.add(submit(pool, items.get(next++), ctx));
                }
                Future<Source.Prep> f = window.poll();
                if (toCommit > 0 && (!f.isDone() || toCommit >= options.maxGroup())) {
                    flush(group, session, planner, summary);
                    toCommit = 0;
                }
                Source.Prep prep = await(f, items.get(i));
                if (prep == null) {
                    break; // cancelled while waiting: what is prepared but uncommitted is dropped
                }
                group.add(prep);
                if (prep.prepared() != null) {
                    toCommit++;
                } else if (toCommit == 0) {
                    flush(group, session, planner, summary); // nothing waits: report now
                }
            }
            if (!cancelled) {
                flush(group, session, planner, summary);
            }
            return summary;
        } finally {
            pool.shutdownNow();
            finished.countDown();
        }
    }

    /**
     * Stops the preparers before the staging area closes (resources close in reverse order), so
     * that none of them writes into the folder while it is removed, which would leave an orphan.
     */
    private record Stopper(ExecutorService pool, Runnable abort) implements AutoCloseable {
        @Override
        public void close() {
            abort.run();
            pool.shutdownNow();
            try {
                // preparers block in file I/O, which an interrupt ends (ClosedByInterruptException)
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Commits the prepared documents of {@code group} as one group, then reports every item in order. */
    private void flush(List<Source.Prep> group, WriterSession session, AddPlanner planner,
                       Map<Outcome.Status, Integer> summary) {
        List<Prepared> docs = new ArrayList<>();
        for (Source.Prep p : group) {
            if (p.prepared() != null) {
                docs.add(p.prepared());
            }
        }
        List<Outcome> committed = docs.isEmpty() ? List.of() : session.commit(docs, planner);
        int c = 0;
        for (Source.Prep p : group) {
            Outcome o = p.prepared() != null ? committed.get(c++) : p.early();
            summary.merge(o.status(), 1, Integer::sum);
            listener.outcome(o);
        }
        group.clear();
    }

    /** After a cancel, a preparer blocked in a download would hold the stop up until its timeout. */
    private void abortNetwork(List<Inputs.Item> items) {
        if (!cancelled) {
            return; // a batch that ran to its end has nothing in flight
        }
        for (Inputs.Item item : items) {
            if (item.source() != null) {
                item.source().abort();
            }
        }
    }

    private static Future<Source.Prep> submit(ExecutorService pool, Inputs.Item item, PrepareContext ctx) {
        if (item.outcome() != null) {
            return CompletableFuture.completedFuture(Source.Prep.done(item.outcome()));
        }
        return pool.submit(() -> {
            try {
                return ctx.staging().prepare(() -> item.source().prepare(ctx));
            } catch (KbException e) {
                if (e.kind() != KbException.Kind.INPUT_FAILED) {
                    throw e;
                }
                return Source.Prep.done(Outcome.failed(item.source().input(), e.getMessage()));
            } catch (java.io.IOException e) {
                return Source.Prep.done(Outcome.failed(item.source().input(), Causes.oneLine(e)));
            }
        });
    }

    /** The preparation's result, or null when the batch is cancelled before it is ready. */
    private Source.Prep await(Future<Source.Prep> f, Inputs.Item item) {
        try {
            while (true) {
                try {
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    if (cancelled) {
                        return null;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.INPUT_FAILED, "interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof KbException ke) {
                throw ke;
            }
            String input = item.source() == null ? "?" : item.source().input();
            return Source.Prep.done(Outcome.failed(input, c.getClass().getSimpleName() + ": " + c.getMessage()));
        }
    }
}
