package dev.kb.cli;

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a standard stream is a terminal, and whether escape codes may be written to it.
 *
 * <p>Java 17 has no isatty: {@link System#console()} is there only when stdin and stdout both are
 * terminals, and says nothing of stderr, where the progress line goes (from JDK 22 it is there
 * even for a pipe). So, in this order: the launcher's answer for stderr ({@code [ -t 2 ]}, passed
 * as {@value #STDERR_ENV}={@code 1} or {@code 0}); else, on Linux, what {@code /proc/self/fd/N}
 * names (a terminal is {@code /dev/pts/N}, {@code /dev/ttyX} or {@code /dev/console}; a pipe or
 * file is not), one readlink; else, for stdout only, the console. No library: JLine or JNA would
 * cost every command tens of milliseconds of start-up for a one-bit answer.
 */
final class Terminal {
    /** Set by {@code cli/kb}: {@code 1} when stderr is a terminal, {@code 0} when it is not. */
    static final String STDERR_ENV = "KB_STDERR_TTY";

    private Terminal() {
    }

    static boolean stderr(Map<String, String> env) {
        String said = env.get(STDERR_ENV);
        if ("1".equals(said) || "0".equals(said)) {
            return said.equals("1");
        }
        Boolean proc = procSays(2);
        return proc != null && proc;
    }

    static boolean stdout() {
        Boolean proc = procSays(1);
        return proc != null ? proc : consoleIsTerminal();
    }

    /**
     * No escape codes at all, only plain lines: {@code NO_COLOR} set to anything (no-color.org),
     * {@code TERM=dumb} (Emacs' shell buffer, some CI logs) or no {@code TERM}, where nobody
     * says what the terminal understands.
     */
    static boolean plain(Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        String term = env.get("TERM");
        return (noColor != null && !noColor.isEmpty()) || term == null || term.isBlank() || term.equals("dumb");
    }

    /** Columns of the terminal as the shell exported them ({@code COLUMNS}), else 80. */
    static int columns(Map<String, String> env) {
        try {
            int c = Integer.parseInt(env.getOrDefault("COLUMNS", "").trim());
            return c >= 20 && c <= 1000 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** What {@code /proc/self/fd/<fd>} says, or null where there is no {@code /proc}. */
    private static Boolean procSays(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static boolean consoleIsTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c); // JDK 22 and later
        } catch (NoSuchMethodException before22) {
            return true; // there, a console means stdin and stdout are terminals
        } catch (ReflectiveOperationException | ClassCastException e) {
            return false;
        }
    }
}
