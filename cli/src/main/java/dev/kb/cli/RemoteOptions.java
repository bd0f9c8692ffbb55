package dev.kb.cli;

import dev.kb.core.fetch.FetchOptions;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.input.Source;
import dev.kb.core.input.UrlSource;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Options of the commands that reach the network (contract: --timeout, --max-size).
 * {@code --max-size} bounds local files too: {@code kb add} passes it to {@code Inputs.expand}.
 */
final class RemoteOptions {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
            converter = OptionConverters.DurationConverter.class,
            description = "Deadline for each remote document as a whole: connect, redirects and body "
                    + "(default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "512MB",
            converter = OptionConverters.SizeConverter.class,
            description = "Most bytes one document may have after decoding (e.g. 1MB; default ${DEFAULT-VALUE}).")
    long maxSize;

    private UrlFetcher fetcher;

    /** Refuses option values that make no sense together with the inputs (a zero deadline). */
    void validate(CommandSpec spec) {
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
