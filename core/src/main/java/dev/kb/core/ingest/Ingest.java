package dev.kb.core.ingest;

import dev.kb.core.KbException;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Expansion;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PrepareContext;
import dev.kb.core.input.Prepared;
import dev.kb.core.input.Source;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.AddPlanner;
import dev.kb.core.mutation.Batch;
import dev.kb.core.mutation.SafePoint;
import dev.kb.core.mutation.Storage;
import dev.kb.core.mutation.WriterSession;
import dev.kb.core.name.Names;
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
    /**
     * @param hold how long the batch waits for the input next in line before it commits ready
     *             documents behind it (a slow PDF or download must not keep finished work
     *             uncommitted, where a kill would lose it)
     */
    /**
     * @param caches the source caches preparing uses ({@code --cache}, {@code KB_CACHE}, config),
     *               or null: none, and none of their classes loaded
     */
    public record Options(Duration lockWait, String command, int threads, int maxGroup, FileOps ops, Duration hold,
                          CachePlan caches) {
        public static final Duration HOLD = Duration.ofSeconds(2);
        /**
         * Documents per group at most. Each group pays a fixed price on the one committing thread,
         * whatever its size: a barrier process, the journal written and marked, the lock taken,
         * recovery's look, the log, index and summary rewritten, about 20 ms in all. With 256, the
         * 29 groups of a corpus add spent over a third of that thread's time there, and that thread
         * was the stage the pipeline waited on: 512 made the add 7% faster (rotated
         * rounds: 1.580 -> 1.470 s; 1,024 and 2,048 were no faster than 512). Larger groups
         * hold the lock longer (another writer waits ~100 ms) and stage more before a commit.
         */
        public static final int GROUP = 512;

        public Options(Duration lockWait, String command, int threads, int maxGroup, FileOps ops) {
            this(lockWait, command, threads, maxGroup, ops, HOLD);
        }

        public Options(Duration lockWait, String command, int threads, int maxGroup, FileOps ops, Duration hold) {
            this(lockWait, command, threads, maxGroup, ops, hold, null);
        }

        public Options withCaches(CachePlan plan) {
            return new Options(lockWait, command, threads, maxGroup, ops, hold, plan);
        }

        /**
         * {@code threads} is the pool for inputs that wait on the network (downloads, cloud
         * documents), larger than the core count; local files get their own pool of at most one
         * thread more than the cores ({@link #localThreads}). {@code kb.threads} (benchmarks, tests)
         * sets the network pool and caps the local one: {@code -Dkb.threads=1} prepares one local
         * file at a time, but a batch of files and URLs then runs one preparer in each pool.
         */
        public static Options defaults(Duration wait, String command) {
            int cpus = Runtime.getRuntime().availableProcessors();
            int threads = Integer.getInteger("kb.threads", Math.max(4, Math.min(16, cpus * 4)));
            return new Options(wait, command, Math.max(1, threads), GROUP, FileOps.REAL);
        }
    }


    /**
     * Preparers for local files, which use the cores and the disk and wait on little else: one
     * per core and one more to run while another waits on a read or a page fault. Eight of them on
     * two cores, as for downloads, made a corpus add 11% slower (medians of 4 alternating adds:
     * 3.12 s with 8, 3.03 s with 2, 2.78 s with 3); there is no point in more threads than can run.
     */
    static int localThreads(int threads) {
        return Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors() + 1));
    }

    private final KnowledgeBase kb;
    private final Options options;
    private final Batch.Listener listener;
    private final SafePoint stop = new SafePoint();

    public Ingest(KnowledgeBase kb, Options options, Batch.Listener listener) {
        this.kb = kb;
        this.options = options;
        this.listener = listener;
    }

    /** Counts per status an ingest can end an input with. */
    public static Map<Outcome.Status, Integer> emptySummary() {
        Map<Outcome.Status, Integer> m = new EnumMap<>(Outcome.Status.class);
        for (Outcome.Status s : List.of(Outcome.Status.ADDED, Outcome.Status.UPDATED, Outcome.Status.SKIPPED,
                Outcome.Status.FAILED)) {
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
        return stop.cancel(grace);
    }

    /** Whether {@link #cancel} was called. */
    @Override
    public boolean cancelled() {
        return stop.cancelled();
    }

    public Map<Outcome.Status, Integer> run(List<Inputs.Item> items) {
        return run(Expansion.of(items));
    }

    /** The batch of the inputs a walk is still finding ({@link Inputs#stream}): each is begun as soon as it is found. */
    public Map<Outcome.Status, Integer> run(Expansion items) {
        // opened before the lock is ever taken: a slow or dead cache costs its deadline out here
        SourceCaches caches = options.caches() == null ? null : options.caches().open(listener::warning);
        try {
            return run(items, caches);
        } finally {
            if (caches != null) {
                caches.close(); // after the preparers: records this run's hits and misses
            }
        }
    }

    private Map<Outcome.Status, Integer> run(Expansion items, SourceCaches caches) {
        Map<Outcome.Status, Integer> summary = emptySummary();
        // threads are started on first submit: a batch of local files starts no network preparer
        Pools pool = new Pools(preparers(localThreads(options.threads())), preparers(options.threads()));
        try (Registry reader = SqliteRegistry.openReadOnly(kb.registryFile());
             WriterSession session = WriterSession.open(Storage.local(kb, options.ops()), options.lockWait(),
                     options.command(), listener);
             Stopper stopper = new Stopper(pool, () -> abortNetwork(items.soFar()))) {
            AddPlanner planner = new AddPlanner(kb);
            PrepareContext ctx = new PrepareContext(session.staging(), reader, caches);
            Deque<Slot> window = new ArrayDeque<>();
            int next = 0;
            int windowSize = Math.max(options.threads() * 4, options.maxGroup() * 2);
            List<Source.Prep> group = new ArrayList<>();
            int toCommit = 0;
            boolean counted = false;
            Slot shown = null;
            while (!stop.cancelled()) {
                Inputs.Item found;
                while (window.size() < windowSize && (found = items.ready(next)) != null) {
                    next++;
                    window.add(new Slot(found, submit(pool, found, ctx)));
                }
                counted = counted || told(items);
                Slot head = window.peek();
                if (head == null) {
                    // nothing in flight and nothing found yet: what is prepared is committed
                    // rather than kept waiting on a slow walk, then the next input, or the end
                    if (!group.isEmpty()) {
                        flush(group, session, planner, summary);
                        toCommit = 0;
                    }
                    found = awaitInput(items, next);
                    if (found == null) {
                        break;
                    }
                    next++;
                    window.add(new Slot(found, submit(pool, found, ctx)));
                    continue;
                }
                // While the walk is still finding inputs, a head not prepared yet is waited for
                // (up to the hold) rather than committed behind: the committer outpaced a window
                // still filling, and cut the corpus into 74 groups instead of 35.
                boolean walking = items.total().isEmpty();
                if (toCommit > 0 && ((!walking && !head.future().isDone()) || toCommit >= options.maxGroup())) {
                    flush(group, session, planner, summary);
                    toCommit = 0;
                }
                if (head != shown) {
                    shown = head;
                    listener.working(head.input());
                }
                Source.Prep prep = await(head, options.hold());
                if (stop.cancelled()) {
                    break; // what is prepared but uncommitted is dropped
                }
                if (prep == null) {
                    // the input next in line is slow: commit what is ready behind it meanwhile,
                    // after what came before it (held back while the walk goes on), so that
                    // outcomes stay in input order and an earlier input keeps the plain name
                    if (!group.isEmpty()) {
                        flush(group, session, planner, summary);
                        toCommit = 0;
                    }
                    List<Source.Prep> ahead = readyBehind(window);
                    if (!ahead.isEmpty()) {
                        flush(ahead, session, planner, summary);
                    }
                    continue;
                }
                window.poll();
                group.add(prep);
                if (prep.prepared() != null) {
                    toCommit++;
                } else if (toCommit == 0) {
                    flush(group, session, planner, summary); // nothing waits: report now
                }
            }
            if (!counted) {
                told(items);
            }
            if (!stop.cancelled()) {
                flush(group, session, planner, summary);
                session.flushHints();
            }
            return summary;
        } finally {
            pool.shutdownNow();
            stop.reached();
        }
    }

    private static ExecutorService preparers(int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kb-prepare");
            t.setDaemon(true);
            return t;
        });
    }

    /** The preparers of local inputs, and of those that wait on the network. */
    private record Pools(ExecutorService local, ExecutorService network) {
        ExecutorService of(Source s) {
            return s.waitsOnNetwork() ? network : local;
        }

        void shutdownNow() {
            local.shutdownNow();
            network.shutdownNow();
        }

        boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long end = System.nanoTime() + unit.toNanos(timeout);
            return local.awaitTermination(timeout, unit)
                    && network.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Stops the preparers before the staging area closes (resources close in reverse order), so
     * that none of them writes into the folder while it is removed, which would leave an orphan.
     */
    private record Stopper(Pools pool, Runnable abort) implements AutoCloseable {
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
            } else if (p.hint() != null) {
                session.hint(p.hint());
            }
        }
        List<Outcome> committed = docs.isEmpty() ? List.of() : session.commit(docs, planner);
        int c = 0;
        List<Outcome> reported = new ArrayList<>(group.size());
        for (Source.Prep p : group) {
            Outcome o = p.prepared() != null ? committed.get(c++) : p.early();
            summary.merge(o.status(), 1, Integer::sum);
            reported.add(o);
        }
        listener.outcomes(reported);
        group.clear();
    }

    /** An input in the window, and its preparation. */
    private record Slot(Inputs.Item item, Future<Source.Prep> future) {
        /** As events name it (a URL without its userinfo). */
        String input() {
            return item.source() != null ? item.source().input() : item.outcome().input();
        }
    }

    /**
     * Takes out of the window, in input order, up to a group of prepared documents that may be
     * committed before the slower inputs ahead of them. Names stay deterministic: a document
     * whose name could collide with one still waiting ahead of it (a local file's stem is known
     * before it is read) stays behind it, so of two colliding local files the earlier one always
     * gets the plain name. A URL or cloud document learns its name only once downloaded, so a
     * later document committed while it downloads keeps the name and the slow one is suffixed.
     */
    private List<Source.Prep> readyBehind(Deque<Slot> window) {
        List<Source.Prep> out = new ArrayList<>();
        java.util.Set<String> waitingNames = new java.util.HashSet<>();
        java.util.Iterator<Slot> it = window.iterator();
        while (it.hasNext() && out.size() < options.maxGroup()) {
            Slot s = it.next();
            Source.Prep p = s.future().isDone() ? await(s, Duration.ZERO) : null;
            String hint = p != null && p.prepared() != null ? p.prepared().nameHint()
                    : s.item().source() == null ? null : s.item().source().knownNameHint();
            String key = hint == null ? null : Names.key(Names.sanitize(hint));
            if (p != null && (p.prepared() == null || !waitingNames.contains(key))) {
                out.add(p);
                it.remove();
            } else if (key != null) {
                waitingNames.add(key);
            }
        }
        return out;
    }

    /** Tells the listener how many inputs there are, once the walk knows; whether it did. */
    private boolean told(Expansion items) {
        java.util.OptionalInt total = items.total();
        total.ifPresent(listener::inputs);
        return total.isPresent();
    }

    /** The {@code i}-th input once the walk finds it; null at the walk's end, or once the batch is cancelled. */
    private Inputs.Item awaitInput(Expansion items, int i) {
        try {
            while (!items.settled(i, 100)) {
                if (stop.cancelled()) {
                    return null; // a Ctrl-C while a slow walk finds nothing: the safe point is here
                }
            }
            return items.ready(i);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KbException(KbException.Kind.INPUT_FAILED, "interrupted");
        }
    }

    /** After a cancel, a preparer blocked in a download would hold the stop up until its timeout. */
    private void abortNetwork(List<Inputs.Item> items) {
        if (!stop.cancelled()) {
            return; // a batch that ran to its end has nothing in flight
        }
        for (Inputs.Item item : items) {
            if (item.source() != null) {
                item.source().abort();
            }
        }
    }

    private static Future<Source.Prep> submit(Pools pools, Inputs.Item item, PrepareContext ctx) {
        if (item.outcome() != null) {
            return CompletableFuture.completedFuture(Source.Prep.done(item.outcome()));
        }
        // A file its stat-cache entry vouches for costs a stat and a look-up: handing it to a
        // preparer thread and back would cost more than deciding it here.
        Source.Prep unread = item.source().unread(ctx);
        if (unread != null) {
            return CompletableFuture.completedFuture(unread);
        }
        return pools.of(item.source()).submit(() -> {
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

    /**
     * The slot's preparation once ready; null when it is not ready within {@code hold}, or when the
     * batch is cancelled meanwhile.
     */
    private Source.Prep await(Slot slot, Duration hold) {
        Future<Source.Prep> f = slot.future();
        Inputs.Item item = slot.item();
        long deadline = System.nanoTime() + hold.toNanos();
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    if (stop.cancelled() || System.nanoTime() >= deadline) {
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
