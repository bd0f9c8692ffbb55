package dev.kb.core.cache.redis;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.CacheServices;
import dev.kb.core.cache.CacheSpec;
import dev.kb.core.cache.CacheStats;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.fs.Hashing;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code redis://} and {@code rediss://}: a cache on a Redis or Valkey server that many hosts
 * share. See the package documentation for the key layout and the store protocol.
 *
 * <p>Jedis's plain {@link Connection}s from its {@link ConnectionPool} are used, not its
 * {@code RedisClient}: the client's command classes alone cost a cold JVM more than the
 * connection and the pool together, and kb needs a dozen commands.
 */
final class RedisCache implements SourceCache {
    /** Blobs move in pieces of this size: a 64 MB blob never sits in memory whole, or twice. */
    static final int CHUNK = 4 << 20;
    /** A chunked blob being written lives this long if its writer dies before the rename. */
    private static final long TMP_TTL_MILLIS = 600_000;
    /** Keys asked for per SCAN step, and per DEL or STRLEN batch. */
    private static final int BATCH = 500;
    private static final int POOL_SIZE = 8;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** A look-up's answer for a key holding a hash, a list, ...: not an entry. */
    private static final byte[] WRONG_TYPE = new byte[0];

    private final CacheSpec spec;
    private final RedisAddress address;
    private volatile ConnectionPool pool;
    private volatile RedisSettings settings;
    /** The connect and read timeout: the run's deadline. */
    private volatile int timeoutMillis = 1;

    RedisCache(CacheSpec spec, RedisAddress address) {
        this.spec = spec;
        this.address = address;
    }

    @Override
    public String id() {
        return spec.shown();
    }

    @Override
    public boolean isEnabled() {
        return true;
    }

    @Override
    public void checkSettings(CacheServices services) {
        RedisSettings.of(services);
    }

    /** The settings in force, once initialised (tests). */
    RedisSettings settings() {
        ready();
        return settings;
    }

