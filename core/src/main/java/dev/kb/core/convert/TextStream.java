package dev.kb.core.convert;

import dev.kb.core.fs.Buffers;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A text file (UTF-8, or UTF-16 with a byte-order mark) read as a stream of line pieces: the
 * byte-order mark dropped, CRLF and lone CR made LF, invalid bytes replaced with U+FFFD. The
 * characters are exactly those of reading the whole file, decoding it and replacing line ends,
 * but at most {@link #PIECE} of them are held at a time: a 1 GB file read whole took ~6.5 times
 * its size in heap (bytes, string, copies per replace), and a 200 MB one peaked at 1.3 GB RSS.
 *
 * <p>Each piece is part of one line: a piece ending in {@code '\n'} ends its line; a piece
 * without one is followed by more of the same line, or is the last line of a file without a
 * final newline. A piece never ends between the two halves of a surrogate pair, so each can be
 * encoded on its own.
 */
final class TextStream implements Closeable {
    /** The most characters one piece holds (a longer line comes in several pieces). */
    static final int PIECE = 64 * 1024;

    private final InputStream in;
    private final int pieceLimit;
    private final byte[] bytes;
    private final ByteBuffer input;
    private final CharBuffer decoded;
    private final Charset charset;
    private final CharsetDecoder decoder;
    private boolean endOfInput;
    private boolean flushed;
    private boolean malformed;
    private boolean first = true;
    /** The last decoded character was a CR, already given out as LF: an LF right after it is dropped. */
    private boolean afterCr;
    private final StringBuilder piece = new StringBuilder();

    /** {@code size}: the file's size, which bounds both buffers (a pipe, of size 0, is read 256 bytes at a time). */
    private TextStream(InputStream in, long size, Charset charset, int pieceLimit) {
        this.in = in;
        this.charset = charset;
        this.pieceLimit = pieceLimit;
        this.bytes = new byte[Buffers.sized(size, 256, Buffers.MAX)];
        this.input = ByteBuffer.wrap(bytes);
        this.decoded = CharBuffer.allocate(Buffers.sized(size, Math.min(256, Math.max(pieceLimit, 16)), Math.max(pieceLimit, 16)));
        this.decoded.flip();
        // REPORT, then one U+FFFD per malformed run by hand: the same characters as REPLACE (and as
        // new String(bytes, charset)), and kb learns that something was replaced, for the warning.
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        input.limit(0);
    }

    /** Opens {@code file}; the byte-order mark decides the charset, UTF-8 without one (the sniffer refused anything else). */
    static TextStream open(Path file) throws IOException {
        return open(file, PIECE);
    }

    static TextStream open(Path file, int pieceLimit) throws IOException {
        FileChannel ch = FileChannel.open(file);
        return open(Channels.newInputStream(ch), ch.size(), pieceLimit);
    }

    /**
     * A file's whole content already in memory (a small file's copy keeps it): the same pieces as
     * {@link #open(Path, int)} of that file, without opening and reading it again.
     */
    static TextStream of(byte[] whole, int pieceLimit) throws IOException {
        return open(new java.io.ByteArrayInputStream(whole), whole.length, pieceLimit);
    }

    private static TextStream open(InputStream in, long size, int pieceLimit) throws IOException {
        try {
            byte[] bom = in.readNBytes(2);
            Charset charset = StandardCharsets.UTF_8;
            if (bom.length == 2 && (bom[0] & 0xff) == 0xFE && (bom[1] & 0xff) == 0xFF) {
                charset = StandardCharsets.UTF_16BE;
            } else if (bom.length == 2 && (bom[0] & 0xff) == 0xFF && (bom[1] & 0xff) == 0xFE) {
                charset = StandardCharsets.UTF_16LE;
            }
            TextStream s = new TextStream(in, size, charset, pieceLimit);
            if (charset == StandardCharsets.UTF_8) {
                System.arraycopy(bom, 0, s.bytes, 0, bom.length); // not a UTF-16 mark: they are text
                s.input.limit(bom.length);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The charset the text was read in. */
    Charset charset() {
        return charset;
    }

    /** Whether invalid bytes were replaced with U+FFFD so far (all of them, once {@link #next} returned null). */
    boolean malformed() {
        return malformed;
    }

    /** The next piece of a line, or null at the end. */
    String next() throws IOException {
        piece.setLength(0);
        while (piece.length() < pieceLimit) {
            if (!decoded.hasRemaining() && !fill()) {
                break;
            }
            char c = decoded.get();
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    continue; // a byte-order mark is no text
                }
            }
            if (afterCr) {
                afterCr = false;
                if (c == '\n') {
                    continue; // the LF of a CRLF already given out
                }
            }
            if (c == '\r') {
                afterCr = true;
                c = '\n';
            }
            piece.append(c);
            if (c == '\n') {
                break;
            }
            // the rest of the line at once, up to a line end, the piece's limit or the end of what
            // is decoded: character by character, this loop was a tenth of a Markdown page's cost
            char[] a = decoded.array();
            int from = decoded.arrayOffset() + decoded.position();
            int stop = Math.min(decoded.arrayOffset() + decoded.limit(), from + (pieceLimit - piece.length()));
            int i = from;
            while (i < stop && a[i] != '\n' && a[i] != '\r') {
                i++;
            }
            piece.append(a, from, i - from);
            decoded.position(decoded.position() + (i - from));
        }
        if (piece.length() == 0) {
            return null;
        }
        int last = piece.length() - 1;
        if (piece.length() >= pieceLimit && Character.isHighSurrogate(piece.charAt(last)) && last > 0) {
            // a pair must not be cut: its low half leads the next piece instead
            decoded.position(decoded.position() - 1);
            piece.setLength(last);
        }
        return piece.toString();
    }

    /** Decodes more characters into {@code decoded}; false at the end of the text. */
    private boolean fill() throws IOException {
        decoded.clear();
        try {
            while (decoded.position() == 0) {
                if (flushed) {
                    return false;
                }
                if (!endOfInput && !input.hasRemaining()) {
                    read();
                }
                CoderResult r = decoder.decode(input, decoded, endOfInput);
                if (r.isError()) {
                    if (!decoded.hasRemaining()) {
                        break; // no room for the U+FFFD: the same error comes back on the next fill
                    }
                    malformed = true;
                    input.position(input.position() + r.length());
                    decoded.put('\uFFFD');
                    continue;
                }
                if (r.isOverflow()) {
                    break;
                }
                if (endOfInput) {
                    if (decoder.flush(decoded).isOverflow()) {
                        break;
                    }
                    flushed = true;
                    break;
                }
                read();
            }
        } finally {
            decoded.flip();
        }
        return decoded.hasRemaining();
    }

    /** Keeps the undecoded tail (part of a character) and appends more bytes. */
    private void read() throws IOException {
        input.compact();
        int n = in.read(bytes, input.position(), bytes.length - input.position());
        if (n < 0) {
            endOfInput = true;
        } else {
            input.position(input.position() + n);
        }
        input.flip();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
