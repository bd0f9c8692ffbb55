package dev.kb.core.cache.redis;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.SourceCacheContractTest;
import dev.kb.testing.RedisExtension;
import dev.kb.testing.RedisServer;
import java.util.Arrays;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract, for {@code redis://} on a real redis-server (one per test). */
class RedisCacheTest extends SourceCacheContractTest {
    @RegisterExtension
    final RedisExtension redis = new RedisExtension();

    @Override
    protected String spec() {
        return redis.server().url() + "/0";
    }

    /** The key of an entry, as the package documentation lays them out. */
    static String entryKey(String prefix, CacheKey key) {
        return prefix + "e:" + key.id();
    }

    static String blobKey(String prefix, String sha) {
        return prefix + "b:" + sha;
    }

    /** Damages an entry or blob of the default prefix, as a hand with redis-cli would. */
    static void damage(RedisServer server, String prefix, CacheKey key, CacheEntry.Blob blob, Damage how)
            throws Exception {
        damage(server, 0, prefix, key, blob, how);
    }

    /** {@link #damage} in database {@code db}. */
    static void damage(RedisServer server, int db, String prefix, CacheKey key, CacheEntry.Blob blob, Damage how)
            throws Exception {
        switch (how) {
            case TRUNCATE_ENTRY -> truncate(server, db, entryKey(prefix, key));
            case TRUNCATE_BLOB -> truncate(server, db, blobKey(prefix, blob.sha256()));
            case FLIP_BLOB_BYTE -> {
                String k = blobKey(prefix, blob.sha256());
                byte[] b = (byte[]) server.commandIn(db, "GET", k);
                b[b.length / 2] ^= 0x20;
                server.commandIn(db, "SET", k, b, "KEEPTTL");
            }
        }
    }

    private static void truncate(RedisServer server, int db, String key) throws Exception {
        byte[] b = (byte[]) server.commandIn(db, "GET", key);
        server.commandIn(db, "SET", key, Arrays.copyOf(b, b.length / 2), "KEEPTTL");
    }

    @Override
    protected void damage(SourceCache cache, CacheKey key, CacheEntry.Blob blob, Damage how) throws Exception {
        damage(redis.server(), RedisSettings.DEFAULT_PREFIX, key, blob, how);
    }
}
