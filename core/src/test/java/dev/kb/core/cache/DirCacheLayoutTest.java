package dev.kb.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the dir provider promises beyond the contract: its place, privacy, size cap and eviction order. */
class DirCacheLayoutTest {
    @TempDir
    Path tmp;

    DirCache cache(String spec, long maxBytes) throws IOException {
        DirCache c = (DirCache) CacheProviders.create(CacheSpec.parse(spec, tmp));
        c.initialize(new CacheServices(Map.of(), CacheOptions.defaults().withDirMaxBytes(maxBytes), Map.of(),
                Clock.systemUTC(), tmp.resolve("xdg/kb")));
        return c;
    }

    CacheKey put(DirCache c, int i, int size) throws IOException {
        Path f = Files.write(tmp.resolve("f" + i), ("x" + i).repeat(size / 2).getBytes());
        CacheKey k = new CacheKey(CacheKey.Kind.URL, "https://example.org/" + i, "1");
        c.store(new CacheEntry(k, 0, Map.of(), List.of(new CacheEntry.Blob("raw", Hashing.sha256Hex(f), Files.size(f)))),
                Map.of("raw", f));
        return k;
    }

    @Test
    void theDefaultLivesInKbsCacheDirectoryAndIsPrivate() throws IOException {
        DirCache c = cache("dir", 1 << 30);
        assertEquals(tmp.resolve("xdg/kb/sources"), c.directory());
        put(c, 1, 100);
        try (Stream<Path> s = Files.walk(c.directory())) {
            for (Path d : s.filter(Files::isDirectory).toList()) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
            }
        }
    }

    @Test
    void aDirectoryOthersMayWriteIsRefused() throws IOException {
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> cache("dir:open", 1 << 30));
        assertTrue(e.getMessage().contains("not private"), e.getMessage());
    }

    @Test
    void aFileWhereTheFolderShouldBeIsNamedAsTheCause() throws IOException {
        Files.writeString(tmp.resolve("a.md"), "# a file, not a folder\n");
        IOException e = assertThrows(IOException.class, () -> cache("dir:a.md", 1 << 30));
        assertEquals(tmp.resolve("a.md") + " exists and is not a directory", e.getMessage());
    }

    @Test
    void overItsCapTheLeastRecentlyUsedGoFirst() throws Exception {
        long cap = 64 * 1024;
        DirCache c = cache("dir:capped", cap);
        List<CacheKey> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(put(c, i, 8 * 1024));
        }
        // ages by hand (mtime is the use time): 0 the oldest ... 5 the newest; then 0 is used again
        for (int i = 0; i < 6; i++) {
            age(c, keys.get(i), 1_000_000L * (10 - i));
        }
        assertTrue(c.lookup(keys.get(0)).isPresent());
        CacheEntry used = c.lookup(keys.get(0)).orElseThrow();
        assertTrue(c.readBlob(used.blobs().get(0), tmp.resolve("out")));
        for (int i = 6; i < 10; i++) {
            keys.add(put(c, i, 8 * 1024)); // 80 KiB in all: over the cap
        }
        assertTrue(c.stats().bytes() <= cap, c.stats().toString());
        assertTrue(c.lookup(keys.get(0)).isPresent(), "the entry used last was evicted");
        assertFalse(c.lookup(keys.get(1)).isPresent(), "the least recently used entry was kept");
        assertTrue(c.lookup(keys.get(9)).isPresent(), "the newest entry was evicted");
    }

    private static void age(DirCache c, CacheKey k, long millisAgo) throws Exception {
        FileTime t = FileTime.fromMillis(System.currentTimeMillis() - millisAgo);
        Path e = DirCacheTest.entryFile(c.directory(), k);
        Files.setLastModifiedTime(e, t);
        for (CacheEntry.Blob b : CacheEntry.decode(Files.readAllBytes(e)).blobs()) {
            Files.setLastModifiedTime(DirCacheTest.blobFile(c.directory(), b.sha256()), t);
        }
    }
}
