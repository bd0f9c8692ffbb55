package dev.kb.cli;

import dev.kb.core.app.Remove;
import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.RemovePlanner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "remove",
        description = {RemoveCommand.SUMMARY,
                "Crash-safe like an add: each document is whole or gone, whatever happens. A name or source that "
                        + "is not in the knowledge base fails alone (exit 1); the others are removed."})
final class RemoveCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Remove documents, by name or by the file path or URL they came from.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Mixin
    InputListOptions list;

    @Mixin
    QuietOption quiet;

    @Parameters(arity = "0..*", paramLabel = "DOC", description = "Document names, or the sources they came from.")
    List<String> targets = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> all = list.inputs(spec, root.cwd, targets,
                "nothing to remove: give document names or sources (or --from-file)");
        KnowledgeBase kb = root.knowledgeBase();
        List<RemovePlanner.Target> named = all.stream().map(a -> RemovePlanner.Target.of(a, root.cwd)).toList();
        return BatchRun.run(kb, "kb remove", new Output(spec, write.json, quiet.quiet), BatchRun.REMOVE,
                l -> new Remove(kb, write.wait, FileOps.REAL, l), remove -> remove.run(named));
    }
}
