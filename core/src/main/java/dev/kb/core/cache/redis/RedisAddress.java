package dev.kb.core.cache.redis;

import dev.kb.core.KbException;
import dev.kb.core.cache.CacheSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where a {@code redis://} or {@code rediss://} cache is and how to log in: the contract's
 * {@code redis://[user:password@]host:port[/db]}. Parsed without touching Jedis, so a malformed
 * SPEC is a usage error before any client class is loaded.
 *
 * <p>Userinfo: {@code user:password} logs in as that ACL user; {@code :password} and a lone
 * {@code password} (what {@link CacheSpec#redact} takes it for) log in with the password only
 * ({@code AUTH password}, the {@code requirepass} of Redis before 6). Characters such as {@code @},
 * {@code :} or {@code /} in either are percent-encoded ({@code %40}).
 *
 * @param tls      {@code rediss://}: TLS, the server's certificate checked against the JVM's trust
 *                 store and its host name
 * @param user     the ACL user, or null
 * @param password the password, or null; never shown (the record's {@link #toString} leaves it out)
 * @param db       the database index from the path, 0 when none
 */
record RedisAddress(boolean tls, String host, int port, String user, String password, int db) {
    static final int DEFAULT_PORT = 6379;

    /**
     * Parses a SPEC whose scheme is {@code redis} or {@code rediss}.
     *
     * @throws KbException of kind USAGE naming the SPEC without its password
     */
    static RedisAddress parse(CacheSpec spec) {
        String text = spec.rest();
        String shown = spec.shown();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // not e.getMessage(): it quotes the whole input, password included
            throw usage(shown, "not a URL (characters such as @ : / in a password are written %40 %3A %2F)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(CacheSpec.REDIS) && !scheme.equals(CacheSpec.REDISS)) {
            throw usage(shown, "not a redis:// or rediss:// URL");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            // URI leaves the host out when the authority does not parse as server-based (a bad port, a stray character)
            throw usage(shown, "no host, or a malformed host or port (the form is " + scheme + "://HOST:PORT[/DB])");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 literal, as Socket takes it
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port == 0 || port > 65535) {
            throw usage(shown, "port " + port + " is not a TCP port");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw usage(shown, "a cache URL takes no ?query or #fragment");
        }
        int db = 0;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.isEmpty() && !path.equals("/")) {
            String n = path.substring(1);
            if (!n.matches("[0-9]{1,9}")) {
                throw usage(shown, "the path is the database index, a number: '" + path + "'");
            }
            db = Integer.parseInt(n);
        }
        String user = null;
        String password = null;
        String info = uri.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            String u = colon < 0 ? "" : decode(info.substring(0, colon), shown);
            String p = decode(colon < 0 ? info : info.substring(colon + 1), shown);
            user = u.isEmpty() ? null : u;
            password = p.isEmpty() ? null : p;
            if (user != null && password == null) {
                throw usage(shown, "user " + user + " has no password (the form is user:password@)");
            }
        }
        return new RedisAddress(scheme.equals(CacheSpec.REDISS), host, port, user, password, db);
    }

    private static String decode(String s, String shown) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw usage(shown, "a malformed %-escape in its user or password");
        }
    }

    private static KbException usage(String shown, String why) {
        return new KbException(KbException.Kind.USAGE, "cache '" + shown + "': " + why);
    }

    /** {@code host:port} as messages name the server ({@code [::1]:6379} for IPv6). */
    String server() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + (user == null ? "" : user + "@") + server() + "/" + db;
    }
}
