package dev.kb.cli;

import dev.kb.core.kb.KnowledgeBase;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code kb status} a script polls, run without picocli. Building even the one command's
 * picocli model (its class initialisation, its built-in converters, the annotation proxies) costs
 * about 50 ms, a third of a status that serves its summary without opening the registry; the
 * command lines scripts use are few and plain.
 *
 * <p>Only a line made of nothing but {@code status} and the options below, each at most once, is
 * taken here; every other line, however close ({@code --watch}, {@code --help}, a repeated
 * option, an {@code @file}, {@code --}, a value that looks like an option or is not a path), goes
 * to picocli, which alone decides what is valid and says what is wrong. What is taken here runs
 * exactly what picocli would have run: {@link StatusCommand#report}, with the KB the same
 * discovery rules select and failures reported by the same code ({@link Main#failure}).
 * {@code PolledStatusTest} runs every accepted shape both ways and compares the output.
 * <ul>
 *   <li>{@code --kb DIR}, {@code --kb=DIR}, {@code -v}, {@code --verbose}: before or after
 *       {@code status} (they are inherited by every subcommand);</li>
 *   <li>{@code --json}: after {@code status}, as it is that command's option.</li>
 * </ul>
 */
final class PolledStatus {
    private PolledStatus() {
    }

    /** The exit code of the status {@code args} ask for; null when the line is picocli's to parse. */
    static Integer run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd) {
        String kbDir = null;
        boolean verbose = false;
        boolean json = false;
        boolean status = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("status") && !status) {
                status = true;
            } else if (a.equals("--json") && status && !json) {
                json = true;
            } else if ((a.equals("-v") || a.equals("--verbose")) && !verbose) {
                verbose = true;
            } else if (a.equals("--kb") && kbDir == null && i + 1 < args.length && plainValue(args[i + 1])) {
                kbDir = args[++i];
            } else if (a.startsWith("--kb=") && kbDir == null && plainValue(a.substring("--kb=".length()))) {
                kbDir = a.substring("--kb=".length());
            } else {
                return null;
            }
        }
        if (!status) {
            return null;
        }
        Path dir;
        try {
            dir = kbDir == null ? null : cwd.resolve(Path.of(kbDir));
        } catch (InvalidPathException e) {
            return null; // picocli's message for a value that is not a path
        }
        try {
            return StatusCommand.report(KnowledgeBase.discover(dir, env.get("KB_DIR"), cwd), json, verbose, out, err);
        } catch (RuntimeException e) {
            return Main.jsonError(json, out, Main.failure(e, err, verbose), Main.message(e));
        }
    }

    /**
     * A value picocli would take as it is: not empty, not option-like, not an {@code @file}, and
     * not the name of the subcommand ({@code --kb status status}: picocli expects a value and
     * finds the command).
     */
    private static boolean plainValue(String v) {
        return !v.isEmpty() && !v.startsWith("-") && !v.startsWith("@") && !v.equals("status");
    }
}
