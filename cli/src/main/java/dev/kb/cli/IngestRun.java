package dev.kb.cli;

import dev.kb.core.ingest.Ingest;
import dev.kb.core.ingest.Inputs;
import dev.kb.core.ingest.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Shared by add and import: runs the batch, prints events and summary, maps to an exit code. */
final class IngestRun {
    private IngestRun() {
    }

    static int run(KnowledgeBase kb, List<Inputs.Item> items, String command, WriteOptions write, Output out) {
        long start = System.nanoTime();
        Ingest ingest = new Ingest(kb, Ingest.Options.defaults(write.wait, command), new Ingest.Listener() {
            @Override
            public void outcome(Outcome o) {
                out.outcome(o);
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
        // Ctrl-C / SIGTERM: let the group being committed finish; whatever is left is
        // cleaned up by the next command's recovery.
        Thread hook = new Thread(() -> ingest.cancel(Duration.ofSeconds(10)), "kb-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<Outcome.Status, Integer> summary;
        try {
            summary = ingest.run(items);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running; it returns as soon as run() has
            }
        }
        out.summary(summary, (System.nanoTime() - start) / 1_000_000);
        return summary.get(Outcome.Status.FAILED) > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
    }
}
