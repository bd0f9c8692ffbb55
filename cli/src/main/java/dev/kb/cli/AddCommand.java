package dev.kb.cli;

import dev.kb.core.ingest.Ingest;
import dev.kb.core.ingest.Inputs;
import dev.kb.core.ingest.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = "Ingest files, directories (walked recursively) and URLs.")
final class AddCommand implements Callable<Integer> {
    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Mixin
    RemoteOptions remote;

    @Parameters(arity = "0..*", paramLabel = "INPUT", description = "Files, directories or http(s) URLs.")
    List<String> inputs = new ArrayList<>();

    @Override
    public Integer call() {
        remote.validate(spec);
        List<String> all = new ArrayList<>(inputs);
        all.addAll(remote.readFromFile(spec, root.cwd));
        if (all.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "nothing to add: give files, directories or URLs (or --from-file)");
        }
        KnowledgeBase kb = root.knowledgeBase();
        Output out = new Output(spec, write.json);
        List<Inputs.Item> items = Inputs.expand(all, root.cwd, kb, remote.urlSources());
        return Runs.ingest(kb, items, "kb add", write, out);
    }

    /** Shared by add and import: run the batch, print events and summary, map to an exit code. */
    static final class Runs {
        private Runs() {
        }

        static int ingest(KnowledgeBase kb, List<Inputs.Item> items, String command, WriteOptions write, Output out) {
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
}
