package dev.kb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code kb --help}: the root's usage as picocli renders it, rendered once at build time (this
 * class's {@link #main}, run by cli/pom.xml into the jar's resources) rather than on every call.
 * Building the model and laying out the usage took ~90 ms of a ~150 ms {@code kb --help}; printing
 * the stored text costs what {@code --version} does. The text depends on nothing at run time but
 * whether picocli would colour it (both forms are stored, and picocli's own test chooses); the
 * subcommands' help is not stored, since each is rendered from its model anyway. RootHelpTest
 * holds the stored text to what picocli prints for the same line.
 */
final class RootHelp {
    static final String PLAIN = "root-help.txt";
    static final String ANSI = "root-help-ansi.txt";

    private RootHelp() {
    }

    /** Prints the stored help as picocli would (coloured or not); false when the jar holds none. */
    static boolean print(PrintWriter out) {
        String name = CommandLine.Help.Ansi.AUTO.enabled() ? ANSI : PLAIN;
        try (InputStream in = RootHelp.class.getResourceAsStream(name)) {
            if (in == null) {
                return false; // classes run without the build's step (an IDE): picocli renders it
            }
            out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The root's usage as the command line {@code kb --help} builds it renders it. */
    static String render(boolean ansi) {
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text);
        CommandLine cl = Main.commandLine(new String[] {"--help"}, w, w, Map.of(), Path.of("").toAbsolutePath());
        w.print(cl.getUsageMessage(ansi ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF));
        w.flush();
        return text.toString();
    }

    /** The build's step: writes both forms into the directory given (the classes' package folder). */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        Files.writeString(dir.resolve(PLAIN), render(false), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ANSI), render(true), StandardCharsets.UTF_8);
    }
}
