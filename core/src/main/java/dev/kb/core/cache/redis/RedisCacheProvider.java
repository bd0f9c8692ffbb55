package dev.kb.core.cache.redis;

import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheProvider;
import java.util.List;

/**
 * The factory of {@code redis://} and {@code rediss://} caches. It names no Jedis type, so that
 * {@link dev.kb.core.cache.CacheProviders#defaults()} (built for every configured cache, a
 * {@code dir} one too) loads no client class; Jedis is loaded when {@link #create} makes a
 * {@link RedisCache}, that is only when a SPEC names a Redis server.
 */
public final class RedisCacheProvider implements SourceCacheProvider {
    @Override
    public List<String> schemes() {
        return List.of(CacheSpec.REDIS, CacheSpec.REDISS);
    }

    @Override
    public SourceCache create(CacheSpec spec) {
        RedisAddress address = RedisAddress.parse(spec); // a malformed URL is a usage error here, before Jedis
        ClientWarmup.once(); // the client's classes loaded here, where no deadline runs
        if (address.tls()) {
            ClientWarmup.tls(address.host(), address.port());
        }
        return new RedisCache(spec, address);
    }
}
