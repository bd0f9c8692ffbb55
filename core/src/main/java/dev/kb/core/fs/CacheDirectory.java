package dev.kb.core.fs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * kb's cache directory: SQLite's native library is unpacked there once, and PDFBox keeps its font
 * cache there. kb loads code from it, so it must be a place nobody else can write; and it is the
 * one place outside a KB that kb writes to, so it must be an absolute path, never one that lands
 * in the working directory.
 *
 * <p>Where, in order (the first that exists or can be made, and is private, wins):
 * <ol>
 * <li>{@code $XDG_CACHE_HOME/kb}, if that variable holds an absolute path (the XDG spec says to
 *     ignore a relative one);</li>
 * <li>{@code $HOME/.cache/kb}, if {@code HOME} is absolute;</li>
 * <li>{@code <user.home>/.cache/kb}, the passwd entry's home, if absolute: Java says {@code ?}
 *     for a uid without one ({@code docker run --user 12345}), which once put the cache in
 *     {@code ./?/.cache/kb};</li>
 * <li>{@code <java.io.tmpdir>/kb-<uid>}, made private;</li>
 * <li>a fresh private temporary directory, for this run only ({@link Choice#temporary()}: the
 *     caller removes it at exit).</li>
 * </ol>
 *
 * <p>Private means: owned by this user and writable by nobody else; and every directory above it
 * owned by this user or root, and writable by others only with the sticky bit (as {@code /tmp}),
 * so nobody else can rename it away and put their own in its place. A directory that fails this
 * is not used, not repaired: what someone else could write there while it was open cannot be
 * trusted. Without POSIX permissions (Windows) there is nothing to check here.
 */
public final class CacheDirectory {
    /** rwx------: what kb creates; group and others have no business in it. */
    public static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    /** The directory, and whether it is for this run only (to be removed at exit). */
    public record Choice(Path dir, boolean temporary) {
    }

    private CacheDirectory() {
    }

    /**
     * Chooses, creates and checks the cache directory for this process; empty only when not even
     * a private temporary directory can be made.
     */
    public static Optional<Choice> choose(Map<String, String> env) {
        String tmp = System.getProperty("java.io.tmpdir");
        return choose(env, System.getProperty("user.home"), tmp == null ? null : Path.of(tmp), currentUid());
    }

    static Optional<Choice> choose(Map<String, String> env, String userHome, Path tmpDir, long uid) {
        for (Path candidate : candidates(env, userHome, tmpDir, uid)) {
            if (ensure(candidate, uid)) {
                return Optional.of(new Choice(candidate, false));
            }
        }
        if (tmpDir != null && tmpDir.isAbsolute()) {
            try {
                Path fresh = posix() ? Files.createTempDirectory(tmpDir, "kb-" + uid + "-", PRIVATE)
                        : Files.createTempDirectory(tmpDir, "kb-");
                if (isPrivate(fresh, uid)) {
                    return Optional.of(new Choice(fresh, true));
                }
            } catch (IOException | RuntimeException e) {
                // nowhere to go: no cache
            }
        }
        return Optional.empty();
    }

    /** The fixed places, in order; only absolute paths. */
    static List<Path> candidates(Map<String, String> env, String userHome, Path tmpDir, long uid) {
        List<Path> out = new ArrayList<>();
        absolute(env.get("XDG_CACHE_HOME")).ifPresent(p -> out.add(p.resolve("kb")));
        absolute(env.get("HOME")).ifPresent(p -> out.add(p.resolve(".cache").resolve("kb")));
        absolute(userHome).ifPresent(p -> out.add(p.resolve(".cache").resolve("kb")));
        if (tmpDir != null && tmpDir.isAbsolute()) {
            out.add(tmpDir.resolve("kb-" + uid));
        }
        return out.stream().distinct().toList();
    }

    private static Optional<Path> absolute(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            Path p = Path.of(value);
            return p.isAbsolute() ? Optional.of(p.normalize()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // not a path in this locale
        }
    }

    /** Creates {@code dir} (private, as the XDG spec asks of a new cache home) and checks it. */
    static boolean ensure(Path dir, long uid) {
        try {
            if (posix()) {
                Files.createDirectories(dir, PRIVATE);
            } else {
                Files.createDirectories(dir);
            }
            return isPrivate(dir, uid);
        } catch (IOException | RuntimeException e) {
            return false; // not writable here (HOME=/nonexistent, a read-only home)
        }
    }

    /**
     * Whether {@code dir} and the directories above it are safe to load code from (see the class
     * comment). Symbolic links are resolved first, and the real directories are checked.
     */
    public static boolean isPrivate(Path dir, long uid) {
        if (!posix()) {
            return Files.isDirectory(dir);
        }
        try {
            Path real = dir.toRealPath();
            if (!ownedAndClosed(real, uid)) {
                return false;
            }
            for (Path p = real.getParent(); p != null; p = p.getParent()) {
                int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (owner != uid && owner != 0 || (mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & STICKY) == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A real directory (or file) of {@code uid} that neither its group nor others may write. */
    public static boolean ownedAndClosed(Path p, long uid) throws IOException {
        if (!posix()) {
            return true;
        }
        Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        return ((Integer) a.get("uid")) == uid && (((Integer) a.get("mode")) & GROUP_OR_OTHER_WRITE) == 0;
    }

    /** Whether this file system has POSIX owners and modes (not Windows). */
    public static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    }

    /** This process's user id (-1 where there are none). */
    public static long currentUid() {
        if (!posix()) {
            return -1;
        }
        // Linux: the owner of /proc/self is this process's effective uid, for one stat (loading
        // UnixSystem's native library costs 10 ms of every start). Should it say root (a process
        // that is not dumpable), our own directories look foreign and kb falls back: never open.
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException | LinkageError e) {
            try {
                return new com.sun.security.auth.module.UnixSystem().getUid();
            } catch (LinkageError | RuntimeException again) {
                return -1; // nothing will look private: no cache
            }
        }
    }
}
