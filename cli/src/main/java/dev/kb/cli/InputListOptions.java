package dev.kb.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        List<String> out = new ArrayList<>();
        try (BufferedReader r = fromFile.equals("-")
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
