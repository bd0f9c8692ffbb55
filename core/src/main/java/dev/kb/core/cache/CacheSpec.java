package dev.kb.core.cache;

import dev.kb.core.KbException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * One cache as the user names it (the contract's SPEC): {@code none}, {@code dir},
 * {@code dir:PATH}, {@code redis://[user:password@]host:port[/db]}, {@code rediss://…},
 * {@code kb:PATH}.
 *
 * @param text   the SPEC as given, password included: for the provider only, never shown
 * @param scheme {@code none}, {@code dir}, {@code redis}, {@code rediss} or {@code kb}
 * @param rest   what follows the scheme: the path of {@code dir:}/{@code kb:} ("" for a bare
 *               {@code dir}), or the whole URL of {@code redis://}/{@code rediss://}
 * @param base   what a relative PATH is relative to: the working directory for {@code --cache}
 *               and {@code KB_CACHE}, the config file's directory for a SPEC written there
 */
public record CacheSpec(String text, String scheme, String rest, Path base) {
    public static final String NONE = "none";
    public static final String DIR = "dir";
    public static final String REDIS = "redis";
    public static final String REDISS = "rediss";
    public static final String KB = "kb";

    /** The forms, for a usage error. */
    static final String FORMS = "none, dir, dir:PATH, redis://HOST:PORT, rediss://HOST:PORT or kb:PATH";

    public CacheSpec {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(rest, "rest");
        Objects.requireNonNull(base, "base");
    }

    /**
     * Parses one SPEC.
     *
     * @throws KbException of kind USAGE naming the SPEC (its password removed) and the forms
     */
    public static CacheSpec parse(String text, Path base) {
        String s = text == null ? "" : text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals(NONE)) {
            return new CacheSpec(s, NONE, "", base);
        }
        if (lower.equals(DIR)) {
            return new CacheSpec(s, DIR, "", base);
        }
        if (lower.startsWith("dir:")) {
            return new CacheSpec(s, DIR, path(s, s.substring(4)), base);
        }
        if (lower.startsWith("kb:")) {
            return new CacheSpec(s, KB, path(s, s.substring(3)), base);
        }
        if (lower.startsWith("redis://")) {
            return new CacheSpec(s, REDIS, s, base);
        }
        if (lower.startsWith("rediss://")) {
            return new CacheSpec(s, REDISS, s, base);
        }
        throw new KbException(KbException.Kind.USAGE, "unknown cache '" + redact(s) + "': a cache is " + FORMS);
    }

    private static String path(String spec, String path) {
        if (path.isBlank()) {
            throw new KbException(KbException.Kind.USAGE, "cache '" + spec + "' names no path");
        }
        return path;
    }

    /**
     * The PATH of a {@code dir:} or {@code kb:} SPEC, absolute: a leading {@code ~/} is the home
     * directory ({@code HOME}), a relative one is relative to {@link #base}.
     */
    public Path path(java.util.Map<String, String> env) {
        try {
            String p = rest;
            if ((p.equals("~") || p.startsWith("~/")) && env.get("HOME") != null) {
                return Path.of(env.get("HOME") + p.substring(1)).toAbsolutePath().normalize();
            }
            return base.resolve(p).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new KbException(KbException.Kind.USAGE, "cache '" + shown() + "': not a path: " + e.getReason());
        }
    }

    /** The SPEC as it may be shown: without a password. */
    public String shown() {
        return redact(text);
    }

    /**
     * {@code spec} without the password of a URL's userinfo: {@code redis://user:pw@h} shows as
     * {@code redis://user@h}, and a lone {@code redis://pw@h} (Redis takes it as the password) as
     * {@code redis://h}. Anything not URL-shaped comes back as it is.
     */
    public static String redact(String spec) {
        if (spec == null) {
            return null;
        }
        int scheme = spec.indexOf("://");
        if (scheme < 0) {
            return spec;
        }
        int authority = scheme + 3;
        int end = authority;
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
            // a Redis URL's path is a database number: an '@' after a '/', '?' or '#' ends a
            // password that holds such a character unescaped, and all of it must go
            end = spec.length();
        } else {
            while (end < spec.length() && "/?#".indexOf(spec.charAt(end)) < 0) {
                end++;
            }
        }
        int at = spec.lastIndexOf('@', end - 1);
        if (at < authority) {
            return spec;
        }
        String userInfo = spec.substring(authority, at);
        int colon = userInfo.indexOf(':');
        String kept = colon > 0 ? userInfo.substring(0, colon) + "@" : "";
        return spec.substring(0, authority) + kept + spec.substring(at + 1);
    }

    @Override
    public String toString() {
        return shown();
    }
}
