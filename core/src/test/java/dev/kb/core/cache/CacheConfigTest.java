package dev.kb.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which caches a run uses: flags over KB_CACHE over the KB's file over the user's; settings; refusals. */
class CacheConfigTest {
    @TempDir
    Path tmp;

    Path kbRoot;
    Path userFile;
    Map<String, String> env;

    @BeforeEach
    void layout() throws Exception {
        kbRoot = Files.createDirectories(tmp.resolve("kb/.kb")).getParent();
        Files.createDirectories(tmp.resolve("xdg-config/kb"));
        userFile = tmp.resolve("xdg-config/kb/cache.properties");
        env = Map.of("HOME", tmp.resolve("home").toString(), "XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
    }

    List<String> ids(CachePlan p) {
        return p.caches().stream().map(SourceCache::id).toList();
    }

    CachePlan resolve(List<String> flags, Map<String, String> env) {
        return CacheConfig.resolve(flags, null, env, tmp, kbRoot);
    }

    static Map<String, String> with(Map<String, String> env, String k, String v) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>(env);
        m.put(k, v);
        return m;
    }

    @Test
    void nothingConfiguredIsNoPlanAtAll() {
        assertNull(resolve(List.of(), env));
        assertNull(resolve(List.of("none"), env));
        assertNull(resolve(List.of(), with(env, "KB_CACHE", " none ")));
    }

