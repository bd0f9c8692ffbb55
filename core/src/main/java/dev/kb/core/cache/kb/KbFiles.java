package dev.kb.core.cache.kb;

import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The files of the other KB, opened for reading only: never followed out of it, never written,
 * never locked. Every path comes from its registry, which is that KB's to write (or damage): a
 * path that is not one kb writes there (absolute, with {@code ..}, outside {@code raw/} or
 * {@code wiki/sources/}) names no file, so no registry can make this cache read, say,
 * {@code ~/.ssh} and hand it on as a document.
 */
final class KbFiles {
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private final Path root;

    KbFiles(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The file at KB-relative {@code rel} inside the folder {@code under}, or null when it is not such a path. */
    Path resolve(String rel, String under) {
        if (rel == null || rel.isEmpty() || rel.indexOf('\\') >= 0 || rel.indexOf('\0') >= 0) {
            return null;
        }
        Path p;
        try {
            p = Path.of(rel);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        if (p.isAbsolute() || !p.normalize().equals(p) || !p.startsWith(under) || p.getNameCount() <= Path.of(under)
                .getNameCount()) {
            return null;
        }
        for (Path part : p) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                return null;
            }
        }
        return root.resolve(p);
    }

    Path raw(String rel) {
        return resolve(rel, KnowledgeBase.RAW);
    }

    Path page(String rel) {
        return resolve(rel, KnowledgeBase.SOURCES);
    }

    /** The size of a regular file (a link is not followed), or -1 when there is none. */
    static long size(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? a.size() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Why {@code f} (KB-relative {@code rel}) is no file to read: "is missing", "is not a regular file". */
    static String absent(Path f, String rel) {
        return rel + (Files.exists(f, LinkOption.NOFOLLOW_LINKS) ? " is not a regular file" : " is missing");
    }

    /** Up to {@code max} bytes from the start of {@code f}; fewer when it is shorter. */
    static byte[] head(Path f, int max) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(f, READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, Math.max(0, ch.size())));
            while (b.hasRemaining() && ch.read(b) > 0) {
                // until full or at the end
            }
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        }
    }

    /** Where a page's front matter is read: enough for kb's keys, the extras and a file's own front matter. */
    private static final int FIRST_READ = 64 * 1024;

    /**
     * The start of a page through its front matter (all of it when it does not close within
     * {@link FrontMatter#PAGE_HEAD_LIMIT}), as text.
     */
    static String pageHead(Path page) throws IOException {
        byte[] b = head(page, FIRST_READ);
        String s = new String(b, StandardCharsets.UTF_8);
        if (b.length == FIRST_READ && s.indexOf("\n---\n", 3) < 0) {
            s = new String(head(page, FrontMatter.PAGE_HEAD_LIMIT), StandardCharsets.UTF_8);
        }
        return s;
    }

    /** Whether every byte of {@code f} is ASCII (read in blocks; stops at the first that is not). */
    static boolean ascii(Path f) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(f, READ)) {
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            while (ch.read(b) > 0) {
                b.flip();
                while (b.hasRemaining()) {
                    if (b.get() < 0) {
                        return false;
                    }
                }
                b.clear();
            }
            return true;
        }
    }

    /** Lower-case hex SHA-256 of {@code f}'s bytes (a link is not followed). */
    static String sha256(Path f) throws IOException {
        return copy(f, 0, Long.MAX_VALUE, null);
    }

    /**
     * Copies {@code length} bytes of {@code from} starting at {@code offset} (fewer when it ends
     * sooner) into {@code to}, created or replaced, hashing them; {@code to} null only hashes.
     *
     * @return the copied bytes' SHA-256
     */
    static String copy(Path from, long offset, long length, Path to) throws IOException {
        MessageDigest md = Hashing.sha256();
        try (FileChannel in = (FileChannel) Files.newByteChannel(from, READ);
             FileChannel out = to == null ? null : FileChannel.open(to, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            in.position(offset);
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            long left = length;
            while (left > 0) {
                b.clear();
                if (left < b.capacity()) {
                    b.limit((int) left);
                }
                int n = in.read(b);
                if (n < 0) {
                    break;
                }
                left -= n;
                b.flip();
                md.update(b.duplicate());
                while (out != null && b.hasRemaining()) {
                    out.write(b);
                }
            }
        }
        return Hashing.hex(md.digest());
    }

    /**
     * Whether the other KB has a mutation in flight: a journal in {@code .kb/journal/} (its
     * writer between publishing and committing, or one killed there). A row and files that
     * disagree then are most likely that, not damage, and are a quiet miss.
     */
    boolean writerAtWork() {
        Path dir = root.resolve(KnowledgeBase.META_DIR).resolve("journal");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return s.iterator().hasNext();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true; // cannot tell: the quieter reading
        }
    }
}
