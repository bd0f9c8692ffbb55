package dev.kb.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options of add and import that choose source caches (contract: --cache SPEC, KB_CACHE); the
 * command resolves them with {@code CacheConfig.resolve}, which returns null (no cache) without
 * loading anything more when nothing is configured.
 */
final class CacheFlags {
    @Option(names = "--cache", paramLabel = "SPEC",
            description = "A source cache, looked up in the order given (repeatable): none, dir, dir:PATH, "
                    + "redis://HOST:PORT, rediss://HOST:PORT or kb:PATH (default: $KB_CACHE, else .kb/cache.properties, "
                    + "else ~/.config/kb/cache.properties, else none).")
    List<String> specs = new ArrayList<>();

    @Option(names = "--cache-max-age", paramLabel = "DURATION",
            converter = OptionConverters.DurationConverter.class,
            description = "Use a cached URL without asking its server while it is younger than DURATION "
                    + "(default 0: always revalidate).")
    Duration maxAge;

    // No method here returns or takes a cache class: picocli reflects on this class's methods,
    // which loads every type in their signatures, and a run without caches must load none.
}
