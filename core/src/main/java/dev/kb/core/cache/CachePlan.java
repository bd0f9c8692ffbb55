package dev.kb.core.cache;

import java.util.List;
import java.util.function.Consumer;

/**
 * The caches a run will use, created from their SPECs but not yet initialised, and their
 * services; {@link #open} makes them ready for the prepare path.
 */
public final class CachePlan {
    private final List<SourceCache> caches;
    private final CacheServices services;
    private final String origin;
    private volatile SourceCaches opened;

    /**
     * @param caches in look-up order
     * @param origin where the SPECs came from ({@code --cache}, {@code KB_CACHE}, a file), or null
     */
    public CachePlan(List<SourceCache> caches, CacheServices services, String origin) {
        this.caches = List.copyOf(caches);
        this.services = services;
        this.origin = origin;
    }

    public List<SourceCache> caches() {
        return caches;
    }

    public CacheServices services() {
        return services;
    }

    public String origin() {
        return origin;
    }

    /** Initialises the caches (each under the deadline) and wraps them; warnings go to {@code warnings}. */
    public SourceCaches open(Consumer<String> warnings) {
        SourceCaches s = SourceCaches.open(caches, services, warnings);
        opened = s;
        return s;
    }

    /** What the last {@link #open} gave (its counts stay readable after it is closed), or null. */
    public SourceCaches lastRun() {
        return opened;
    }
}
