package dev.kb.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every mutating command takes (contract: --wait, --json). */
final class WriteOptions {
    /** Long enough for a neighbour's commit to finish, short enough that cron jobs do not pile up. */
    static final String DEFAULT_WAIT = "60s";

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = DEFAULT_WAIT,
            converter = OptionConverters.DurationConverter.class,
            description = "How long to wait for another writer's lock (e.g. 0, 30s, 5m; default ${DEFAULT-VALUE}); "
                    + "then exit 75.")
    Duration wait;

    @Option(names = "--json", description = "Machine output on stdout: one JSON object per line.")
    boolean json;
}
