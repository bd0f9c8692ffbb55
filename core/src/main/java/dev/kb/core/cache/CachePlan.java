package dev.kb.core.cache;

import java.util.List;
import java.util.function.Consumer;

/**
 * The caches a run will use, created from their SPECs but not yet initialised, and their
 * services; {@link #open} makes them ready for the prepare path.
 *
 * @param caches in look-up order
 * @param origin where the SPECs came from ({@code --cache}, {@code KB_CACHE}, a file), or null
 */
public record CachePlan(List<SourceCache> caches, CacheServices services, String origin) {
    public CachePlan {
        caches = List.copyOf(caches);
    }

    /** Initialises the caches (each under the deadline) and wraps them; warnings go to {@code warnings}. */
    public SourceCaches open(Consumer<String> warnings) {
        return SourceCaches.open(caches, services, warnings);
    }
}
