package dev.kb.core.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheContractTest;
import dev.kb.core.cache.SourceCaches;
import dev.kb.testing.RedisExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract as an ACL user ({@code redis://user:password@…}, Redis 6 and later), the default user off. */
class RedisAclUserTest extends SourceCacheContractTest {
    @RegisterExtension
    final RedisExtension redis = new RedisExtension("--user", "alice", "on", ">al!ce:pw@x", "~*", "&*", "+@all",
            "--user", "default", "off");

    @Override
    protected String spec() {
        // ':' and '@' in the password percent-encoded, as in any URL
        return "redis://alice:al!ce%3Apw%40x@127.0.0.1:" + redis.server().port();
    }

    @Override
    protected String expectedId() {
        return "redis://alice@127.0.0.1:" + redis.server().port();
    }

    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) throws Exception {
        RedisCacheTest.damage(redis.server().login("alice", "al!ce:pw@x"), "kb:", key, blob, how);
    }

    @Test
    void aWrongPasswordForTheUserIsOneWarningWithoutIt() {
        SourceCache c = CacheProviders.create(CacheSpec.parse("redis://alice:al!ce%3Apw%40y@127.0.0.1:"
                + redis.server().port(), tmp));
        try (SourceCaches s = SourceCaches.open(List.of(c), services(), warnings::add)) {
            assertTrue(s.failed(0));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cache redis://alice@127.0.0.1:"), warnings.get(0));
        assertTrue(warnings.get(0).contains("WRONGPASS"), warnings.get(0));
        assertFalse(warnings.get(0).contains("al!ce"), warnings.get(0));
    }
}
