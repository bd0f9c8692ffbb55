/**
 * The {@code redis://} and {@code rediss://} source caches: a Redis or Valkey server as the cache
 * a team shares across laptops, CI runners and cron hosts (the SPI and its guarantees are in
 * {@link dev.kb.core.cache}).
 *
 * <h2>Loading</h2>
 * Jedis (and the commons-pool2 it pools connections with) is loaded only when a SPEC names a
 * Redis server: {@link dev.kb.core.cache.redis.RedisCacheProvider} names no Jedis type, and
 * {@link dev.kb.core.cache.redis.RedisAddress} parses the URL without it. {@code kb status},
 * {@code kb --version} and an {@code add} without such a cache load none of it (an e2e test
 * checks with {@code -Xlog:class+load}).
 *
 * <h2>Keys</h2>
 * Under the prefix {@code P} ({@code redis.prefix}, default {@code kb:}), in the URL's database:
 * <pre>
 * P e:&lt;key id&gt;   an entry ({@link dev.kb.core.cache.CacheEntry#encode}), a string, TTL redis.ttl
 * P b:&lt;sha256&gt;   a blob's bytes, shared by every entry that holds them, TTL redis.ttl
 * P t:&lt;uuid&gt;     a blob over 4 MiB being written, TTL 10 minutes, renamed onto its b: key
 * P counts         a hash: hits and misses of every run (no TTL)
 * </pre>
 * Nothing else is written, and nothing secret: keys are hashes, entries hold what kb keeps of a
 * response or a conversion, never the URL's password.
 *
 * <h2>Store, and what a reader can see</h2>
 * Blobs first, then the entry: each blob the server does not already hold at its size is written
 * in one {@code SET} (up to 4 MiB), or appended in pieces under a {@code t:} key that is checked
 * for its full length and then {@code RENAME}d onto its {@code b:} key in a {@code MULTI}/{@code
 * EXEC} with its TTL; then one {@code SET} of the entry. Each command is atomic, so a reader sees
 * a whole blob or none, and an entry only after its blobs. Races that remain (an eviction between
 * an entry and its blobs, another writer replacing an entry) read as misses, and nothing read is
 * trusted without its hash ({@link dev.kb.core.cache.SourceCaches} re-hashes every blob). An
 * entry bigger than {@code redis.max-entry} (default 64 MB, blobs included) is not stored.
 *
 * <h2>Lifetime</h2>
 * Entries and blobs expire {@code redis.ttl} (default 30 days; 0: never) after they were last
 * stored or found: a hit sets the TTL of the entry and its blobs again. Under the server's
 * {@code maxmemory} with an evicting policy ({@code allkeys-lru}) any key may go at any time; an
 * entry whose blob went is a miss, and it is removed.
 *
 * <h2>Failures</h2>
 * Every connect and every read waits at most the run's deadline ({@code deadline}, 250 ms): a
 * server that is down, stopped ({@code SIGSTOP}) or unreachable fails the call with an
 * {@link java.io.IOException} naming the server and the cause (never the password), and
 * {@link dev.kb.core.cache.SourceCaches} then leaves the cache alone for the rest of the run with
 * one warning. A wrong password is such a failure too, at the first connection. A key holding
 * something other than a string (written by hand) is a damaged entry, a miss.
 *
 * <h2>Maintenance</h2>
 * {@code kb cache stats|verify|clear} walk the prefix with {@code SCAN} (never {@code KEYS}, which
 * blocks a shared server): stats count the {@code e:} keys and add up the lengths of {@code e:}
 * and {@code b:} values; verify re-hashes every blob and drops those that do not match their name,
 * then drops entries that do not decode, are not under their own key, or miss a blob; clear
 * deletes the {@code e:}, {@code b:}, {@code t:} keys and the counts of this prefix only.
 */
package dev.kb.core.cache.redis;
