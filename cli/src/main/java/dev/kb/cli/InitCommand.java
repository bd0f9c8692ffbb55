package dev.kb.cli;

import dev.kb.core.app.Init;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "init",
        description = InitCommand.SUMMARY)
final class InitCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Create a knowledge base (default: the working directory). Running it again changes nothing.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Where to create it.")
    Path dir;

    @Override
    public Integer call() {
        Path target = dir != null ? root.cwd.resolve(dir) : root.kbDir != null ? root.cwd.resolve(root.kbDir) : root.cwd;
        Output out = new Output(spec, write.json);
        boolean created = Init.run(target, write.wait, out::waiting, out::warning);
        Path abs = target.toAbsolutePath().normalize();
        out.info((created ? "initialised knowledge base in " : "knowledge base already initialised in ") + abs);
        out.json(Output.object().put("kb", abs.toString()).put("created", created));
        return ExitCodes.OK;
    }
}
