package dev.kb.core.cache;

import dev.kb.core.KbException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry: one default list of factories, one per scheme, and the choice of a provider by
 * SPEC. A provider is added by putting its factory in {@link #defaults()} in place of the scheme's
 * {@link SourceCacheProvider#notSupportedYet} slot; nothing else chooses providers.
 */
public final class CacheProviders {
    private CacheProviders() {
    }

    /** Every provider kb has, one factory per scheme (each scheme in exactly one). */
    public static List<SourceCacheProvider> defaults() {
        return List.of(
                new NoneCache.Provider(),
                new DirCache.Provider(),
                // its class loads no Jedis: only a redis:// SPEC does, through create()
                new dev.kb.core.cache.redis.RedisCacheProvider(),
                new dev.kb.core.cache.kb.KbCache.Provider());
    }

    /**
     * The cache {@code spec} names, from the default providers, not yet initialised.
     *
     * @throws KbException of kind USAGE for a SPEC no provider serves, or one it refuses
     */
    public static SourceCache create(CacheSpec spec) {
        return create(spec, defaults());
    }

    public static SourceCache create(CacheSpec spec, List<SourceCacheProvider> providers) {
        for (SourceCacheProvider p : providers) {
            if (p.schemes().contains(spec.scheme())) {
                return p.create(spec);
            }
        }
        throw new KbException(KbException.Kind.USAGE, "cache '" + spec.shown() + "': no provider for "
                + spec.scheme() + " caches in this build");
    }

    /** {@link #create} for each SPEC text, relative paths against {@code base}, in order. */
    public static List<SourceCache> create(List<String> specs, Path base) {
        List<SourceCache> out = new ArrayList<>();
        for (String s : specs) {
            out.add(create(CacheSpec.parse(s, base)));
        }
        return out;
    }
}
