package dev.kb.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.fs.FileOps;
import dev.kb.core.input.FileSource;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.PrepareContext;
import dev.kb.core.input.Source;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow input (a large PDF, a slow download) ahead of ready ones does not keep them
 * uncommitted: after the batch's hold they are committed while the slow one is still being
 * prepared, and names stay as input order gives them when two local files collide.
 */
@Timeout(120)
class SlowInputTest {
    @TempDir
    Path tmp;

    /** A local file whose preparation waits until the test lets it go. */
    private static final class Gated implements Source {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final FileSource file;

        Gated(Path file) {
            this.file = new FileSource(file, file.toString(), Long.MAX_VALUE);
        }

        @Override
        public String input() {
            return file.input();
        }

        @Override
        public String knownNameHint() {
            return file.knownNameHint();
        }

        @Override
        public Prep prepare(PrepareContext ctx) throws IOException {
            started.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return file.prepare(ctx);
        }
    }

    private Path write(String rel, String text) throws IOException {
        Path p = tmp.resolve("in").resolve(rel);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    private Map<String, String> rows(KnowledgeBase kb) {
        Map<String, String> out = new TreeMap<>();
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            r.forEach(row -> out.put(row.docName(), row.sourceUri()));
        }
        return out;
    }

    @Test
    void readyDocumentsBehindASlowOneAreCommittedWhileItIsStillPrepared() throws Exception {
        Init.run(tmp.resolve("kb"), Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase kb = KnowledgeBase.open(tmp.resolve("kb"));
        Gated slow = new Gated(write("slow/x.md", "# X, slow\n\nfirst in line\n"));
        List<Inputs.Item> items = new ArrayList<>();
        items.add(new Inputs.Item(slow, null));
        for (int i = 0; i < 5; i++) {
            Path f = write("ready/r" + i + ".md", "# Ready " + i + "\n\nbody " + i + "\n");
            items.add(new Inputs.Item(new FileSource(f, f.toString(), Long.MAX_VALUE), null));
        }
        // the same stem as the slow one: it must wait for it, or the plain name would go by timing
        Path twin = write("ready/x.md", "# X, fast twin\n\nsecond in line\n");
        items.add(new Inputs.Item(new FileSource(twin, twin.toString(), Long.MAX_VALUE), null));

        List<Outcome> events = Collections.synchronizedList(new ArrayList<>());
        Ingest ingest = new Ingest(kb, new Ingest.Options(Duration.ofSeconds(30), "kb add", 4, 256, FileOps.REAL,
                Duration.ofMillis(200)), new Batch.Listener() {
            @Override
            public void outcome(Outcome o) {
                events.add(o);
            }

            @Override
            public void warning(String message) {
            }

            @Override
            public void waitingForLock(String holder) {
            }
        });
        CompletableFuture<Map<Outcome.Status, Integer>> run = CompletableFuture.supplyAsync(() -> ingest.run(items));
        assertTrue(slow.started.await(30, TimeUnit.SECONDS));
        // the five ready documents are committed (their rows are visible) while the slow one waits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((rows(kb).size() < 5 || events.size() < 5) && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling the registry, not waiting for a guess of how long it takes
        }
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), new ArrayList<>(rows(kb).keySet()),
                "committed while the slow input is still being prepared");
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), events.stream().map(Outcome::doc).toList(),
                "reported as committed; the twin of the slow one waits for it");
        slow.release.countDown();

        Map<Outcome.Status, Integer> summary = run.get(60, TimeUnit.SECONDS);
        assertEquals(7, summary.get(Outcome.Status.ADDED));
        Map<String, String> rows = rows(kb);
        assertEquals(slow.input(), rows.get("x"), "the earlier of two colliding files keeps the plain name");
        assertTrue(rows.entrySet().stream().anyMatch(e -> e.getKey().startsWith("x-") && e.getValue().equals(twin.toString())),
                rows.toString());
    }
}
