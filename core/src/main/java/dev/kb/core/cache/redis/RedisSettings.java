package dev.kb.core.cache.redis;

import dev.kb.core.cache.CacheServices;
import dev.kb.core.text.Durations;
import dev.kb.core.text.Sizes;
import java.time.Duration;
import java.util.Locale;

/**
 * The settings of the Redis caches, from {@code cache.properties} (README, "Source caches"):
 * <ul>
 * <li>{@code redis.ttl}: how long an entry and its blobs live after they were last stored or
 *     found ({@code 30d} by default; {@code 12h}, {@code 90m}, ...; {@code 0}: no expiry, the
 *     server's {@code maxmemory} policy alone evicts);</li>
 * <li>{@code redis.max-entry}: the most bytes one entry may hold, its blobs included ({@code 64MB}
 *     by default): a bigger one is not stored (the document is added all the same);</li>
 * <li>{@code redis.prefix}: the namespace every key starts with ({@code kb:} by default), one per
 *     team sharing a server ({@code team-a} and {@code team-a:} both give keys {@code team-a:e:…});
 *     {@code kb cache clear} removes only its own.</li>
 * </ul>
 */
record RedisSettings(Duration ttl, long maxEntry, String prefix) {
    static final String TTL = "redis.ttl";
    static final String MAX_ENTRY = "redis.max-entry";
    static final String PREFIX = "redis.prefix";

    static final Duration DEFAULT_TTL = Duration.ofDays(30);
    static final long DEFAULT_MAX_ENTRY = 64L << 20;
    static final String DEFAULT_PREFIX = "kb:";

    /**
     * The settings {@code services} hold, defaults for those it does not.
     *
     * @throws IllegalArgumentException whose message starts with the key and a colon, for a bad value
     */
    static RedisSettings of(CacheServices services) {
        Duration ttl = services.setting(TTL).map(v -> ttl(v)).orElse(DEFAULT_TTL);
        long maxEntry = DEFAULT_MAX_ENTRY;
        String m = services.setting(MAX_ENTRY).orElse(null);
        if (m != null) {
            try {
                maxEntry = Sizes.parse(m);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MAX_ENTRY + ": " + e.getMessage(), e);
            }
        }
        String prefix = services.setting(PREFIX).map(RedisSettings::prefix).orElse(DEFAULT_PREFIX);
        return new RedisSettings(ttl, maxEntry, prefix);
    }

    /** {@link Durations#parse}'s forms, and days ({@code 30d}): a cache's lifetime is counted in them. */
    private static Duration ttl(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.matches("[0-9]{1,5}\\s*d")) {
                Duration d = Duration.ofDays(Long.parseLong(v.replaceAll("[^0-9]", "")));
                if (d.compareTo(Durations.MAX) > 0) {
                    throw new IllegalArgumentException("'" + value + "' is too large a duration (at most "
                            + Durations.format(Durations.MAX) + ")");
                }
                return d;
            }
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TTL + ": " + e.getMessage() + " (days too: 30d)", e);
        }
    }

    private static String prefix(String value) {
        String p = value.strip();
        if (p.isEmpty() || p.length() > 200 || !p.codePoints().allMatch(c -> c > ' ' && c != 0x7f)) {
            throw new IllegalArgumentException(PREFIX + ": '" + value
                    + "' is not a key prefix (1 to 200 characters, no spaces or control characters)");
        }
        return p.endsWith(":") ? p : p + ":"; // team-a: keys team-a:e:…, not team-ae:…
    }

    /** The TTL in milliseconds for {@code PX}, or 0 for none. */
    long ttlMillis() {
        return ttl.isZero() ? 0 : Math.max(1, ttl.toMillis());
    }
}
