package dev.kb.core.fs;

/**
 * How large a read or write buffer is: no larger than the file it serves needs. A bulk add of
 * the 7,425 tldr pages (1-2 KB each) allocated 4.6 GB of heap, nearly all of it 64 KB buffers
 * that every page's copy, decoding and writing made afresh: the JVM zeroes each one, and the
 * young generation filled every 25 ms (175 collections). Sized by the file, they are a few KB.
 */
public final class Buffers {
    /** The largest buffer: the size that reads and writes a large file in few system calls. */
    public static final int MAX = 64 * 1024;

    private Buffers() {
    }

    /**
     * A buffer's size for {@code expected} bytes (a file's size, or an estimate): one more than
     * that, so that a single read fills it and the next sees the end, between {@code min} and
     * {@code max}. A file that grows meanwhile is still read whole, in more reads.
     */
    public static int sized(long expected, int min, int max) {
        return (int) Math.max(min, Math.min(max, Math.max(0, expected) + 1));
    }
}
