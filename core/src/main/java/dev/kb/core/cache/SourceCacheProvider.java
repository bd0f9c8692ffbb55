package dev.kb.core.cache;

import dev.kb.core.KbException;
import java.util.List;

/**
 * Makes the {@link SourceCache} a SPEC names, for the schemes it serves: one factory per scheme
 * in {@link CacheProviders#defaults()}. A factory is a small class that loads nothing heavy: the
 * provider's own classes (and a client library) are touched only in {@link #create}, so kb pays
 * for a provider only when a SPEC names it.
 */
public interface SourceCacheProvider {

    /** The {@link CacheSpec#scheme()}s served, e.g. {@code ["redis", "rediss"]}. */
    List<String> schemes();

    /**
     * The cache {@code spec} names, not yet initialised.
     *
     * @throws KbException of kind USAGE when the SPEC is malformed for this scheme (naming it without a password)
     */
    SourceCache create(CacheSpec spec);

    /**
     * The factory of a scheme that the contract names but this build does not serve yet: a SPEC of
     * it is a usage error (exit 2), not a silent miss.
     */
    static SourceCacheProvider notSupportedYet(String... schemes) {
        List<String> served = List.of(schemes);
        return new SourceCacheProvider() {
            @Override
            public List<String> schemes() {
                return served;
            }

            @Override
            public SourceCache create(CacheSpec spec) {
                throw new KbException(KbException.Kind.USAGE,
                        "cache '" + spec.shown() + "': " + spec.scheme() + " caches are not supported yet");
            }
        };
    }
}
