package dev.kb.core.input;

import dev.kb.core.KbException;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns command-line arguments into work items, in a stable order. A directory is walked
 * recursively in name order, and every entry ends as a source or an outcome, never dropped
 * without a word: hidden entries (a hidden directory is one outcome, not entered), the KB itself,
 * special files (FIFOs, devices, sockets; never opened), symbolic links that dangle or loop, and
 * unsupported types are {@code skipped} outcomes with the reason; an entry the walk cannot read
 * (a directory listed but not searchable, a path longer than the system allows, an unreadable
 * directory) is a failure with the cause.
 *
 * <p>The KB never ingests itself: an argument that is the KB is a skip, one inside it fails, and
 * a walk neither enters the KB nor follows a link into it (where links lead decides, not where
 * they sit). A name that is not valid text in the locale's file-name encoding fails, because
 * its decoded form is not its identity (see {@link #undecodable}).
 */
public final class Inputs {
    private static final String INSIDE_KB = "is inside the knowledge base itself";
    private static final String IS_KB = "is the knowledge base itself";
    private static final String NOT_REGULAR = "not a regular file (a FIFO, device or socket)";

    private Inputs() {
    }

    /** A source to prepare, or an outcome already decided while expanding. */
    public record Item(Source source, Outcome outcome) {
    }

    /**
     * @param cwd      what relative paths are relative to
     * @param remote   turns an argument that is not a local path (a URL) into a source, or returns
     *                 null when it is not one
     * @param maxBytes the most bytes one local file may have ({@code --max-size})
     */
    public static List<Item> expand(List<String> args, Path cwd, KnowledgeBase kb, Function<String, Source> remote,
                                    long maxBytes) {
        return stream(args, cwd, kb, remote, maxBytes).all();
    }

    /**
     * {@link #expand}, with the folders walked on a thread of their own while the caller reads
     * what is found: the arguments are checked here first, so an argument refused as a usage
     * error is thrown before anything else happens, as before; only the walk of the folders named
     * (which turns everything it meets into an input or an outcome) is left to run.
     */
    public static Expansion stream(List<String> args, Path cwd, KnowledgeBase kb, Function<String, Source> remote,
                                   long maxBytes) {
        List<Object> items = new ArrayList<>(); // an Item, or a folder to walk in its place
        boolean alone = args.size() == 1;
        for (String arg : args) {
            Source r;
            try {
                r = remote.apply(arg);
            } catch (KbException e) {
                // an unsupported or malformed URL: like an unsupported file type, a usage error
                // only when it is the sole input, otherwise this input fails and the rest go on
                if (e.kind() != KbException.Kind.USAGE) {
                    throw e;
                }
                String shown = UrlFetcher.shown(arg); // a password is never printed
                if (alone) {
                    throw new KbException(KbException.Kind.USAGE, shown + ": " + e.getMessage());
                }
                items.add(new Item(null, Outcome.failed(shown, e.getMessage())));
                continue;
            }
            if (r != null) {
                items.add(new Item(r, null));
                continue;
            }
            Path p;
            try {
                p = cwd.resolve(arg);
            } catch (InvalidPathException e) {
                // a non-ASCII name under a locale whose file-name encoding is ASCII (the C locale
                // of cron jobs and containers, with a bare `java -jar`; the launcher avoids it)
                items.add(new Item(null, Outcome.failed(arg, e.getReason().startsWith("Nul character")
                        ? "not a usable path: " + e.getReason()
                        : "this locale's file-name encoding (" + System.getProperty("sun.jnu.encoding")
                                + ") cannot name it; run kb under a UTF-8 locale, e.g. LC_ALL=C.UTF-8")));
                continue;
            }
            String unseen = cannotStat(p);
            Broken broken = unseen == null && Files.isSymbolicLink(p) ? brokenLink(p) : null;
            if (unseen != null) {
                items.add(new Item(null, Outcome.failed(arg, arg.indexOf('\uFFFD') >= 0 && unseen.startsWith("no such")
                        // the JVM decoded the argument's bytes and replaced what was not text, so
                        // no file by this name exists; only renaming the file makes it reachable
                        ? "no such file or directory (" + undecodableName() + ")"
                        : unseen)));
            } else if (broken != null) {
                items.add(new Item(null, Outcome.failed(arg, broken.reason())));
            } else if (Files.isDirectory(p)) {
                if (kb.isRoot(p)) {
                    // said, not just done: a bare "0 added, 0 skipped" leaves the user guessing
                    items.add(new Item(null, Outcome.skipped(arg, null, IS_KB)));
                } else if (kb.isInside(p)) {
                    items.add(new Item(null, Outcome.failed(arg, INSIDE_KB)));
                } else {
                    items.add(new Walk(p, arg));
                }
            } else if (!Files.isRegularFile(p)) {
                items.add(new Item(null, Outcome.failed(arg, NOT_REGULAR)));
            } else if (!FileSource.supportedExtension(p.getFileName().toString())) {
                String why = "unsupported file type" + describeExtension(p) + " (supported: "
                        + String.join(", ", RawConversion.SUPPORTED_EXTENSIONS.stream().sorted().toList()) + ")";
                if (alone) {
                    throw new KbException(KbException.Kind.USAGE, arg + ": " + why);
                }
                items.add(new Item(null, Outcome.failed(arg, why)));
            } else if (kb.isInside(p)) {
                items.add(new Item(null, Outcome.failed(arg, INSIDE_KB)));
            } else {
                items.add(new Item(new FileSource(p, arg, maxBytes), null));
            }
        }
        Expansion out = new Expansion();
        Runnable walk = () -> {
            RuntimeException failed = null;
            try {
                for (Object o : items) {
                    if (o instanceof Walk w) {
                        walk(w.dir(), w.arg(), folder(w.dir(), realPath(w.dir())), kb, maxBytes, out, new HashMap<>());
                    } else {
                        out.add((Item) o);
                    }
                }
            } catch (RuntimeException e) {
                failed = e;
            } catch (Error e) {
                // a reader waiting for more must not take a walk cut short for a finished one
                failed = new IllegalStateException("the walk of the inputs failed: " + e, e);
            } finally {
                out.finish(failed);
            }
        };
        if (items.stream().anyMatch(o -> o instanceof Walk)) {
            Thread t = new Thread(walk, "kb-walk");
            t.setDaemon(true);
            t.start();
        } else {
            walk.run();
        }
        return out;
    }

    /** A folder named as an argument, walked in its place in the order of the inputs. */
    private record Walk(Path dir, String arg) {
    }

    /**
     * {@code text} (an input, a path, a message naming one) as one line a person reads: on stderr
     * and in {@code wiki/log.md}. Control characters (C0, DEL, C1), line and paragraph separators
     * and the bidi embedding, override and isolate controls are shown escaped: {@code \n},
     * {@code \t}, {@code \r}, else a backslash, 'u' and four hex digits. Without this a file named
     * "new", newline, "line.md" split its stderr line in two for scripts that read line by line and
     * broke its log line out of the code span, and a U+202E showed the rest of the line reversed.
     * Letters of any script, and the format characters that join them (ZWJ in emoji, ZWNJ in
     * Persian), stay as they are. Not reversible (a backslash is not doubled, so Windows paths stay
     * readable): the exact text is in the JSON output and the registry.
     */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        for (char c; i < text.length() && ((c = text.charAt(i)) >= 0x20 && c < 0x7f || !breaksTheLine(c)); ) {
            i++; // no supplementary character breaks a line: a surrogate pair passes as two chars
        }
        if (i == text.length()) {
            return text; // nearly every line: nothing to escape, nothing to copy
        }
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (!breaksTheLine(cp)) {
                b.appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else {
                b.append(String.format("\\u%04x", cp));
            }
        });
        return b.toString();
    }

    /** What ends a line, moves the cursor, or reorders the text after it on a terminal or in an editor. */
    private static boolean breaksTheLine(int cp) {
        if (Character.isISOControl(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
            return true;
        }
        return switch (Character.getDirectionality(cp)) {
            case Character.DIRECTIONALITY_LEFT_TO_RIGHT_EMBEDDING, Character.DIRECTIONALITY_LEFT_TO_RIGHT_OVERRIDE,
                 Character.DIRECTIONALITY_RIGHT_TO_LEFT_EMBEDDING, Character.DIRECTIONALITY_RIGHT_TO_LEFT_OVERRIDE,
                 Character.DIRECTIONALITY_POP_DIRECTIONAL_FORMAT, Character.DIRECTIONALITY_LEFT_TO_RIGHT_ISOLATE,
                 Character.DIRECTIONALITY_RIGHT_TO_LEFT_ISOLATE, Character.DIRECTIONALITY_FIRST_STRONG_ISOLATE,
                 Character.DIRECTIONALITY_POP_DIRECTIONAL_ISOLATE -> true;
            default -> false;
        };
    }

    /**
     * Why {@code name}, read from a directory, cannot be used, or null when it can. Java decodes
     * file names with the locale's file-name encoding and puts U+FFFD for bytes that are not
     * text: the Latin-1 names "lat\xe9n.md" and "lat\xe8n.md" both read as "lat?n.md" (U+FFFD
     * for the byte) under UTF-8, then shared one source URI and overwrote each other on every run.
     * Such a name does not encode back to the bytes it came from; a name that is text does.
     */
    private static String undecodable(Path name) {
        try {
            if (name.getFileSystem().getPath(name.toString()).equals(name)) {
                return null;
            }
        } catch (InvalidPathException e) {
            // the decoded text does not even encode back (an ASCII locale): not usable either
        }
        return undecodableName();
    }

    private static String undecodableName() {
        String enc = System.getProperty("sun.jnu.encoding", java.nio.charset.Charset.defaultCharset().name());
        boolean utf8 = java.nio.charset.Charset.isSupported(enc)
                && java.nio.charset.Charset.forName(enc).equals(java.nio.charset.StandardCharsets.UTF_8);
        return utf8 ? "file name is not valid UTF-8 text; rename it"
                : "file name is not valid text in this locale's file-name encoding " + enc
                        + "; rename it, or run kb under a UTF-8 locale";
    }

    /**
     * What is wrong with a symbolic link that leads to no file: its {@code reason}, and whether a
     * walk skips it on purpose (it leads nowhere: dangling, or a loop) rather than failing to
     * follow it (a permission, a path too long).
     */
    private record Broken(String reason, boolean leadsNowhere) {
    }

    /**
     * What is wrong with a symbolic link that leads to no file, or null when it leads to one.
     * Without this, a dangling link or a loop given alone was called "not a regular file (a FIFO,
     * device or socket)", which sends the user looking for the wrong thing.
     */
    private static Broken brokenLink(Path link) {
        try {
            Files.readAttributes(link, BasicFileAttributes.class);
            return null;
        } catch (NoSuchFileException e) {
            return new Broken("dangling symbolic link (its target " + target(link) + " does not exist)", true);
        } catch (FileSystemException e) {
            // ELOOP's text on Linux and macOS: "Too many levels of symbolic links"
            if (e.getReason() != null && e.getReason().toLowerCase(Locale.ROOT).contains("symbolic link")) {
                return new Broken("symbolic link loop (too many levels of symbolic links)", true);
            }
            return new Broken("cannot follow symbolic link: " + why(e), false);
        } catch (IOException e) {
            return new Broken("cannot follow symbolic link: " + why(e), false);
        }
    }

    /**
     * Why the file system will not say what {@code p} is (not even a symbolic link), or null when
     * it does. Without this, an entry of a directory that can be listed but not searched (mode
     * 644 after a {@code chmod -R 644}) or a path longer than the system allows was dropped from
     * a walk without a word, and named alone it was said not to exist.
     */
    private static String cannotStat(Path p) {
        try {
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return null;
        } catch (IOException e) {
            return unseen(p, e);
        }
    }

    /** Why a stat of {@code p} failed with {@code e}, in the words of {@link #cannotStat}. */
    private static String unseen(Path p, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            Path dir = p.toAbsolutePath().getParent();
            return dir != null && Files.isDirectory(dir) && !Files.isExecutable(dir)
                    ? "permission denied (its directory " + dir + " is not searchable: it lacks the x permission)"
                    : "permission denied";
        }
        String why = why(e);
        return why.toLowerCase(Locale.ROOT).contains("too long")
                ? "path too long for this system (" + why + ")" : "cannot read its attributes: " + why;
    }

    /**
     * What one stat says of an entry: its type and, for a regular file, its stamp for the stat
     * cache. One system call per entry of a walk: a walk of 7,425 files that stats each three
     * times (is it there, is it a link, what is it) spends more on that than on anything else
     * of a re-add whose files are all unchanged.
     */
    private record Attrs(boolean link, boolean directory, boolean regular, FileSource.Stamp stamp) {
        private static final String NAMES = FileSource.Stamp.ATTRIBUTES + ",isSymbolicLink,isDirectory,isRegularFile";

        static Attrs read(Path p, LinkOption... options) throws IOException {
            try {
                Map<String, Object> a = Files.readAttributes(p, NAMES, options);
                boolean regular = (Boolean) a.get("isRegularFile");
                return new Attrs((Boolean) a.get("isSymbolicLink"), (Boolean) a.get("isDirectory"), regular,
                        regular ? FileSource.Stamp.from(a) : null);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no "unix" view (Windows): the file source stats the file itself
                BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, options);
                return new Attrs(b.isSymbolicLink(), b.isDirectory(), b.isRegularFile(), null);
            }
        }
    }

    /** What a walk knows of directory {@code dir} whose real path is {@code real}; null when that is not known. */
    private static SourcePaths.Folder folder(Path dir, Path real) {
        return real == null ? null : SourcePaths.folder(dir, real);
    }

    /** The real path of an existing directory, or null when the system will not say. */
    private static Path realPath(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** A file-system error's cause in words; the input's label already names the path. */
    private static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String describeExtension(Path p) {
        String ext = FileSource.extension(p.getFileName().toString());
        return ext.isEmpty() ? " (no extension)" : " ." + ext;
    }

    /**
     * Walks {@code dir}, an entry of the walk (or an argument) labelled {@code label}. Each entry
     * ends as a source or an outcome: a walk never drops one without a word. What it skips on
     * purpose (hidden entries, the KB, special files, links that lead nowhere, loops, unsupported
     * types) is a {@code skipped} outcome with the reason; what it cannot read is a failure with
     * the cause.
     *
     * @param folder {@code dir} with its real path ({@link Path#toRealPath}), or null when that is not known
     * @param onPath the directories being walked, by file key, with their labels (to tell a loop)
     */
    private static void walk(Path dir, String label, SourcePaths.Folder folder, KnowledgeBase kb, long maxBytes,
                             Expansion items, Map<Object, String> onPath) {
        Object key = fileKey(dir);
        if (key != null && onPath.containsKey(key)) {
            // a symbolic link (or a bind mount) back to a directory already on this walk
            items.add(new Item(null, Outcome.skipped(label, null, (Files.isSymbolicLink(dir) ? "symbolic link loop"
                    : "directory loop") + " (leads back to " + onPath.get(key) + ")")));
            return;
        }
        List<Child> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(c -> children.add(new Child(c.getFileName().toString(), c)));
        } catch (IOException e) {
            items.add(new Item(null, Outcome.failed(label, "cannot read directory: " + why(e))));
            return;
        } catch (DirectoryIteratorException e) {
            items.add(new Item(null, Outcome.failed(label, "cannot read directory: " + why(e.getCause()))));
            return;
        }
        if (key != null) {
            onPath.put(key, label);
        }
        children.sort((a, b) -> a.name().compareTo(b.name()));
        for (Child child : children) {
            Path c = child.path();
            String name = child.name();
            String childLabel = label.endsWith("/") ? label + name : label + "/" + name;
            if (name.startsWith(".")) {
                // one event for a hidden directory, not one per file in it: it is not entered
                items.add(new Item(null, Outcome.skipped(childLabel, null, "hidden")));
            } else {
                entry(c, name, childLabel, folder, kb, maxBytes, items, onPath);
            }
        }
        if (key != null) {
            onPath.remove(key);
        }
    }

    /** An entry of a directory, with its name as text (spelled out once, not in every comparison of the sort). */
    private record Child(String name, Path path) {
    }

    /**
     * One entry {@code c} of a walked directory, not hidden, labelled {@code label}.
     *
     * @param name   its name in the directory
     * @param folder the directory with its real path, or null when that is not known
     */
    private static void entry(Path c, String name, String label, SourcePaths.Folder folder, KnowledgeBase kb,
                              long maxBytes, Expansion items, Map<Object, String> onPath) {
        Attrs a;
        try {
            a = Attrs.read(c, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            items.add(new Item(null, Outcome.failed(label, unseen(c, e))));
            return;
        }
        // what is known of where an entry that is no link lies, in a directory whose real path is known
        SourcePaths.Folder in = a.link() ? null : folder;
        if (a.link()) {
            Broken broken = brokenLink(c);
            if (broken != null) {
                items.add(new Item(null, broken.leadsNowhere() ? Outcome.skipped(label, null, broken.reason())
                        : Outcome.failed(label, broken.reason())));
                return;
            }
            // Where a link leads decides, not where it sits: a link to the KB's wiki/ would feed
            // the KB its own files, more of them on every run.
            if (kb.isInside(c)) {
                items.add(new Item(null, Outcome.skipped(label, null, kb.isRoot(c) ? IS_KB : INSIDE_KB)));
                return;
            }
            try {
                a = Attrs.read(c); // where it leads
            } catch (IOException e) {
                items.add(new Item(null, Outcome.failed(label, "cannot read its attributes: " + why(e))));
                return; // gone since the line above
            }
        }
        if (a.directory()) {
            String bad = undecodable(c.getFileName());
            if (kb.isRoot(c)) {
                items.add(new Item(null, Outcome.skipped(label, null, IS_KB)));
            } else if (bad != null) {
                items.add(new Item(null, Outcome.failed(label, bad))); // and not one of its files
            } else {
                walk(c, label, in == null ? null : folder(c, in.real().resolve(name)), kb, maxBytes, items, onPath);
            }
        } else if (a.regular()) {
            // A plain file here is outside the KB: the walk skips the KB's root, refuses to start
            // inside it, and stops at links into it (above).
            if (FileSource.supportedExtension(name)) {
                String bad = undecodable(c.getFileName());
                items.add(bad != null ? new Item(null, Outcome.failed(label, bad))
                        : new Item(new FileSource(c, label, maxBytes, in, name, a.stamp()), null));
            } else {
                items.add(new Item(null, Outcome.skipped(label, null, "unsupported file type" + describeExtension(c))));
            }
        } else {
            // never opened: reading a FIFO could hang the walk
            items.add(new Item(null, Outcome.skipped(label, null, NOT_REGULAR)));
        }
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
