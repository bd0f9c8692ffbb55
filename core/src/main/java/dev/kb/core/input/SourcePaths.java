package dev.kb.core.input;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The identity of a local file: the {@code source_uri} under which its document is registered.
 * It is the file's real path, so every spelling that reaches the same file (a symbolically linked
 * directory, {@code ..} after a link, a relative path, a bind mount) updates one document. Before,
 * the identity was the absolute path normalised as text: {@code link/x.md} and {@code real/x.md}
 * became two documents, the second going stale on every update of the first, and
 * {@code link/../x.md} even named the wrong file ({@code ..} taken as text, not where the link
 * leads).
 *
 * <p>A bind mount is no symbolic link, so the real path still says which mount it came through; on
 * Linux the mount table tells which mounts show the same file system tree, and the identity is
 * the spelling through the first of them (in mount order) that reaches the very same file.
 *
 * <p>KBs written before hold the old spelling; {@link #spellings} gives it as a second key, so
 * their documents are still found (and an update rewrites the row to the real path).
 */
public final class SourcePaths {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private SourcePaths() {
    }

    /** One line of {@code /proc/self/mountinfo}: the device, the folder of it mounted, and where. */
    record Mount(String device, String root, String mountPoint) {
    }

    /**
     * The mount table with its paths parsed once (parsing them again for every file cost a walk
     * of 7,425 files as much as its stats did), and what it says of each directory met so far.
     */
    static final class Mounts {
        private record Parsed(String device, Path root, Path mountPoint) {
        }

        /**
         * Of a directory {@code D}: whether the identity of a file {@code D/name} is its real path
         * itself whenever no mount sits at it ({@code D/name} no mount point, and {@code inFs/name}
         * no mount's root), and where {@code D} lies in its file system ({@code inFs}, null
         * without a mount holding it).
         */
        private record Shortcut(boolean applies, Path inFs) {
        }

        /** More directories than a batch meets in a deep tree: then it starts over, never grows without bound. */
        private static final int MEMO = 4096;

        private final List<Parsed> mounts;
        /** Every mount point and every mount's root, as text. */
        private final java.util.Set<String> points = new java.util.HashSet<>();
        private final java.util.Set<String> roots = new java.util.HashSet<>();
        private final java.util.concurrent.ConcurrentHashMap<Path, Shortcut> dirs =
                new java.util.concurrent.ConcurrentHashMap<>();

        Mounts(List<Mount> table) {
            List<Parsed> out = new ArrayList<>(table.size());
            for (Mount m : table) {
                try {
                    Parsed p = new Parsed(m.device(), Path.of(m.root()), Path.of(m.mountPoint()));
                    out.add(p);
                    points.add(p.mountPoint().toString());
                    roots.add(p.root().toString());
                } catch (InvalidPathException e) {
                    // a mount this locale cannot spell; no file kb reads lies behind it
                }
            }
            this.mounts = List.copyOf(out);
        }

        /**
         * {@link #canonical} of {@code real}, for a file of a directory whose answer holds for
         * all its files (the common case: no bind mount shows it first elsewhere) without going
         * through the table for each. Exact: a file's answer differs from its directory's only
         * where a mount sits at the file itself, which is checked.
         */
        Path identity(Path real, BiPredicate<Path, Path> same) {
            Path dir = real.getParent();
            Path name = real.getFileName();
            if (dir != null && name != null && ownAnswer(shortcut(dir), real.toString(), name.toString())) {
                return real;
            }
            return canonical(real, same);
        }

        /** Whether the file {@code name} of a directory with this shortcut, at {@code real}, is its own answer. */
        private boolean ownAnswer(Shortcut s, String real, String name) {
            return s.applies() && !points.contains(real)
                    && (s.inFs() == null || !roots.contains(child(s.inFs().toString(), name)));
        }

        private Shortcut shortcut(Path dir) {
            if (dirs.size() > MEMO) {
                dirs.clear();
            }
            return dirs.computeIfAbsent(dir, this::firstMount);
        }

        /**
         * For {@code dir}: the first mount the loop of {@link #canonical} would try. When it
         * shows {@code dir} itself, or there is none, every file of {@code dir} that no mount
         * sits at meets the same first mount in the same place, and is its own answer.
         */
        private Shortcut firstMount(Path dir) {
            Parsed holder = holder(dir);
            if (holder == null) {
                return new Shortcut(true, null);
            }
            Path inFs = holder.root().resolve(holder.mountPoint().relativize(dir).toString());
            for (Parsed m : mounts) {
                if (m.device().equals(holder.device()) && inFs.startsWith(m.root())) {
                    Path candidate = m.mountPoint().resolve(m.root().relativize(inFs).toString());
                    return new Shortcut(candidate.equals(dir), inFs);
                }
            }
            return new Shortcut(true, inFs);
        }

        /** The mount that shows {@code real}: the longest mount point above it, the last of equal ones. */
        private Parsed holder(Path real) {
            Parsed holder = null;
            for (Parsed m : mounts) {
                Path point = m.mountPoint();
                // the last of equal mount points is on top; a longer one is nested inside
                if (real.startsWith(point)
                        && (holder == null || point.getNameCount() >= holder.mountPoint().getNameCount())) {
                    holder = m;
                }
            }
            return holder;
        }

        /** See {@link SourcePaths#canonical}. */
        Path canonical(Path real, BiPredicate<Path, Path> same) {
            Parsed holder = holder(real);
            if (holder == null) {
                return real;
            }
            // where the file lies inside its file system, whichever mount shows it
            Path inFs = holder.root().resolve(holder.mountPoint().relativize(real).toString());
            for (Parsed m : mounts) {
                Path root = m.root();
                if (!m.device().equals(holder.device()) || !inFs.startsWith(root)) {
                    continue;
                }
                Path candidate = m.mountPoint().resolve(root.relativize(inFs).toString());
                if (candidate.equals(real)) {
                    return real;
                }
                if (same.test(candidate, real)) {
                    return candidate;
                }
            }
            return real;
        }

        /**
         * A directory met by a walk, at {@code dir} as walked, whose real path is {@code real}:
         * what spelling its files' keys needs, worked out once for all of them.
         */
        Folder folder(Path dir, Path real) {
            String realText = real.toString();
            return new Folder(this, real, realText, shortcut(real),
                    dir.toAbsolutePath().normalize().toString().equals(realText));
        }
    }

    /** {@code dir + "/" + name}, as text; the root's files without a doubled separator. */
    private static String child(String dir, String name) {
        return dir.endsWith(java.io.File.separator) ? dir + name : dir + java.io.File.separator + name;
    }

    /**
     * A directory of a walk, with what its files' keys need worked out once: per file, the keys
     * are then two lookups in the mount table's sets and one string. A walk of 7,425 unchanged
     * files spent more on spelling their keys through the table than on anything else it did.
     *
     * @param sameText whether the directory as walked, made absolute and normalised, is its real
     *                 path: then a file's old spelling is its identity, no second key
     */
    record Folder(Mounts mounts, Path real, String realText, Mounts.Shortcut shortcut, boolean sameText) {
        /** {@link SourcePaths#spellings} of {@code file}, the entry {@code name} of this directory and no link. */
        List<String> spellings(Path file, String name) {
            String childReal = child(realText, name);
            if (sameText && mounts.ownAnswer(shortcut, childReal, name)) {
                return List.of(childReal);
            }
            return SourcePaths.spellings(file, real.resolve(name), mounts);
        }
    }

    /** Read once: a batch does not outlive a change of its own mounts. */
    private static final class Table {
        static final Mounts MOUNTS = new Mounts(read(MOUNTINFO));
    }

    /**
     * The identity of {@code file} (absolute, or relative to the working directory): its real
     * path, through the first mount that shows it. A path that does not exist (a file removed
     * since it was added, for {@code kb remove}) resolves its nearest existing ancestor and keeps
     * the rest as written.
     */
    public static String identity(Path file) {
        return identityOfReal(real(file));
    }

    /** The identity of a file whose real path ({@link Path#toRealPath}) is {@code real}. */
    static String identityOfReal(Path real) {
        return Table.MOUNTS.identity(real, SourcePaths::sameFile).toString();
    }

    /** A directory a walk enters, at {@code dir} as walked, whose real path is {@code real}. */
    static Folder folder(Path dir, Path real) {
        return Table.MOUNTS.folder(dir, real);
    }

    /**
     * The keys a document of {@code file} may be registered under, best first: its
     * {@link #identity}, then the absolute normalised spelling that kb used before, unless that
     * spelling names another existing file (after {@code link/../x.md}, the text {@code x.md} may
     * be a different file, whose document must not be taken over).
     */
    public static List<String> spellings(Path file) {
        return spellings(file, real(file));
    }

    /**
     * The same, for a file whose real path is known already: a directory walk knows it without
     * asking the system for each file (a directory's real path, and the name of an entry that is
     * no symbolic link).
     */
    static List<String> spellings(Path file, Path real) {
        return spellings(file, real, Table.MOUNTS);
    }

    private static List<String> spellings(Path file, Path real, Mounts mounts) {
        String identity = mounts.identity(real, SourcePaths::sameFile).toString();
        List<String> keys = new ArrayList<>(List.of(identity));
        Path legacy = file.toAbsolutePath().normalize();
        if (!legacy.toString().equals(identity)
                && (!Files.exists(legacy, LinkOption.NOFOLLOW_LINKS) || sameFile(legacy, file))) {
            keys.add(legacy.toString());
        }
        return keys;
    }

    /** The real path of {@code file}, or of its nearest existing ancestor with the rest appended. */
    static Path real(Path file) {
        Path abs = file.toAbsolutePath();
        Path missing = abs.getFileSystem().getPath("");
        for (Path p = abs; p != null; p = p.getParent()) {
            try {
                Path r = p.toRealPath();
                return missing.toString().isEmpty() ? r : r.resolve(missing).normalize();
            } catch (IOException | SecurityException e) {
                Path name = p.getFileName();
                missing = name == null ? missing : name.resolve(missing);
            }
        }
        return abs.normalize();
    }

    /**
     * {@code real} spelled through the first mount, in table order, that shows the same place of
     * the same file system and reaches the same file there ({@code same}: a mount point covered by
     * a later mount shows something else). Without a table (not Linux), {@code real} itself.
     */
    static Path canonical(Path real, List<Mount> mounts, BiPredicate<Path, Path> same) {
        return new Mounts(mounts).canonical(real, same);
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** The mount table, or none where there is no {@code /proc} or it cannot be read. */
    static List<Mount> read(Path mountinfo) {
        try {
            return parse(Files.readAllLines(mountinfo, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Lines of {@code /proc/self/mountinfo}: "id parent major:minor root mount-point options ...",
     * where the kernel writes a space, tab, newline or backslash in a path as a backslash and three
     * octal digits.
     */
    static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 5 || !f[3].startsWith("/") || !f[4].startsWith("/")) {
                continue;
            }
            try {
                mounts.add(new Mount(f[2], unescape(f[3]), unescape(f[4])));
            } catch (InvalidPathException e) {
                // a mount this locale cannot spell; no file kb reads lies behind it
            }
        }
        return List.copyOf(mounts);
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
