package dev.kb.core.registry;

import dev.kb.core.Version;
import dev.kb.core.fs.CacheDirectory;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.UniqueNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Left alone, sqlite-jdbc unpacks its 1 MB native library into a new file on every start and
 * asks the OS what it is (it runs {@code uname}): about 80 ms of every {@code kb status}. This
 * unpacks it once per sqlite-jdbc version into kb's cache directory and points sqlite-jdbc at
 * that copy, and only ever loads a copy that is byte for byte the library in the jar:
 *
 * <ul>
 * <li><b>Planted or damaged copies are not loaded.</b> A stamp next to the library holds the size
 *     and SHA-256 of the jar's library, taken while unpacking it. A copy whose size or hash differs
 *     (a truncated one crashed the JVM with SIGBUS on every command; one planted by someone else ran
 *     their code) is replaced. The stamp also records the copy's inode, size and ctime when it was
 *     last verified: ctime changes with every write, and nobody can set it back, so while those
 *     match the hash need not be read again (it would cost 10 ms of every start).</li>
 * <li><b>A new jar is checked against.</b> The stamp names the jar it was made from (kb version,
 *     path, size, mtime); for another jar the library in it is hashed again, once.</li>
 * <li><b>Nothing is ever written in place.</b> A copy is written to a new file, forced, and
 *     renamed over the old name, and the stamp is written atomically after it: a process that has
 *     the old copy mapped keeps an intact file, and a crash leaves the old copy or the new one.</li>
 * <li><b>Only in a private directory.</b> The cache directory is checked by
 *     {@link CacheDirectory}; the version folder, the copy and the stamp must be this user's and
 *     writable by nobody else, or they are not used.</li>
 * </ul>
 *
 * Whatever fails, sqlite-jdbc is left to unpack its own copy, as it does without kb.
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
            // asked only when the copy must be checked against the jar or made: sqlite-jdbc finds
            // its folder by running a child process (OSInfo's musl test), ~50 ms on every start
            Supplier<String> resource = () -> LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
            Path dir = cacheDir.resolve(folderName());
            if (prepare(dir, name, resource, CacheDirectory.currentUid())) {
                System.setProperty("org.sqlite.lib.path", dir.toString());
                System.setProperty("org.sqlite.lib.name", name);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // sqlite-jdbc unpacks its library as usual
        }
    }

    /** Leaves a verified copy of {@code resource} at {@code dir/name}; false when it cannot. */
    static boolean prepare(Path dir, String name, String resource, long uid) throws IOException {
        return prepare(dir, name, () -> resource, uid);
    }

    private static boolean prepare(Path dir, String name, Supplier<String> resource, long uid) throws IOException {
        if (CacheDirectory.posix()) {
            Files.createDirectories(dir, CacheDirectory.PRIVATE);
        } else {
            Files.createDirectories(dir);
        }
        if (!CacheDirectory.ownedAndClosed(dir, uid) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path lib = dir.resolve(name);
        Path stampFile = dir.resolve(name + ".sha256");
        String jar = jarIdentity();
        Stamp stamp = Stamp.read(stampFile, uid);
        boolean newJar = stamp != null && !stamp.jar().equals(jar);
        if (newJar) {
            stamp = digest(resource.get()).sameLibrary(stamp) ? stamp.withJar(jar) : null;
        }
        if (stamp != null && isCopyOf(lib, stamp, uid)) {
            String seen = identity(lib);
            if (newJar || !seen.equals(stamp.copy())) {
                FileOps.REAL.writeAtomically(stampFile, stamp.withCopy(seen).bytes());
            }
            return true;
        }
        Stamp fresh = unpack(resource.get(), lib, jar);
        if (fresh == null) {
            return false;
        }
        FileOps.REAL.writeAtomically(stampFile, fresh.bytes());
        return true;
    }

    /** Whether {@code lib} is this user's, closed to others, and the library the stamp describes. */
    private static boolean isCopyOf(Path lib, Stamp stamp, long uid) throws IOException {
        if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) || !CacheDirectory.ownedAndClosed(lib, uid)
                || Files.size(lib) != stamp.size()) {
            return false;
        }
        if (identity(lib).equals(stamp.copy())) {
            return true; // not written since it was verified
        }
        return Hashing.sha256Hex(lib).equals(stamp.sha256());
    }

    /**
     * Copies the jar's library to a new private file, hashing it on the way, forces it and renames
     * it over {@code lib}: the one way a copy appears.
     */
    private static Stamp unpack(String resource, Path lib, String jar) throws IOException {
        Path tmp = lib.resolveSibling("." + lib.getFileName() + "." + UniqueNames.next() + ".tmp");
        MessageDigest md = Hashing.sha256();
        long size = 0;
        try {
            try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return null; // no bundled library for this platform: sqlite-jdbc knows the fallbacks
                }
                FileChannel ch = CacheDirectory.posix()
                        ? FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        CacheDirectory.PRIVATE)
                        : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                try (ch; OutputStream out = Channels.newOutputStream(ch)) {
                    byte[] buf = new byte[64 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                        size += n;
                    }
                    ch.force(true);
                }
            }
            FileOps.REAL.move(tmp, lib);
            FileOps.REAL.fsyncDirectory(lib.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Stamp(jar, size, Hashing.hex(md.digest()), identity(lib));
    }

    private static Stamp digest(String resource) throws IOException {
        MessageDigest md = Hashing.sha256();
        long size = 0;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource);
            }
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                size += n;
            }
        }
        return new Stamp("", size, Hashing.hex(md.digest()), "");
    }

    /** Inode, size and ctime: any write to the file changes at least one of them. */
    private static String identity(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object ctime = CacheDirectory.posix() ? Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS)
                : a.lastModifiedTime();
        return a.fileKey() + "|" + a.size() + "|" + ctime;
    }

    /** The kb version and the jar the library comes from: another jar may hold another library. */
    private static String jarIdentity() {
        String where = "?";
        try {
            URL url = SQLiteJDBCLoader.class.getProtectionDomain().getCodeSource().getLocation();
            Path jar = Path.of(url.toURI());
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            where = jar + "|" + a.size() + "|" + a.lastModifiedTime().toMillis();
        } catch (Exception e) {
            // not from a file: the version alone names it
        }
        return Version.get() + "|" + folderName() + "|" + where;
    }

    /** One folder per sqlite-jdbc version and platform, named without asking the OS anything. */
    static String folderName() {
        String s = "sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + System.getProperty("os.name") + "-"
                + System.getProperty("os.arch");
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    }

    /**
     * What is known of the cached copy: the jar's library (size, SHA-256) and the copy as it was
     * when last verified. Kept as a small properties file, this user's and closed to others.
     */
    record Stamp(String jar, long size, String sha256, String copy) {
        static Stamp read(Path file, long uid) {
            try {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !CacheDirectory.ownedAndClosed(file, uid)
                        || Files.size(file) > 4096) {
                    return null;
                }
                Properties p = new Properties();
                try (java.io.Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(in);
                }
                Stamp s = new Stamp(p.getProperty("jar"), Long.parseLong(p.getProperty("size")),
                        p.getProperty("sha256"), p.getProperty("copy", ""));
                return s.jar() == null || s.sha256() == null || !s.sha256().matches("[0-9a-f]{64}") ? null : s;
            } catch (IOException | RuntimeException e) {
                return null; // unreadable or damaged: the copy is checked against the jar again
            }
        }

        boolean sameLibrary(Stamp other) {
            return size == other.size && Objects.equals(sha256, other.sha256);
        }

        Stamp withJar(String j) {
            return new Stamp(j, size, sha256, "");
        }

        Stamp withCopy(String c) {
            return new Stamp(jar, size, sha256, c);
        }

        byte[] bytes() {
            // Properties.store would add a date line and escape; these values need neither
            return ("# the library sqlite-jdbc loads from this folder: the jar's, verified by kb\n"
                    + "jar=" + jar.replace("\\", "\\\\") + "\nsize=" + size + "\nsha256=" + sha256 + "\ncopy="
                    + copy.replace("\\", "\\\\") + "\n").getBytes(StandardCharsets.UTF_8);
        }
    }
}
