package dev.kb.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        description = {CompletionCommand.SUMMARY,
                "Install it with: kb completion > ~/.local/share/bash-completion/completions/kb"})
final class CompletionCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Print a bash completion script for kb on stdout (zsh reads it after 'autoload -U "
                + "bashcompinit && bashcompinit').";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // generated from the root's model, so it always lists the subcommands and options kb has now
        var out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("kb", spec.root().commandLine()));
        out.flush();
        return ExitCodes.OK;
    }
}
