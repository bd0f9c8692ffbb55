package dev.kb.core.cache;

import dev.kb.core.fs.CacheDirectory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider is given by {@link SourceCache#initialize}: the environment, kb's cache
 * directory, the run's {@link CacheOptions}, the provider settings from the config files, and a
 * clock.
 */
public final class CacheServices {
    private final Map<String, String> env;
    private final CacheOptions options;
    private final Map<String, String> settings;
    private final Clock clock;
    private final Path cacheHome;
    private Optional<Path> chosen;

    /**
     * @param settings  provider settings without the {@code cache.} prefix ({@code redis.ttl}), as
     *                  {@link CacheConfig} resolved them
     * @param cacheHome kb's cache directory, or null to choose it as {@link CacheDirectory} does
     *                  when a provider first asks
     */
    public CacheServices(Map<String, String> env, CacheOptions options, Map<String, String> settings, Clock clock,
                         Path cacheHome) {
        this.env = Map.copyOf(env);
        this.options = Objects.requireNonNull(options, "options");
        this.settings = Map.copyOf(settings);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cacheHome = cacheHome;
    }

    /** Defaults everywhere, kb's cache directory chosen from {@code env}. */
    public static CacheServices of(Map<String, String> env) {
        return new CacheServices(env, CacheOptions.defaults(), Map.of(), Clock.systemUTC(), null);
    }

    public Map<String, String> env() {
        return env;
    }

    public CacheOptions options() {
        return options;
    }

    /** A provider setting ({@code redis.ttl}, {@code redis.prefix}, ...), when configured. */
    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    public Map<String, String> settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * kb's private cache directory ({@code $XDG_CACHE_HOME/kb}, ...), created if need be; empty
     * when there is none to be had.
     */
    public synchronized Optional<Path> cacheHome() {
        if (chosen == null) {
            if (cacheHome != null) {
                chosen = Optional.of(cacheHome);
            } else {
                Optional<CacheDirectory.Choice> c = CacheDirectory.choose(env);
                if (c.isPresent() && c.get().temporary()) {
                    // a folder for this run only keeps nothing for the next: no dir cache, and
                    // the empty folder just made is not left behind
                    try {
                        java.nio.file.Files.deleteIfExists(c.get().dir());
                    } catch (java.io.IOException | RuntimeException e) {
                        // an empty private folder in the temporary directory
                    }
                    chosen = Optional.empty();
                } else {
                    chosen = c.map(CacheDirectory.Choice::dir);
                }
            }
        }
        return chosen;
    }

    /** The same services with other options. */
    public CacheServices with(CacheOptions other) {
        return new CacheServices(env, other, settings, clock, cacheHome);
    }
}
