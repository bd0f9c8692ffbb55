package dev.kb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code --from-file} of add, import and remove: more inputs, one per line. */
final class InputListOptions {
    @Option(names = "--from-file", paramLabel = "FILE",
            description = "More inputs, one per line ('-' for stdin); blank lines and # comments are ignored.")
    String fromFile;

    /**
     * The command's inputs: the positional ones, then those of --from-file; none at all is a usage
     * error ({@code nothing}: what to say then).
     */
    List<String> inputs(CommandSpec spec, Path cwd, List<String> positional, String nothing) {
        List<String> all = new ArrayList<>(positional);
        all.addAll(readFromFile(spec, cwd));
        if (all.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), nothing);
        }
        return all;
    }

    /** The inputs listed in --from-file, or none. */
    private List<String> readFromFile(CommandSpec spec, Path cwd) {
        if (fromFile == null) {
            return List.of();
        }
        boolean stdin = fromFile.equals("-");
        if ((stdin || STDIN_NAMES.contains(fromFile)) && stdinClosed()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "cannot read --from-file " + fromFile
                            + ": standard input is closed; give the list on a pipe or in a file");
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = stdin
                // a decoder that reports bad bytes (as newBufferedReader's does): replacing them
                // would turn a binary file into a list of garbage inputs
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()))
                : Files.newBufferedReader(cwd.resolve(fromFile), StandardCharsets.UTF_8)) {
            boolean first = true;
            for (String line; (line = r.readLine()) != null; first = false) {
                // Java's UTF-8 decoder keeps a byte-order mark (Notepad writes one), and it would
                // become part of the first input's name ("U+FEFF a.md: no such file")
                String t = (first && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t);
                }
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "cannot read --from-file " + fromFile + ": " + why(e));
        }
        return out;
    }

    /** Names of standard input as a file. */
    private static final Set<String> STDIN_NAMES = Set.of("/dev/stdin", "/dev/fd/0",
            "/proc/self/fd/0");

    /**
     * Whether kb was started with standard input closed ({@code <&-}, or a service manager's
     * closed descriptors). The JVM then opens its own files and the first takes descriptor 0: its
     * module image ({@code lib/modules}), which {@code --from-file -} read as the input list, and
     * the JVM, reading its classes through the moved offset, crashed (SIGSEGV). Linux tells through
     * {@code /proc}: descriptor 0 is gone, or is one of the runtime's own files or kb's jar.
     * Elsewhere, false: standard input is taken as given.
     */
    static boolean stdinClosed() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return false;
        }
        Path zero = fds.resolve("0");
        if (!Files.exists(zero, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try {
            Path target = Files.readSymbolicLink(zero);
            if (!target.isAbsolute() || !Files.isRegularFile(target)) {
                return false; // a pipe, a terminal, a socket, /dev/null: a standard input someone gave
            }
            List<Path> own = new ArrayList<>(List.of(Path.of(System.getProperty("java.home")).toRealPath()));
            for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
                if (!entry.isEmpty() && Files.exists(Path.of(entry))) {
                    own.add(Path.of(entry).toRealPath());
                }
            }
            Path real = target.toRealPath();
            return own.stream().anyMatch(real::startsWith);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String why(IOException e) {
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "not UTF-8 text"; // the decoder's own words are "Input length = 1"
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }
}
