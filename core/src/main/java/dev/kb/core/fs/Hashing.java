package dev.kb.core.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; the registry's {@code sha256} column is the lower-case hex of the raw bytes. */
public final class Hashing {
    private Hashing() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    public static String sha256Hex(byte[] data) {
        return hex(sha256().digest(data));
    }

    public static String sha256Hex(Path file) throws IOException {
        MessageDigest md = sha256();
        try (FileChannel from = FileChannel.open(file); InputStream in = Channels.newInputStream(from)) {
            byte[] buf = new byte[Buffers.sized(from.size(), 512, Buffers.MAX)];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    /** A copy of a file made in one read: written to {@code target} (unforced: see {@link FileOps#fsyncAll}) and hashed on the way. */
    public record Copy(String sha256, long size, byte[] head) {
        public Copy(String sha256, long size) {
            this(sha256, size, null);
        }

        /** Everything copied, when the head holds all of it (a file no larger than the head); else null. */
        public byte[] whole() {
            return head != null && head.length == size ? head : null;
        }
    }

    /** The source had more than the limit: the copy stopped one buffer past it, and is the caller's to remove. */
    public static final class LimitExceeded extends IOException {
        public LimitExceeded(Path source, long limit) {
            super(source + " has more than " + limit + " bytes");
        }
    }

    /**
     * Copies at most {@code maxBytes} bytes; a source with more throws {@link LimitExceeded}. The
     * bound holds while copying, not only by the size seen before: a file still growing (a log,
     * a download in progress) must not fill the disk past it.
     */
    public static Copy copyAndHash(Path source, Path target, long maxBytes) throws IOException {
        return copyAndHash(source, target, maxBytes, copied -> { });
    }

    /** What a test runs between two reads of a copy, given the bytes copied so far. */
    @FunctionalInterface
    public interface Progress {
        void copied(long bytes) throws IOException;
    }

    /** The same, calling {@code progress} after each read (a test seam: a file rewritten mid-copy). */
    public static Copy copyAndHash(Path source, Path target, long maxBytes, Progress progress) throws IOException {
        return copyAndHash(source, target, maxBytes, 0, progress);
    }

    /**
     * The same, also keeping the first {@code headSize} bytes copied ({@link Copy#head}; fewer
     * for a shorter file): what a sniffer reads of the copy, without opening it again.
     */
    public static Copy copyAndHash(Path source, Path target, long maxBytes, int headSize, Progress progress)
            throws IOException {
        MessageDigest md = sha256();
        long size = 0;
        byte[] head = new byte[headSize];
        int headLength = 0;
        try (FileChannel from = FileChannel.open(source);
             InputStream in = Channels.newInputStream(from);
             FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(ch)) {
            byte[] buf = new byte[Buffers.sized(from.size(), 512, Buffers.MAX)];
            for (int n; (n = in.read(buf)) > 0; ) {
                size += n;
                if (size > maxBytes) {
                    throw new LimitExceeded(source, maxBytes);
                }
                md.update(buf, 0, n);
                if (headLength < headSize) {
                    int k = Math.min(n, headSize - headLength);
                    System.arraycopy(buf, 0, head, headLength, k);
                    headLength += k;
                }
                out.write(buf, 0, n);
                progress.copied(size);
            }
            out.flush();
        }
        return new Copy(hex(md.digest()), size, headLength == headSize ? head : java.util.Arrays.copyOf(head, headLength));
    }
}
