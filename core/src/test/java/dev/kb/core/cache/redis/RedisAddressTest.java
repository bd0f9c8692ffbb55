package dev.kb.core.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.cache.CacheConfig;
import dev.kb.core.cache.CacheOptions;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The URL forms of the contract and the settings, parsed without a server (and without Jedis). */
class RedisAddressTest {
    @TempDir
    Path tmp;

    static RedisAddress parse(String spec) {
        return RedisAddress.parse(CacheSpec.parse(spec, Path.of("/")));
    }

    @Test
    void theFormsOfTheContract() {
        RedisAddress a = parse("redis://cache.example.org:6380");
        assertEquals(List.of(false, "cache.example.org", 6380, 0), List.of(a.tls(), a.host(), a.port(), a.db()));
        assertNull(a.user());
        assertNull(a.password());
        RedisAddress b = parse("rediss://alice:pw@10.0.0.5:6379/3");
        assertEquals(List.of(true, "10.0.0.5", 6379, 3, "alice", "pw"),
                List.of(b.tls(), b.host(), b.port(), b.db(), b.user(), b.password()));
        assertEquals("pw", parse("redis://:pw@h:1/").password());
        assertNull(parse("redis://:pw@h:1/").user());
        assertEquals("pw", parse("redis://pw@h:1").password(), "a lone userinfo is the password, as CacheSpec shows it");
        assertEquals(6379, parse("REDIS://h").port());
        assertEquals("::1", parse("redis://[::1]:7000").host());
        assertEquals("[::1]:7000", parse("redis://[::1]:7000").server());
        assertEquals("p@ss:w/rd+", parse("redis://u:p%40ss%3Aw%2Frd+@h:1").password());
    }

    @Test
    void malformedUrlsAreUsageErrorsThatNeverShowThePassword() {
        for (String bad : List.of("redis://:hunter2@h:1/x", "redis://:hunter2@h:99999", "redis://:hunter2@h:1/0?db=2",
                "redis://:hunt#er2@h:1", "redis://:hunter2@:1", "redis://:hunter2@h:1/0#frag", "redis://:hunt er2@h:1",
                "redis://:hunter2%zz@h:1", "redis://alice:@h:1")) {
            KbException e = assertThrows(KbException.class, () -> parse(bad), bad);
            assertEquals(KbException.Kind.USAGE, e.kind(), bad);
            assertFalse(e.getMessage().contains("hunt"), bad + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith("cache 'redis://"), e.getMessage());
        }
    }

    @Test
    void theAddressNeverShowsItsPassword() {
        assertEquals("rediss://alice@h:1/3", parse("rediss://alice:pw@h:1/3").toString());
        assertEquals("redis://h:1/0", parse("redis://:pw@h:1").toString());
    }

    @Test
    void settingsHaveDefaultsAndForms() {
        RedisSettings d = RedisSettings.of(services(Map.of()));
        assertEquals(new RedisSettings(Duration.ofDays(30), 64L << 20, "kb:"), d);
        RedisSettings s = RedisSettings.of(services(Map.of("redis.ttl", "12h", "redis.max-entry", "8MB",
                "redis.prefix", "team-a")));
        assertEquals(new RedisSettings(Duration.ofHours(12), 8L << 20, "team-a:"), s);
        assertEquals(Duration.ofDays(7), RedisSettings.of(services(Map.of("redis.ttl", "7d"))).ttl());
        assertEquals(0, RedisSettings.of(services(Map.of("redis.ttl", "0"))).ttlMillis());
        for (Map.Entry<String, String> bad : Map.of("redis.ttl", "3 weeks", "redis.max-entry", "lots",
                "redis.prefix", "two words").entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RedisSettings.of(services(Map.of(bad.getKey(), bad.getValue()))));
            assertTrue(e.getMessage().startsWith(bad.getKey() + ": "), e.getMessage());
        }
    }

    @Test
    void aBadSettingInAConfigFileIsAUsageErrorNamingTheFileAndKey() throws Exception {
        Path kb = Files.createDirectories(tmp.resolve("kb/.kb")).getParent();
        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = redis://127.0.0.1:6379\nredis.ttl = fortnight\n");
        KbException e = assertThrows(KbException.class, () -> CacheConfig.resolve(List.of(), null,
                Map.of("HOME", tmp.toString()), tmp, kb));
        assertEquals(KbException.Kind.USAGE, e.kind());
        assertTrue(e.getMessage().startsWith(kb.resolve(".kb/cache.properties") + ": redis.ttl: 'fortnight'"),
                e.getMessage());
        // the same settings without a Redis cache are nobody's business
        Files.writeString(kb.resolve(".kb/cache.properties"), "cache = dir:" + tmp.resolve("d") + "\nredis.ttl = fortnight\n");
        assertEquals(1, CacheConfig.resolve(List.of(), null, Map.of("HOME", tmp.toString()), tmp, kb).caches().size());
    }

    @Test
    void aMalformedRedisSpecIsAUsageErrorBeforeAnyWork() {
        KbException e = assertThrows(KbException.class, () -> CacheConfig.resolve(List.of("redis://:pw@host:notaport"),
                null, Map.of("HOME", tmp.toString()), tmp, null));
        assertEquals(KbException.Kind.USAGE, e.kind());
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }

    static CacheServices services(Map<String, String> settings) {
        return new CacheServices(Map.of(), CacheOptions.defaults(), settings, Clock.systemUTC(), Path.of("/nonexistent"));
    }
}
