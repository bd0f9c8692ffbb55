package dev.kb.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PrepareContext;
import dev.kb.core.input.Source;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local files are prepared by at most one thread more than there are cores (more only queue for
 * the same cores), while inputs that wait on the network get the whole pool at once.
 */
@Timeout(120)
class PreparerPoolsTest {
    @TempDir
    Path tmp;

    /** Records the thread that prepares it. */
    private static final class Counted implements Source {
        private final String name;
        private final boolean network;
        private final Set<Thread> threads;

        Counted(String name, boolean network, Set<Thread> threads) {
            this.name = name;
            this.network = network;
            this.threads = threads;
        }

        @Override
        public String input() {
            return name;
        }

        @Override
        public boolean waitsOnNetwork() {
            return network;
        }

        @Override
        public Prep prepare(PrepareContext ctx) {
            threads.add(Thread.currentThread());
            return Prep.done(Outcome.skipped(name, null, "counted"));
        }
    }

    private Map<Outcome.Status, Integer> run(List<Source> sources, int threads) {
        Path dir = tmp.resolve("kb" + System.nanoTime());
        Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase kb = KnowledgeBase.open(dir);
        List<Inputs.Item> items = new ArrayList<>();
        for (Source s : sources) {
            items.add(new Inputs.Item(s, null));
        }
        return new Ingest(kb, new Ingest.Options(Duration.ofSeconds(30), "kb add", threads, 256, FileOps.REAL),
                new Batch.Listener() {
                    @Override
                    public void outcome(Outcome o) {
                    }

                    @Override
                    public void warning(String message) {
                    }

                    @Override
                    public void waitingForLock(String holder) {
                    }
                }).run(items);
    }

    @Test
    void localFilesGetOneThreadMoreThanTheCoresAndTheNetworkGetsThePool() {
        int threads = Runtime.getRuntime().availableProcessors() + 5;
        int local = Ingest.localThreads(threads);
        assertEquals(Runtime.getRuntime().availableProcessors() + 1, local);

        // a fixed pool starts a thread for every task it is handed until it has all of its
        // threads, so the threads seen are the pool's size whenever there are more inputs
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        List<Source> files = new ArrayList<>();
        for (int i = 0; i < 4 * threads; i++) {
            files.add(new Counted("file-" + i, false, seen));
        }
        assertEquals(files.size(), run(files, threads).get(Outcome.Status.SKIPPED));
        assertEquals(local, seen.size(), "threads that prepared local files");

        seen.clear();
        List<Source> downloads = new ArrayList<>();
        for (int i = 0; i < 4 * threads; i++) {
            downloads.add(new Counted("url-" + i, true, seen));
        }
        assertEquals(downloads.size(), run(downloads, threads).get(Outcome.Status.SKIPPED));
        assertEquals(threads, seen.size(), "threads that prepared downloads");
    }

    @Test
    void aPoolOfOneStaysOne() {
        assertEquals(1, Ingest.localThreads(1));
        assertTrue(Ingest.localThreads(64) <= Runtime.getRuntime().availableProcessors() + 1);
    }
}
