package dev.kb.core.cache;

import dev.kb.core.KbException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Which caches a run uses, and with what settings. The first of these that names any cache
 * decides which (they are not merged):
 * <ol>
 * <li>{@code --cache SPEC}, repeatable, in the order given;</li>
 * <li>{@code KB_CACHE}: SPECs separated by commas;</li>
 * <li>the KB's {@code .kb/cache.properties}, key {@code cache};</li>
 * <li>the user's {@code $XDG_CONFIG_HOME/kb/cache.properties} (default {@code ~/.config/kb}).</li>
 * </ol>
 * Settings ({@code deadline}, {@code dir.max-size}, {@code max-age}, and those of providers such
 * as {@code redis.ttl}) come from both files, the KB's overriding the user's; {@code --cache-max-age}
 * overrides {@code max-age}. The files are Java properties files ({@link Properties#load}, UTF-8),
 * and a relative {@code dir:}/{@code kb:} PATH in one is relative to its directory.
 *
 * <p>This class is the trivial check the start of every {@code add}/{@code import} makes: with no
 * flag, no {@code KB_CACHE} and neither file, {@link #resolve} returns null having loaded nothing
 * else of this package, so a run without caches pays two {@code stat}s for them.
 */
public final class CacheConfig {
    /** The file name, in {@code .kb/} and in {@code $XDG_CONFIG_HOME/kb/}. */
    public static final String FILE = "cache.properties";
    public static final String ENV = "KB_CACHE";

    private CacheConfig() {
    }

    /**
     * The caches of a run, created (not yet initialised), or null when none is configured or all
     * are {@code none}.
     *
     * @param flags       the {@code --cache} values, in order (empty when not given)
     * @param maxAgeFlag  {@code --cache-max-age}, or null when not given
     * @param kbRoot      the KB's root, or null when there is none (its file is then not read)
     * @throws KbException of kind USAGE for a bad SPEC, a SPEC this build does not serve, or a bad
     *                     or unreadable config file (naming it and the key)
     */
    public static CachePlan resolve(List<String> flags, Duration maxAgeFlag, Map<String, String> env, Path cwd,
                                    Path kbRoot) {
        Path kbFile = kbRoot == null ? null : kbRoot.resolve(".kb").resolve(FILE);
        Path userFile = userFile(env);
        String fromEnv = env.get(ENV);
        boolean anyFile = kbFile != null && Files.exists(kbFile) || userFile != null && Files.exists(userFile);
        if (flags.isEmpty() && (fromEnv == null || fromEnv.isBlank()) && !anyFile) {
            return null; // the trivial check: nothing else of the cache machinery is loaded
        }
        return resolveConfigured(flags, maxAgeFlag, env, cwd, kbRoot, userFile, false);
    }

    /**
     * As {@link #resolve}, for {@code kb cache}: never null; with nothing configured, the default
     * {@code dir} cache (the one {@code --cache dir} uses).
     */
    public static CachePlan resolveForMaintenance(List<String> specs, Map<String, String> env, Path cwd, Path kbRoot) {
        return resolveConfigured(specs, null, env, cwd, kbRoot, userFile(env), true);
    }

    private static CachePlan resolveConfigured(List<String> flags, Duration maxAgeFlag, Map<String, String> env,
                                               Path cwd, Path kbRoot, Path userFile, boolean defaultDir) {
        Path kbFile = kbRoot == null ? null : kbRoot.resolve(".kb").resolve(FILE);
        Properties kb = load(kbFile);
        Properties user = load(userFile);
        List<String> texts = new ArrayList<>();
        Path base = cwd;
        String origin;
        String fromEnv = env.get(ENV);
        if (!flags.isEmpty()) {
            texts.addAll(flags);
            origin = "--cache";
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            texts.addAll(split(fromEnv));
            origin = ENV;
        } else if (kb != null && kb.getProperty("cache") != null) {
            texts.addAll(split(kb.getProperty("cache")));
            base = kbFile.getParent();
            origin = kbFile.toString();
        } else if (user != null && user.getProperty("cache") != null) {
            texts.addAll(split(user.getProperty("cache")));
            base = userFile.getParent();
            origin = userFile.toString();
        } else {
            origin = null;
        }
        if (texts.isEmpty() && defaultDir) {
            texts.add(CacheSpec.DIR);
        }
        Map<String, String> settings = new HashMap<>();
        Map<String, Path> where = new HashMap<>();
        for (Map.Entry<Path, Properties> f : sources(userFile, user, kbFile, kb)) {
            for (String k : f.getValue().stringPropertyNames()) {
                settings.put(k, f.getValue().getProperty(k).strip());
                where.put(k, f.getKey());
            }
        }
        CacheOptions options = CacheOptions.defaults();
        String deadline = settings.get("deadline");
        if (deadline != null) {
            Duration d = setting(where, "deadline", deadline, dev.kb.core.text.Durations::parse);
            if (d.isZero()) {
                throw new KbException(KbException.Kind.USAGE, where.get("deadline") + ": deadline: '" + deadline
                        + "' must be more than zero");
            }
            options = options.withDeadline(d);
        }
        String maxSize = settings.get("dir.max-size");
        if (maxSize != null) {
            options = options.withDirMaxBytes(setting(where, "dir.max-size", maxSize, dev.kb.core.text.Sizes::parse));
        }
        String maxAge = settings.get("max-age");
        if (maxAge != null) {
            options = options.withMaxAge(setting(where, "max-age", maxAge, dev.kb.core.text.Durations::parse));
        }
        if (maxAgeFlag != null) {
            options = options.withMaxAge(maxAgeFlag);
        }
        String kbCloud = settings.get("kb.cloud"); // the kb: provider's (KbCache.CLOUD_SETTING), not loaded here
        if (kbCloud != null) {
            setting(where, "kb.cloud", kbCloud, v -> {
                if (!v.equalsIgnoreCase("miss") && !v.equalsIgnoreCase("trust")) {
                    throw new IllegalArgumentException("'" + v + "' is not 'miss' (the default) or 'trust'");
                }
                return v;
            });
        }
        List<CacheSpec> specs = new ArrayList<>();
        for (String t : texts) {
            try {
                specs.add(CacheSpec.parse(t, base));
            } catch (KbException e) {
                throw origin == null || origin.startsWith("--") ? e
                        : new KbException(KbException.Kind.USAGE, origin + ": " + e.getMessage());
            }
        }
        for (CacheSpec s : specs) {
            String inside = kbRoot == null ? null : insideTheKb(s, env, kbRoot);
            if (inside != null) {
                throw new KbException(KbException.Kind.USAGE, (origin == null || origin.startsWith("--") ? ""
                        : origin + ": ") + "cache '" + s.shown() + "' is inside the knowledge base's " + inside + " ("
                        + kbRoot.resolve(inside) + "), which kb keeps for itself; choose a folder outside it");
            }
        }
        boolean none = specs.stream().anyMatch(s -> s.scheme().equals(CacheSpec.NONE));
        if (none && specs.size() > 1) {
            throw new KbException(KbException.Kind.USAGE, (origin == null ? "" : origin + ": ")
                    + "cache 'none' cannot be combined with other caches");
        }
        if (none || specs.isEmpty()) {
            return defaultDir ? new CachePlan(List.of(), services(env, options, settings), origin) : null;
        }
        List<SourceCache> caches = new ArrayList<>();
        for (CacheSpec s : specs) {
            try {
                caches.add(CacheProviders.create(s)); // a scheme not served yet fails here, before any work
            } catch (KbException e) {
                throw origin == null || origin.startsWith("--") ? e
                        : new KbException(KbException.Kind.USAGE, origin + ": " + e.getMessage());
            }
        }
        CacheServices services = services(env, options, settings);
        for (SourceCache c : caches) {
            try {
                c.checkSettings(services);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage() == null ? "" : e.getMessage();
                String key = m.indexOf(':') > 0 ? m.substring(0, m.indexOf(':')) : "";
                throw new KbException(KbException.Kind.USAGE, (where.containsKey(key) ? where.get(key) + ": " : "") + m);
            }
        }
        return new CachePlan(caches, services, origin);
    }

    /** The folders of a KB that only kb writes in, relative to its root. */
    static final List<String> KBS_OWN = List.of(dev.kb.core.kb.KnowledgeBase.RAW, "wiki",
            dev.kb.core.kb.KnowledgeBase.META_DIR + "/journal", dev.kb.core.kb.KnowledgeBase.META_DIR + "/staging",
            dev.kb.core.kb.KnowledgeBase.META_DIR + "/quarantine", dev.kb.core.kb.KnowledgeBase.META_DIR + "/progress");

    /**
     * The folder of the KB ({@link #KBS_OWN}) that a {@code dir:PATH} cache would live in, or
     * null. A cache in {@code raw/} or {@code wiki/} filled them with files no row owns, and
     * {@code kb recover} then reported every one of them as damage; one under {@code .kb/staging/}
     * would be swept away as an orphan. Elsewhere in {@code .kb/} (a KB's own cache, named in
     * its {@code cache.properties}) is fine. Both sides are compared as real paths, as far as
     * they exist: a link into the KB, and a {@code raw/} that is a link to another disk, are
     * caught too.
     */
    static String insideTheKb(CacheSpec spec, Map<String, String> env, Path kbRoot) {
        if (!spec.scheme().equals(CacheSpec.DIR) || spec.rest().isEmpty()) {
            return null; // a bare 'dir' lives in kb's own cache directory
        }
        Path dir = realAsFarAsItExists(spec.path(env));
        Path root = kbRoot.toAbsolutePath().normalize();
        for (String folder : KBS_OWN) {
            if (dir.startsWith(realAsFarAsItExists(root.resolve(folder)))) {
                return folder + "/";
            }
        }
        return null;
    }

    /** {@code p} with its longest existing prefix replaced by that prefix's real path. */
    private static Path realAsFarAsItExists(Path p) {
        Path rest = p.getFileSystem().getPath("");
        for (Path at = p; at != null; at = at.getParent()) {
            try {
                return at.toRealPath().resolve(rest);
            } catch (java.io.IOException | SecurityException e) {
                Path name = at.getFileName();
                rest = name == null ? rest : name.resolve(rest);
            }
        }
        return p;
    }

    /** {@code value} of {@code key} parsed, or a usage error naming the file and the key. */
    private static <T> T setting(Map<String, Path> where, String key, String value,
                                 java.util.function.Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new KbException(KbException.Kind.USAGE, where.get(key) + ": " + key + ": " + e.getMessage());
        }
    }

    private static CacheServices services(Map<String, String> env, CacheOptions options, Map<String, String> settings) {
        return new CacheServices(env, options, settings, java.time.Clock.systemUTC(), null);
    }

    private static List<Map.Entry<Path, Properties>> sources(Path userFile, Properties user, Path kbFile, Properties kb) {
        List<Map.Entry<Path, Properties>> out = new ArrayList<>();
        if (user != null) {
            out.add(Map.entry(userFile, user));
        }
        if (kb != null) {
            out.add(Map.entry(kbFile, kb)); // after the user's: the KB's settings win
        }
        return out;
    }

    /** SPECs separated by commas, blanks ignored (a PATH holding a comma is given with {@code --cache}). */
    static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** {@code $XDG_CONFIG_HOME/kb/cache.properties} (an absolute XDG_CONFIG_HOME only), else {@code ~/.config/kb/…}. */
    static Path userFile(Map<String, String> env) {
        try {
            String xdg = env.get("XDG_CONFIG_HOME");
            if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
                return Path.of(xdg, "kb", FILE);
            }
            String home = env.get("HOME");
            if (home != null && !home.isBlank() && Path.of(home).isAbsolute()) {
                return Path.of(home, ".config", "kb", FILE);
            }
        } catch (java.nio.file.InvalidPathException e) {
            // not a path in this locale: no user file
        }
        return null;
    }

    private static Properties load(Path file) {
        if (file == null) {
            return null;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(r);
            return p;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            throw new KbException(KbException.Kind.USAGE, "cannot read " + file + ": "
                    + (e instanceof IOException io ? KbException.reason(io) : e.getMessage()));
        }
    }
}