    @Override
    public synchronized void initialize(CacheServices services) throws IOException {
        if (pool != null) {
            return;
        }
        RedisSettings s;
        try {
            s = RedisSettings.of(services);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        // every connect and every read waits at most one deadline: a server that stopped answering
        // (SIGSTOP, a dead host behind a live route) fails the call instead of holding the batch
        int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, services.options().deadline().toMillis()));
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .database(address.db())
                // the server's own protocol (RESP2): no HELLO round trip, which servers before
                // Redis 6 do not know, and which fails before AUTH on those that require a password
                .serverDefaultProtocol()
                // no CLIENT SETINFO round trips on every new connection
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (address.password() != null) {
            config.user(address.user()).password(address.password());
        }
        if (address.tls()) {
            SSLParameters tls = new SSLParameters();
            tls.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            config.ssl(true).sslParameters(tls);
        }
        GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(POOL_SIZE);
        poolConfig.setMaxIdle(POOL_SIZE);
        poolConfig.setMinIdle(0);
        poolConfig.setMaxWait(Duration.ofMillis(timeout));
        // no MBean registration: it would load the JMX platform (tens of milliseconds) for nothing
        poolConfig.setJmxEnabled(false);
        ConnectionPool p = new ConnectionPool(new HostAndPort(address.host(), address.port()), config.build(), poolConfig);
        try (Connection c = p.getResource()) {
            // the connection logged in (AUTH) and chose the database (SELECT) as it was made
            Object pong = c.executeCommand(new CommandArguments(Protocol.Command.PING));
            if (!(pong instanceof byte[] b) || !new String(b, StandardCharsets.US_ASCII).equals("PONG")) {
                throw new IOException("it answered PING with " + shown(pong) + ": not a Redis server?");
            }
        } catch (IOException | RuntimeException e) {
            p.close();
            timeoutMillis = timeout;
            throw failure(e);
        }
        settings = s;
        timeoutMillis = timeout;
        pool = p;
    }

    private ConnectionPool ready() {
        ConnectionPool p = pool;
        if (p == null) {
            throw new IllegalStateException("cache " + id() + " used before initialize()");
        }
        return p;
    }

    // ---- keys

    private byte[] key(String kind, String name) {
        return (settings.prefix() + kind + ":" + name).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] entryKey(CacheKey k) {
        return key("e", k.id());
    }

    private byte[] blobKey(String sha256) {
        if (!HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        return key("b", sha256);
    }

    private byte[] countsKey() {
        return (settings.prefix() + "counts").getBytes(StandardCharsets.UTF_8);
    }

    /** The SCAN pattern of one kind of key: the prefix with its glob characters escaped. */
    private byte[] pattern(String kind) {
        StringBuilder b = new StringBuilder();
        for (char c : (settings.prefix() + kind + ":").toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('*').toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- operations

    @Override
    public Optional<CacheEntry> lookup(CacheKey key) throws IOException, CacheEntry.Malformed {
        ready();
        byte[] k = entryKey(key);
        byte[] stored = call(c -> {
            try {
                return (byte[]) c.executeCommand(args(Protocol.Command.GET).key(k));
            } catch (JedisDataException e) {
                if (wrongType(e)) {
                    return WRONG_TYPE; // something else was written over it: a damaged entry, not an outage
                }
                throw e;
            }
        });
        if (stored == null) {
            return Optional.empty();
        }
        if (stored == WRONG_TYPE) {
            throw new CacheEntry.Malformed("not a string value");
        }
        CacheEntry e = CacheEntry.decode(stored);
        long ttl = settings.ttlMillis();
        if (ttl > 0) {
            // found: it and its blobs live another TTL (one round trip), so what a team uses stays
            call(c -> {
                c.sendCommand(args(Protocol.Command.PEXPIRE).key(k).add(ttl));
                for (CacheEntry.Blob b : e.blobs()) {
                    c.sendCommand(args(Protocol.Command.PEXPIRE).key(blobKey(b.sha256())).add(ttl));
                }
                return c.getMany(1 + e.blobs().size());
            });
        }
        return Optional.of(e);
    }

    private static boolean wrongType(JedisDataException e) {
        return e.getMessage() != null && e.getMessage().startsWith("WRONGTYPE");
    }

    @Override
    public boolean readBlob(CacheEntry.Blob blob, Path dest) throws IOException {
        ready();
        byte[] k = blobKey(blob.sha256());
        return call(c -> {
            try {
                return copy(c, k, blob.size(), dest);
            } catch (JedisDataException e) {
                if (wrongType(e)) {
                    return false; // not bytes: as good as absent
                }
                throw e;
            }
        });
    }

    /** Copies the value of {@code k} into {@code dest}; false when there is none. */
    private static boolean copy(Connection c, byte[] k, long size, Path dest) throws IOException {
        {
            try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                if (size <= CHUNK) {
                    byte[] bytes = (byte[]) c.executeCommand(args(Protocol.Command.GET).key(k));
                    if (bytes == null) {
                        return false;
                    }
                    out.write(bytes);
                    return true;
                }
                // in pieces; more bytes than the blob has are not read (the caller's size check fails)
                long off = 0;
                while (off <= size) {
                    byte[] part = (byte[]) c.executeCommand(args(Protocol.Command.GETRANGE).key(k).add(off)
                            .add(off + CHUNK - 1));
                    if (part.length == 0) {
                        return off > 0; // nothing at all: absent (evicted, expired)
                    }
                    out.write(part);
                    off += part.length;
                    if (part.length < CHUNK) {
                        break;
                    }
                }
                return true;
            }
        }
    }

    @Override
    public void store(CacheEntry entry, Map<String, Path> files) throws IOException {
        ready();
        byte[] encoded = entry.encode();
        Map<String, CacheEntry.Blob> distinct = new LinkedHashMap<>();
        for (CacheEntry.Blob b : entry.blobs()) {
            distinct.putIfAbsent(b.sha256(), b);
        }
        long total = encoded.length + distinct.values().stream().mapToLong(CacheEntry.Blob::size).sum();
        if (total > settings.maxEntry()) {
            return; // redis.max-entry: not kept here, which is a miss next time and never an error
        }
        long ttl = settings.ttlMillis();
        call(c -> {
            // blobs first, then the entry that names them: a reader who finds the entry finds its
            // blobs (unless evicted since, which it reads as a miss)
            for (CacheEntry.Blob b : distinct.values()) {
                byte[] k = blobKey(b.sha256());
                // content-addressed: the same bytes may be there already (another entry's, another host's)
                c.sendCommand(args(Protocol.Command.STRLEN).key(k));
                if (ttl > 0) {
                    c.sendCommand(args(Protocol.Command.PEXPIRE).key(k).add(ttl));
                }
                List<Object> had = c.getMany(ttl > 0 ? 2 : 1);
                if (had.get(0) instanceof Long n && n == b.size()) {
                    continue;
                }
                if (!writeBlob(c, k, files.get(b.name()), b.size(), ttl)) {
                    return null; // evicted while it was written: not stored, a miss next time
                }
            }
            c.executeCommand(withTtl(args(Protocol.Command.SET).key(entryKey(entry.key())).add(encoded), ttl));
            return null;
        });
    }

    /**
     * Writes one blob so that it appears whole or not at all: in one SET when small, else
     * appended piece by piece under a temporary key that is renamed onto the blob's key at the
     * end (RENAME replaces atomically). A writer that dies half-way leaves only the temporary key,
     * which expires.
     *
     * @return false when the server evicted the temporary key before it was whole (under
     *         {@code maxmemory}, an APPEND after an eviction would start a new, short value)
     */
    private boolean writeBlob(Connection c, byte[] key, Path file, long size, long ttl) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("no file for a blob of " + size + " bytes");
        }
        if (size <= CHUNK) {
            byte[] bytes = Files.readAllBytes(file);
            c.executeCommand(withTtl(args(Protocol.Command.SET).key(key).add(bytes), ttl));
            return true;
        }
        byte[] tmp = key("t", UUID.randomUUID().toString());
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[CHUNK];
            boolean first = true;
            for (int n; (n = in.readNBytes(buf, 0, CHUNK)) > 0 || first; first = false) {
                byte[] part = n == CHUNK ? buf : Arrays.copyOf(buf, n);
                if (first) {
                    c.executeCommand(args(Protocol.Command.SET).key(tmp).add(part).add(Protocol.Keyword.PX)
                            .add(TMP_TTL_MILLIS));
                } else {
                    c.executeCommand(args(Protocol.Command.APPEND).key(tmp).add(part));
                }
                if (n < CHUNK) {
                    break;
                }
            }
        }
        if (!(c.executeCommand(args(Protocol.Command.STRLEN).key(tmp)) instanceof Long n) || n != size) {
            c.executeCommand(args(Protocol.Command.DEL).key(tmp));
            return false;
        }
        // RENAME keeps the temporary key's short TTL: the blob's own is set in the same transaction
        c.sendCommand(args(Protocol.Command.MULTI));
        c.sendCommand(args(Protocol.Command.RENAME).key(tmp).key(key));
        c.sendCommand(ttl > 0 ? args(Protocol.Command.PEXPIRE).key(key).add(ttl)
                : args(Protocol.Command.PERSIST).key(key));
        c.sendCommand(args(Protocol.Command.EXEC));
        List<Object> replies = throwFirst(c.getMany(4));
        if (replies.get(3) instanceof List<?> done && !done.isEmpty() && done.get(0) instanceof JedisDataException) {
            return false; // "no such key": evicted between the check and the rename
        }
        return true;
    }

    private static CommandArguments withTtl(CommandArguments set, long ttl) {
        return ttl > 0 ? set.add(Protocol.Keyword.PX).add(ttl) : set;
    }

    /**
     * Removes the entry and the blobs it names. The caller removes an entry that failed
     * verification, and a blob damaged in place (same length, other bytes) must go with it: a
     * store that finds a blob at its length takes it for the same bytes, so the damage would
     * outlive every new download. A blob shared with a sound entry is written again by its next
     * store; until then that entry is a miss.
     */
    @Override
    public void remove(CacheKey key) throws IOException {
        ready();
        byte[] k = entryKey(key);
        call(c -> {
            CommandArguments del = args(Protocol.Command.DEL).key(k);
            try {
                byte[] stored = (byte[]) c.executeCommand(args(Protocol.Command.GET).key(k));
                if (stored != null) {
                    for (CacheEntry.Blob b : CacheEntry.decode(stored).blobs()) {
                        del.key(blobKey(b.sha256()));
                    }
                }
            } catch (CacheEntry.Malformed | JedisDataException unreadable) {
                // the entry alone, then
            }
            return c.executeCommand(del);
        });
    }

    @Override
    public void recordUse(long hits, long misses) throws IOException {
        byte[] k = countsKey0();
        call(c -> {
            c.sendCommand(args(Protocol.Command.HINCRBY).key(k).add("hits").add(hits));
            c.sendCommand(args(Protocol.Command.HINCRBY).key(k).add("misses").add(misses));
            return throwFirst(c.getMany(2));
        });
    }

    private byte[] countsKey0() {
        ready();
        return countsKey();
    }

    @Override
    public CacheStats stats() throws IOException {
        byte[] counts = countsKey0();
        return call(c -> {
            List<?> hm = (List<?>) c.executeCommand(args(Protocol.Command.HMGET).key(counts).add("hits").add("misses"));
            long[] entries = {0};
            long[] bytes = {0};
            scan(c, "e", keys -> {
                entries[0] += keys.size();
                bytes[0] += strlens(c, keys).stream().mapToLong(Long::longValue).sum();
            });
            scan(c, "b", keys -> bytes[0] += strlens(c, keys).stream().mapToLong(Long::longValue).sum());
            return new CacheStats(number(hm.get(0)), number(hm.get(1)), entries[0], bytes[0]);
        });
    }

    @Override
    public CacheStats.Verified verify() throws IOException {
        ready();
        return call(c -> {
            long[] checked = {0};
            long[] dropped = {0};
            // blobs first: an entry whose blob is dropped here is dropped below
            List<byte[]> bad = new ArrayList<>();
            scan(c, "b", keys -> {
                for (byte[] k : keys) {
                    checked[0]++;
                    String name = new String(k, StandardCharsets.UTF_8);
                    String sha = name.substring(name.lastIndexOf(':') + 1);
                    String actual = hashOf(c, k);
                    if (actual != null && !actual.equals(sha)) {
                        bad.add(k);
                    }
                }
            });
            dropped[0] += delete(c, bad);
            bad.clear();
            scan(c, "e", keys -> {
                for (byte[] k : keys) {
                    checked[0]++;
                    if (!soundEntry(c, k)) {
                        bad.add(k);
                    }
                }
            });
            dropped[0] += delete(c, bad);
            return new CacheStats.Verified(checked[0], dropped[0]);
        });
    }

    /** The SHA-256 of a blob's bytes, read in pieces; null when it went meanwhile. */
    private static String hashOf(Connection c, byte[] key) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long off = 0;
        while (true) {
            byte[] part = (byte[]) c.executeCommand(args(Protocol.Command.GETRANGE).key(key).add(off).add(off + CHUNK - 1));
            if (part.length == 0 && off == 0) {
                return ((Long) c.executeCommand(args(Protocol.Command.EXISTS).key(key))) == 0 ? null
                        : HexFormat.of().formatHex(md.digest());
            }
            md.update(part);
            off += part.length;
            if (part.length < CHUNK) {
                return HexFormat.of().formatHex(md.digest());
            }
        }
    }

    /** An entry that decodes, is stored under its own key, and whose blobs are all there at their size. */
    private boolean soundEntry(Connection c, byte[] key) {
        byte[] stored = (byte[]) c.executeCommand(args(Protocol.Command.GET).key(key));
        if (stored == null) {
            return true; // gone meanwhile: nothing to drop
        }
        CacheEntry e;
        try {
            e = CacheEntry.decode(stored);
        } catch (CacheEntry.Malformed m) {
            return false;
        }
        if (!Arrays.equals(key, entryKey(e.key()))) {
            return false;
        }
        List<byte[]> blobs = e.blobs().stream().map(b -> blobKey(b.sha256())).toList();
        List<Long> sizes = strlens(c, blobs);
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) != e.blobs().get(i).size()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void clear() throws IOException {
        byte[] counts = countsKey0();
        call(c -> {
            for (String kind : List.of("e", "b", "t")) {
                List<byte[]> all = new ArrayList<>();
                scan(c, kind, all::addAll); // SCAN may repeat a key: a second DEL of it is no matter
                delete(c, all);
            }
            c.executeCommand(args(Protocol.Command.DEL).key(counts));
            return null;
        });
    }

    /**
     * Closes the pooled connections. The cache stays usable (a later call connects again), as the
     * SPI's other providers do after close: the pool holds no thread, only sockets.
     */
    @Override
    public void close() {
        ConnectionPool p = pool;
        if (p != null) {
            try {
                p.clear(); // closes the idle connections' sockets (no QUIT: a stopped server would hold it)
            } catch (RuntimeException e) {
                // closing: nothing to tell
            }
        }
    }

    @Override
    public String toString() {
        return id();
    }

    // ---- plumbing

    /** One step of an operation on a borrowed connection. */
    private interface Op<T> {
        T run(Connection c) throws IOException;
    }

    /** What {@link #scan} hands over per step. */
    private interface Keys {
        void take(List<byte[]> keys) throws IOException;
    }

    private static CommandArguments args(Protocol.Command command) {
        return new CommandArguments(command);
    }

    /**
     * Runs {@code op} on a pooled connection, every failure an {@link IOException} whose message
     * names the server and the cause, never the password. A connection that failed in any way is
     * dropped, not pooled again: half a pipeline's replies may still be on its way.
     */
    private <T> T call(Op<T> op) throws IOException {
        ConnectionPool p = ready();
        Connection c;
        try {
            c = p.getResource();
        } catch (RuntimeException e) {
            throw failure(e);
        }
        boolean ok = false;
        try {
            T result = op.run(c);
            ok = true;
            return result;
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        } finally {
            if (!ok) {
                c.setBroken();
            }
            c.close(); // back to the pool, or destroyed when broken
        }
    }

    /** {@code e} as what the caller reports: why it failed, the password taken out. */
    private IOException failure(Exception e) {
        String why;
        Throwable auth = find(e, JedisAccessControlException.class);
        if (auth == null) {
            auth = authError(e);
        }
        if (find(e, SocketTimeoutException.class) != null) {
            why = "no answer within " + Durations.format(Duration.ofMillis(timeoutMillis));
        } else if (auth != null) {
            why = "authentication failed (" + Causes.oneLine(auth) + ")";
        } else if (find(e, javax.net.ssl.SSLException.class) != null) {
            why = "TLS handshake failed (" + reason(e) + ")";
        } else if (e instanceof JedisConnectionException) {
            why = "cannot connect, or the connection was lost (" + reason(e) + ")";
        } else {
            why = reason(e);
        }
        // the caller names the cache (host and port) and the operation
        String message = why;
        if (address.password() != null) {
            // a server or a library may echo what it was sent; the password never leaves this class
            message = message.replace(address.password(), "***");
        }
        return new IOException(message); // no cause: its message could carry what was taken out here
    }

    /** The most telling message of {@code e}: its innermost cause's (or a suppressed one's), say "Connection refused". */
    private static String reason(Throwable e) {
        Throwable t = e;
        while (true) {
            Throwable next = t.getCause() != null && t.getCause() != t ? t.getCause()
                    : t.getSuppressed().length > 0 ? t.getSuppressed()[0] : null;
            if (next == null || next.getMessage() == null) {
                return Causes.oneLine(t);
            }
            t = next;
        }
    }

    private static JedisDataException authError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (t instanceof JedisDataException d && m != null
                    && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.startsWith("NOPERM")
                    || m.startsWith("ERR invalid password") || m.startsWith("ERR AUTH"))) {
                return d;
            }
        }
        return null;
    }

    private static Throwable find(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    private static String shown(Object reply) {
        if (reply instanceof byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        }
        return String.valueOf(reply);
    }

    /** Calls {@code each} with every key of one kind under the prefix, a SCAN step at a time (never KEYS). */
    private void scan(Connection c, String kind, Keys each) throws IOException {
        byte[] match = pattern(kind);
        byte[] cursor = "0".getBytes(StandardCharsets.US_ASCII);
        do {
            List<?> reply = (List<?>) c.executeCommand(args(Protocol.Command.SCAN).add(cursor)
                    .add(Protocol.Keyword.MATCH).add(match).add(Protocol.Keyword.COUNT).add(BATCH));
            cursor = (byte[]) reply.get(0);
            List<byte[]> keys = new ArrayList<>();
            for (Object k : (List<?>) reply.get(1)) {
                keys.add((byte[]) k);
            }
            if (!keys.isEmpty()) {
                each.take(keys);
            }
        } while (!(cursor.length == 1 && cursor[0] == '0'));
    }

    /** The lengths of {@code keys}' values (0 for a key gone), pipelined. */
    private static List<Long> strlens(Connection c, List<byte[]> keys) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += BATCH) {
            List<byte[]> part = keys.subList(i, Math.min(keys.size(), i + BATCH));
            for (byte[] k : part) {
                c.sendCommand(args(Protocol.Command.STRLEN).key(k));
            }
            for (Object r : throwFirst(c.getMany(part.size()))) {
                out.add((Long) r);
            }
        }
        return out;
    }

    /** Deletes {@code keys} in batches; how many were there. */
    private static long delete(Connection c, List<byte[]> keys) {
        long n = 0;
        for (int i = 0; i < keys.size(); i += BATCH) {
            CommandArguments del = args(Protocol.Command.DEL);
            for (byte[] k : keys.subList(i, Math.min(keys.size(), i + BATCH))) {
                del.key(k);
            }
            n += (Long) c.executeCommand(del);
        }
        return n;
    }

    /** A pipeline's replies, or the first error among them thrown. */
    private static List<Object> throwFirst(List<Object> replies) {
        for (Object r : replies) {
            if (r instanceof JedisDataException e) {
                throw e;
            }
        }
        return replies;
    }

    private static long number(Object reply) {
        if (reply instanceof byte[] b) {
            try {
                return Math.max(0, Long.parseLong(new String(b, StandardCharsets.US_ASCII)));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
