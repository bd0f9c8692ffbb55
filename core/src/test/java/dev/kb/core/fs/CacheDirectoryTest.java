package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the cache goes: never a relative path, never a directory someone else can write. */
class CacheDirectoryTest {
    @TempDir
    Path tmp;

    long uid;
    Path sysTmp;

    @BeforeEach
    void posixOnly() throws Exception {
        assumeTrue(CacheDirectory.posix(), "no POSIX owners and modes here");
        uid = CacheDirectory.currentUid();
        sysTmp = Files.createDirectories(tmp.resolve("systmp"));
    }

    private static void mode(Path p, int mode) throws Exception {
        Files.setAttribute(p, "unix:mode", mode); // PosixFilePermissions has no sticky bit
    }

    @Test
    void theXdgHomeThenHomeThenThePasswdHomeThenTmp() {
        Map<String, String> env = Map.of("XDG_CACHE_HOME", "/x/cache", "HOME", "/h");
        assertEquals(List.of(Path.of("/x/cache/kb"), Path.of("/h/.cache/kb"), Path.of("/p/.cache/kb"),
                sysTmp.resolve("kb-" + uid)), CacheDirectory.candidates(env, "/p", sysTmp, uid));
    }

    /**
     * A relative XDG_CACHE_HOME (the XDG spec: ignore it), an empty HOME, and Java's "?" for a uid
     * without a passwd entry all once resolved against the working directory.
     */
    @Test
    void relativeOrEmptyPlacesAreNeverCandidates() {
        for (Map<String, String> env : List.of(Map.of("XDG_CACHE_HOME", "rel/cache", "HOME", ""),
                Map.of("XDG_CACHE_HOME", "", "HOME", "."), Map.<String, String>of(),
                Map.of("HOME", "   ", "XDG_CACHE_HOME", "./c"))) {
            assertEquals(List.of(sysTmp.resolve("kb-" + uid)), CacheDirectory.candidates(env, "?", sysTmp, uid),
                    env.toString());
        }
        assertEquals(List.of(), CacheDirectory.candidates(Map.of("HOME", "h"), "?", Path.of("tmp"), uid));
    }

    @Test
    void aNewCacheIsMadePrivate() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        CacheDirectory.Choice c = CacheDirectory.choose(Map.of("HOME", home.toString()), "?", sysTmp, uid).orElseThrow();
        assertEquals(home.resolve(".cache/kb"), c.dir());
        assertFalse(c.temporary());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.dir())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".cache"))));
    }

    @Test
    void aDirectoryOthersCanWriteIsPassedOver() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path open = Files.createDirectories(home.resolve(".cache/kb"));
        Path passwdHome = Files.createDirectories(tmp.resolve("pw"));
        Map<String, String> env = Map.of("HOME", home.toString());
        for (int bad : List.of(0777, 0770, 0702, 01777)) {
            mode(open, bad);
            assertFalse(CacheDirectory.isPrivate(open, uid), Integer.toOctalString(bad));
            assertEquals(passwdHome.resolve(".cache/kb"),
                    CacheDirectory.choose(env, passwdHome.toString(), sysTmp, uid).orElseThrow().dir(), Integer.toOctalString(bad));
        }
        mode(open, 0755); // others may read: only writing matters
        assertTrue(CacheDirectory.isPrivate(open, uid));
    }

    @Test
    void aDirectoryOfAnotherUserIsPassedOver() throws Exception {
        assumeTrue(uid == 0, "only root can give a directory away");
        Path theirs = Files.createDirectories(tmp.resolve("home/.cache/kb"));
        mode(theirs, 0700);
        Files.setAttribute(theirs, "unix:uid", 65534);
        assertFalse(CacheDirectory.isPrivate(theirs, uid));
        assertEquals(sysTmp.resolve("kb-" + uid),
                CacheDirectory.choose(Map.of("HOME", tmp.resolve("home").toString()), "?", sysTmp, uid).orElseThrow().dir());
    }

    /** Someone who can write a directory above it can rename the cache away and put theirs there. */
    @Test
    void anOpenDirectoryAboveItCountsUnlessSticky() throws Exception {
        Path above = Files.createDirectories(tmp.resolve("shared"));
        Path cache = Files.createDirectories(above.resolve("me/kb"));
        mode(cache, 0700);
        mode(above.resolve("me"), 0700);
        mode(above, 0777);
        assertFalse(CacheDirectory.isPrivate(cache, uid));
        mode(above, 01777); // as /tmp
        assertTrue(CacheDirectory.isPrivate(cache, uid));
    }

    @Test
    void aSymbolicLinkIsJudgedByWhereItLeads() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/kb"));
        mode(real, 0700);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertTrue(CacheDirectory.isPrivate(link, uid));
        mode(real, 0777);
        assertFalse(CacheDirectory.isPrivate(link, uid));
    }

    /** Every fixed place unusable: a fresh private directory for this run, which the caller removes. */
    @Test
    void withNoSafePlaceAFreshPrivateDirectoryForThisRun() throws Exception {
        Path squatted = Files.createDirectories(sysTmp.resolve("kb-" + uid));
        mode(squatted, 0777);
        CacheDirectory.Choice c = CacheDirectory.choose(Map.of(), "?", sysTmp, uid).orElseThrow();
        assertTrue(c.temporary());
        assertEquals(sysTmp, c.dir().getParent());
        assertTrue(c.dir().getFileName().toString().startsWith("kb-" + uid + "-"), c.dir().toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.dir())));
        assertTrue(CacheDirectory.choose(Map.of(), "?", Path.of("relative"), uid).isEmpty());
    }

    @Test
    void currentUidIsTheOwnerOfWhatThisProcessCreates() throws Exception {
        Path mine = Files.createFile(tmp.resolve("mine"));
        assertEquals(((Integer) Files.getAttribute(mine, "unix:uid")).longValue(), CacheDirectory.currentUid());
    }
}
