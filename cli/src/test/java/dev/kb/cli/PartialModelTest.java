package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Main builds only the part of the command model a line uses (a stub per subcommand for root
 * help, nothing for a lone {@code --version}); what it prints must be what the whole model gives.
 */
class PartialModelTest {
    @TempDir
    Path tmp;

    private String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true),
                Map.of("HOME", tmp.toString()), tmp);
        return code + "\n" + out + "\n" + err;
    }

    /** The whole model, every subcommand built from its annotations, as picocli alone would. */
    private static CommandLine whole(Path cwd) {
        CommandLine cl = new CommandLine(new KbCommand(Map.of(), cwd));
        KbCommand.COMMANDS.forEach((name, sub) -> cl.addSubcommand(name, sub.model().get()));
        cl.getCommandSpec().usageMessage().footer(KbCommand.FOOTER);
        return cl;
    }

    @Test
    void rootHelpFromStubsIsTheWholeModelsHelp() {
        String expected = whole(tmp).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertEquals("0\n" + expected + "\n", run("--help"));
        assertTrue(expected.contains("  status  ") && expected.contains("Report the state"), expected);
    }

    @Test
    void eachStubSummarizesItsCommandAsItsOwnHelpDoes() {
        CommandLine cl = whole(tmp);
        KbCommand.COMMANDS.forEach((name, sub) -> assertEquals(
                cl.getSubcommands().get(name).getCommandSpec().usageMessage().description()[0], sub.summary(), name));
    }

    @Test
    void theRootVersionIsWhatPicocliPrintsForEveryCommand() {
        StringWriter picocli = new StringWriter();
        CommandLine cl = whole(tmp);
        cl.getSubcommands().get("status").printVersionHelp(new PrintWriter(picocli, true), CommandLine.Help.Ansi.OFF);
        assertEquals("0\n" + picocli + "\n", run("--version"));
        assertEquals("0\n" + picocli + "\n", run("-V"));
        assertEquals("0\n" + picocli + "\n", run("status", "--version"));
    }

    @Test
    void anUnknownCommandListsEveryCommand() {
        String r = run("frobnicate");
        assertTrue(r.startsWith("2\n"), r);
        assertTrue(r.contains("unknown command 'frobnicate' (commands: " + String.join(", ", KbCommand.COMMANDS.keySet())
                + ")"), r);
    }
}
