package dev.kb.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.UUID;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Left alone, sqlite-jdbc unpacks its 1 MB native library into a new file on every start and
 * asks the OS what it is (it runs {@code uname}): about 80 ms of every {@code kb status}. This
 * unpacks it once per sqlite-jdbc version into the cache directory and points sqlite-jdbc at
 * that copy. The copy appears by atomic rename, so it is whole or absent; should it still fail
 * to load, sqlite-jdbc falls back to unpacking its own.
 */
public final class SqliteNative {
    private SqliteNative() {
    }

    /** Sets {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}, unless already set; never throws. */
    public static void useCachedCopy(Path cacheDir) {
        if (System.getProperty("org.sqlite.lib.path") != null || System.getProperty("org.sqlite.lib.name") != null) {
            return; // the user chose a library
        }
        try {
            String name = LibraryLoaderUtil.getNativeLibName();
            Path dir = cacheDir.resolve(folderName());
            Path lib = dir.resolve(name);
            if (!looksLikeLibrary(lib) && !unpack(dir, lib)) {
                return;
            }
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException | RuntimeException | LinkageError e) {
            // sqlite-jdbc unpacks its library as usual
        }
    }

    /**
     * A cheap check that the cached copy is a shared library (ELF, Mach-O or PE by its first
     * bytes), so that a damaged copy is replaced rather than failing to load on every start.
     */
    static boolean looksLikeLibrary(Path lib) {
        if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(lib)) {
            if (in.readNBytes(head, 0, 4) < 4) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        return magic == 0x7f454c46 // ELF
                || magic == 0xfeedface || magic == 0xfeedfacf || magic == 0xcefaedfe || magic == 0xcffaedfe // Mach-O
                || magic == 0xcafebabe // universal Mach-O
                || (head[0] == 'M' && head[1] == 'Z'); // PE
    }

    /** One folder per sqlite-jdbc version and platform, named without asking the OS anything. */
    static String folderName() {
        String s = "sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + System.getProperty("os.name") + "-"
                + System.getProperty("os.arch");
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    }

    private static boolean unpack(Path dir, Path lib) throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + lib.getFileName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return false; // no bundled library for this platform: sqlite-jdbc knows the fallbacks
            }
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + lib.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.copy(in, tmp);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return true;
        }
    }
}
