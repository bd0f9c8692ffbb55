package dev.kb.cli;

import dev.kb.core.fetch.FetchOptions;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.input.Source;
import dev.kb.core.input.UrlSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Options of the commands that reach the network (contract: --timeout, --max-size, --from-file).
 * {@code --max-size} bounds local files too: {@code kb add} passes it to {@code Inputs.expand}.
 */
final class RemoteOptions {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = Conversions.DurationConverter.class,
            description = "Deadline for each remote document as a whole: connect, redirects and body "
                    + "(default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "512MB",
            converter = Conversions.SizeConverter.class,
            description = "Most bytes one document may have after decoding (e.g. 1MB; default ${DEFAULT-VALUE}).")
    long maxSize;

    @Option(names = "--from-file", paramLabel = "FILE",
            description = "More inputs, one per line ('-' for stdin); blank lines and # comments are ignored.")
    String fromFile;

    private UrlFetcher fetcher;

    /**
     * Checks the options and returns the command's inputs: the positional ones, then those of
     * --from-file; none at all is a usage error ({@code nothing}: what to say then).
     */
    List<String> inputs(CommandSpec spec, Path cwd, List<String> positional, String nothing) {
        validate(spec);
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

    private void validate(CommandSpec spec) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be more than zero");
        }
    }

    /** Recognises http(s) URLs among the inputs; one fetcher (one connection pool) per command. */
    Function<String, Source> urlSources() {
        return arg -> {
            if (!UrlFetcher.isUrl(arg)) {
                return null;
            }
            if (fetcher == null) {
                fetcher = new UrlFetcher(FetchOptions.defaults().withTimeout(timeout).withMaxBytes(maxSize));
            }
            return new UrlSource(UrlFetcher.parseUrl(arg), arg, fetcher);
        };
    }
}
