package dev.kb.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kb.core.fs.CacheDirectory;
import dev.kb.core.fs.Hashing;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The cached native library is loaded only when it is byte for byte the jar's: a truncated copy
 * crashed the JVM (SIGBUS) on every command, and one planted by someone else would run their code.
 */
class SqliteNativeTest {
    @TempDir
    Path tmp;

    String name;
    String resource;
    byte[] original;
    long uid;
    Path dir;
    Path lib;

    @BeforeEach
    void theJarsLibrary() throws Exception {
        assumeTrue(CacheDirectory.posix(), "no POSIX owners and modes here");
        name = LibraryLoaderUtil.getNativeLibName();
        resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assumeTrue(in != null, "no bundled SQLite library for this platform");
            original = in.readAllBytes();
        }
        uid = CacheDirectory.currentUid();
        dir = tmp.resolve("cache").resolve(SqliteNative.folderName());
        lib = dir.resolve(name);
    }

    private boolean prepare() throws Exception {
        return SqliteNative.prepare(dir, name, resource, uid);
    }

    private Object inode() throws Exception {
        return Files.readAttributes(lib, BasicFileAttributes.class).fileKey();
    }

    private void assertIsTheJarsLibrary() throws Exception {
        assertEquals(original.length, Files.size(lib));
        assertEquals(Hashing.sha256Hex(original), Hashing.sha256Hex(lib));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(name, name + ".sha256"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the library and its stamp, no temporary left over");
        }
    }

    @Test
    void unpackedOnceIntoAPrivateFolderThenReused() throws Exception {
        assertTrue(prepare());
        assertIsTheJarsLibrary();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Object inode = inode();
        byte[] stamp = Files.readAllBytes(dir.resolve(name + ".sha256"));
        assertTrue(prepare());
        assertEquals(inode, inode(), "unpacked again");
        assertTrue(Arrays.equals(stamp, Files.readAllBytes(dir.resolve(name + ".sha256"))), "stamp rewritten");
    }

    /** A copy cut short by a full disk or a crash of an older kb: replaced by a new file, never loaded. */
    @Test
    void aTruncatedCopyIsReplaced() throws Exception {
        assertTrue(prepare());
        Files.write(lib, Arrays.copyOf(original, 64 * 1024));
        assertTrue(prepare());
        assertIsTheJarsLibrary();
    }

    /** Same size, same first bytes, other code: only the hash tells. */
    @Test
    void aCopyWithOtherBytesOfTheSameSizeIsReplaced() throws Exception {
        assertTrue(prepare());
        Object inode = inode();
        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x13, 0x37}), original.length / 2);
        }
        assertEquals(inode, inode(), "written in place, as an intruder would");
        assertTrue(prepare());
        assertNotEquals(inode, inode(), "replaced by a new file, not rewritten in place");
        assertIsTheJarsLibrary();
    }

    /** Planted before kb ever ran, with no stamp: checked against the jar, not trusted. */
    @Test
    void aPlantedCopyWithoutAStampIsReplaced() throws Exception {
        Files.createDirectories(dir, CacheDirectory.PRIVATE);
        byte[] planted = original.clone();
        planted[planted.length - 1] ^= 1;
        Files.write(lib, planted);
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwx------"));
        assertTrue(prepare());
        assertIsTheJarsLibrary();
    }

    @Test
    void aCopyOthersCanWriteIsReplaced() throws Exception {
        assertTrue(prepare());
        Object inode = inode();
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(prepare());
        assertNotEquals(inode, inode());
        assertIsTheJarsLibrary();
    }

    @Test
    void aDamagedStampIsNoReasonToTrustTheCopy() throws Exception {
        assertTrue(prepare());
        Files.writeString(dir.resolve(name + ".sha256"), "sha256=nonsense\n");
        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x13}), 100);
        }
        assertTrue(prepare());
        assertIsTheJarsLibrary();
    }

    /** A folder others can write is not used at all: sqlite-jdbc unpacks its own copy instead. */
    @Test
    void aFolderOthersCanWriteIsNotUsed() throws Exception {
        assertTrue(prepare());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(prepare());
    }

    /** Another jar (a new kb) is checked against once; the same library in it keeps the copy. */
    @Test
    void aStampOfAnotherJarIsCheckedAgainstThisOne() throws Exception {
        assertTrue(prepare());
        Object inode = inode();
        Path stamp = dir.resolve(name + ".sha256");
        Files.writeString(stamp, Files.readString(stamp).replaceFirst("(?m)^jar=.*$", "jar=0.0.1|elsewhere"));
        assertTrue(prepare());
        assertEquals(inode, inode(), "the same library was unpacked again");
        assertFalse(Files.readString(stamp).contains("elsewhere"), "the stamp names this jar now");
        assertIsTheJarsLibrary();
    }
}
