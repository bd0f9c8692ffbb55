package dev.kb.core.summary;

import dev.kb.core.store.RegistrySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The core section of {@code kb status}: what {@link RegistrySnapshot} says of the registry at
 * its revision, and when it was read ({@code builtAt}), which is how old a cached one is.
 */
public record Summary(RegistrySnapshot registry, Instant builtAt) {
    public Summary {
        Objects.requireNonNull(registry, "registry");
        // to the millisecond, as the file keeps it: a summary read back equals the one written
        builtAt = Instant.ofEpochMilli(builtAt.toEpochMilli());
    }

    public long revision() {
        return registry.revision();
    }

    /** How long ago it was built; never negative (a clock set back makes it new, not older than new). */
    public Duration age(Instant now) {
        Duration d = Duration.between(builtAt, now);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
