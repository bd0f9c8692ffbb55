package dev.kb.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs kb on a pseudo-terminal, with util-linux {@code script}: its stdin, stdout and stderr are
 * the terminal, and what kb writes there (escape codes and all) comes out on script's stdout.
 * Bytes written to script's stdin are typed at the terminal ({@code \003} is Ctrl-C).
 */
final class Pty {
    private static final Path SCRIPT = Path.of("/usr/bin/script");

    private Pty() {
    }

    static void assumeAvailable() {
        assumeTrue(Files.isExecutable(SCRIPT), "util-linux 'script' is needed for a pseudo-terminal");
    }

    /** kb on a terminal; {@code redirect} ("" or e.g. "> out.json") is added to the shell command. */
    static Kb.Running start(Path cwd, Map<String, String> env, String redirect, String... kbArgs) {
        assumeAvailable();
        List<String> cmd = new ArrayList<>(Kb.javaCommand());
        cmd.add("-jar");
        cmd.add(Kb.jar().toString());
        cmd.addAll(List.of(kbArgs));
        StringBuilder shell = new StringBuilder("exec");
        for (String a : cmd) {
            shell.append(' ').append(quote(a));
        }
        shell.append(' ').append(redirect);
        // -q no banner, -f flush at once, -e kb's exit code, -c the command; no typescript file
        return Kb.startRaw(List.of(SCRIPT.toString(), "-qfec", shell.toString(), "/dev/null"), cwd, env);
    }

    /** Types {@code text} at the terminal. */
    static void type(Kb.Running r, String text) {
        try {
            r.process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            r.process.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
