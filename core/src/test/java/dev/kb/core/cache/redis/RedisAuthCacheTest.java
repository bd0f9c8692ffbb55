package dev.kb.core.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CacheProviders;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheContractTest;
import dev.kb.core.cache.SourceCaches;
import dev.kb.testing.RedisExtension;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract again, on a server that requires a password, given in the SPEC, with a team
 * prefix; and what a wrong or missing password does: one warning, which never shows it.
 */
class RedisAuthCacheTest extends SourceCacheContractTest {
    static final String PASSWORD = "s3cret-Pw";

    @RegisterExtension
    final RedisExtension redis = RedisExtension.withPassword(PASSWORD);

    @Override
    protected String spec() {
        return "redis://:" + PASSWORD + "@127.0.0.1:" + redis.server().port() + "/2";
    }

    @Override
    protected CacheServices services() {
        return new CacheServices(env(), CacheOptions.defaults(), Map.of("redis.prefix", "team-b"), Clock.systemUTC(),
                null);
    }

    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) throws Exception {
        RedisCacheTest.damage(redis.server(), 2, "team-b:", key, blob, how);
    }

    @Test
    void theDatabaseAndPrefixOfTheSpecAreWhereEntriesGo() throws Exception {
        SourceCache c = ready();
        put(c, urlKey("https://example.org/where"), "here");
        assertEquals(0L, redis.server().command("DBSIZE"), "written into database 0");
        assertEquals(1, ((List<?>) redis.server().commandIn(2, "KEYS", "team-b:e:*")).size());
    }

    private SourceCaches openWith(String spec) {
        SourceCache c = CacheProviders.create(CacheSpec.parse(spec, tmp));
        return SourceCaches.open(List.of(c), services(), warnings::add);
    }

    private void assertOneWarningWithoutThePassword(String wrong) {
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.contains("authentication failed"), w);
        assertFalse(w.contains(wrong), "the password given is in the warning: " + w);
        assertFalse(w.contains(PASSWORD), "the server's password is in the warning: " + w);
    }

    @Test
    void aWrongPasswordIsOneWarningThatDoesNotShowIt() throws Exception {
        String wrong = "Wr0ng-Pass";
        try (SourceCaches s = openWith("redis://:" + wrong + "@127.0.0.1:" + redis.server().port())) {
            assertTrue(s.failed(0));
            assertTrue(s.find(urlKey("https://example.org/x")).isEmpty());
            s.store(entry(urlKey("https://example.org/x"), file("x")), Map.of("raw", tmp.resolve("staging/f0")));
        }
        assertOneWarningWithoutThePassword(wrong);
        assertTrue(warnings.get(0).startsWith("cache redis://127.0.0.1:" + redis.server().port() + ": "), warnings.get(0));
    }

    @Test
    void aWrongPasswordGivenAloneOrWithAUserIsOneWarningToo() throws Exception {
        String wrong = "AlsoWrong";
        try (SourceCaches s = openWith("redis://" + wrong + "@127.0.0.1:" + redis.server().port())) {
            assertTrue(s.failed(0));
        }
        assertOneWarningWithoutThePassword(wrong);
        warnings.clear();
        try (SourceCaches s = openWith("redis://default:" + wrong + "@127.0.0.1:" + redis.server().port())) {
            assertTrue(s.failed(0));
        }
        assertOneWarningWithoutThePassword(wrong);
        assertTrue(warnings.get(0).startsWith("cache redis://default@127.0.0.1:"), warnings.get(0));
    }

    @Test
    void noPasswordForAServerThatRequiresOneIsOneWarning() throws Exception {
        try (SourceCaches s = openWith(redis.server().url())) {
            assertTrue(s.failed(0));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("NOAUTH"), warnings.get(0));
    }

    @Test
    void nothingOfThePasswordIsStoredOnTheServer() throws Exception {
        SourceCache c = ready();
        put(c, urlKey("https://example.org/stored"), "body");
        c.recordUse(1, 1);
        @SuppressWarnings("unchecked")
        List<byte[]> keys = (List<byte[]>) redis.server().commandIn(2, "KEYS", "*");
        for (byte[] k : keys) {
            String key = new String(k, java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(key.contains(PASSWORD), key);
            Object v = redis.server().commandIn(2, "DUMP", key);
            assertFalse(new String((byte[]) v, java.nio.charset.StandardCharsets.ISO_8859_1).contains(PASSWORD), key);
        }
        assertTrue(keys.size() >= 3, keys.size() + " keys");
    }
}