    @Test
    void aDirCacheInTheKbsOwnFoldersIsRefusedBeforeAnythingIsCreated() throws Exception {
        Files.createDirectories(kbRoot.resolve("raw"));
        Files.createDirectories(kbRoot.resolve("wiki/sources"));
        Files.createSymbolicLink(tmp.resolve("into-raw"), kbRoot.resolve("raw"));
        for (String spec : List.of("dir:kb/raw", "dir:kb/wiki/sources", "dir:kb/wiki/sources/new/deeper",
                "dir:" + kbRoot.resolve(".kb/staging/c"), "dir:kb/./raw/../wiki", "dir:into-raw/c")) {
            KbException e = assertThrows(KbException.class, () -> resolve(List.of(spec), env), spec);
            assertEquals(KbException.Kind.USAGE, e.kind(), spec);
            assertTrue(e.getMessage().startsWith("cache '" + spec + "' is inside the knowledge base's "), e.getMessage());
        }
        assertTrue(assertThrows(KbException.class, () -> resolve(List.of("dir:into-raw/c"), env)).getMessage()
                .contains("knowledge base's raw/ (" + kbRoot.resolve("raw")), "the link is followed");
        // a raw/ that is a link to a folder elsewhere: that folder is the KB's raw/ too
        Path elsewhere = Files.createDirectories(tmp.resolve("disk2/raw"));
        Path linked = Files.createDirectories(tmp.resolve("kb2/.kb")).getParent();
        Files.createSymbolicLink(linked.resolve("raw"), elsewhere);
        for (String spec : List.of("dir:kb2/raw/c", "dir:" + elsewhere.resolve("c"))) {
            KbException e = assertThrows(KbException.class,
                    () -> CacheConfig.resolve(List.of(spec), null, env, tmp, linked), spec);
            assertTrue(e.getMessage().contains("is inside the knowledge base's raw/"), e.getMessage());
        }
        // beside the KB, in its root, and elsewhere in .kb/ (a KB's own cache) are fine
        for (String spec : List.of("dir:cache", "dir:kb/cache", "dir:kb/.kb/cache", "dir:kb/rawish")) {
            assertEquals(List.of(spec), ids(resolve(List.of(spec), env)), spec);
        }
        // a SPEC from the KB's file is refused naming the file
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "cache = dir:../wiki\n");
        KbException e = assertThrows(KbException.class, () -> resolve(List.of(), env));
        assertTrue(e.getMessage().startsWith(kbRoot.resolve(".kb/cache.properties") + ": cache 'dir:../wiki'"),
                e.getMessage());
    }

    @Test
    void theFirstSourceThatNamesCachesDecides() throws Exception {
        Files.writeString(userFile, "cache = dir:user\n");
        assertEquals(List.of("dir:user"), ids(resolve(List.of(), env)));
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "cache = dir:kb, dir:kb2\n");
        assertEquals(List.of("dir:kb", "dir:kb2"), ids(resolve(List.of(), env)));
        assertEquals(List.of("dir:env", "dir"), ids(resolve(List.of(), with(env, "KB_CACHE", "dir:env,,dir"))));
        assertEquals(List.of("dir:flag"), ids(resolve(List.of("dir:flag"), with(env, "KB_CACHE", "dir:env"))));
        // an explicit none beats the files
        assertNull(resolve(List.of("none"), env));
    }

    @Test
    void aRelativePathInAFileIsRelativeToItsFolder() throws Exception {
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "cache = dir:../shared-cache\n");
        CachePlan p = resolve(List.of(), env);
        SourceCache c = p.caches().get(0);
        c.initialize(p.services());
        assertEquals(kbRoot.resolve("shared-cache"), ((DirCache) c).directory());
    }

    @Test
    void settingsComeFromBothFilesTheKbsWinningAndTheFlagLast() throws Exception {
        Files.writeString(userFile, "deadline = 1s\nmax-age = 5m\ndir.max-size = 1MB\nredis.ttl = 7d\n");
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "deadline = 2s\n");
        CachePlan p = resolve(List.of("dir"), env);
        assertEquals(Duration.ofSeconds(2), p.services().options().deadline());
        assertEquals(Duration.ofMinutes(5), p.services().options().maxAge());
        assertEquals(1L << 20, p.services().options().dirMaxBytes());
        assertEquals("7d", p.services().setting("redis.ttl").orElseThrow());
        CachePlan f = CacheConfig.resolve(List.of("dir"), Duration.ofHours(1), env, tmp, kbRoot);
        assertEquals(Duration.ofHours(1), f.services().options().maxAge());
    }

    @Test
    void badSpecsAndSettingsAreUsageErrorsNamingWhere() throws Exception {
        KbException e = assertThrows(KbException.class, () -> resolve(List.of("ftp://x"), env));
        assertEquals(KbException.Kind.USAGE, e.kind());
        e = assertThrows(KbException.class, () -> resolve(List.of("none", "dir"), env));
        assertTrue(e.getMessage().contains("'none' cannot be combined"), e.getMessage());
        // served since the Redis provider: a malformed one is the usage error, its password not shown
        e = assertThrows(KbException.class, () -> resolve(List.of("rediss://u:pw@h:99999"), env));
        assertTrue(e.getMessage().contains("not a TCP port") && !e.getMessage().contains("pw"), e.getMessage());
        e = assertThrows(KbException.class, () -> resolve(List.of("dir:"), env));
        assertEquals(KbException.Kind.USAGE, e.kind());
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "cache = dir\nmax-age = forever\n");
        e = assertThrows(KbException.class, () -> resolve(List.of(), env));
        assertTrue(e.getMessage().startsWith(kbRoot.resolve(".kb/cache.properties") + ": max-age: "), e.getMessage());
        Files.writeString(kbRoot.resolve(".kb/cache.properties"), "cache = gopher://other\n");
        e = assertThrows(KbException.class, () -> resolve(List.of(), env));
        assertTrue(e.getMessage().startsWith(kbRoot.resolve(".kb/cache.properties") + ": "), e.getMessage());
    }

    @Test
    void maintenanceWithoutConfigurationMeansTheDefaultDirCache() {
        assertEquals(List.of("dir"), ids(CacheConfig.resolveForMaintenance(List.of(), env, tmp, null)));
        assertEquals(List.of(), ids(CacheConfig.resolveForMaintenance(List.of("none"), env, tmp, null)));
    }
}
