package dev.kb.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The process's stdout as a {@link PrintWriter} that remembers why a write failed. PrintWriter
 * (and System.out, a PrintStream) swallow the IOException: {@code kb add --json > /dev/full}
 * exited 0 having lost every event. {@link Main#run} asks {@link #failure()} once the command is
 * done and turns it into one line and a non-zero exit, except for a reader that closed the pipe
 * ({@code | head -1}), which is no failure of kb's (see {@link #readerGone}).
 */
final class Stdout extends PrintWriter {
    private final Recorder recorder;

    private Stdout(Recorder recorder, Charset charset) {
        super(new OutputStreamWriter(recorder, charset), true);
        this.recorder = recorder;
    }

    /** Writes to file descriptor 1 directly, in the charset System.out would use. */
    static Stdout open() {
        return over(new FileOutputStream(FileDescriptor.out), charset());
    }

    static Stdout over(OutputStream raw, Charset charset) {
        return new Stdout(new Recorder(raw), charset);
    }

    /** The first write error, or null. */
    IOException failure() {
        return recorder.failure;
    }

    /**
     * Whether {@code e} is EPIPE: the reader has read what it wanted and gone. kb's work does not
     * depend on anyone reading it (the commits happen regardless), so this is not a failure; the
     * rest of the output goes nowhere, as it would for a program that SIGPIPE had ended.
     */
    static boolean readerGone(IOException e) {
        return e != null && e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    /** The charset of System.out in this JVM (stdout.encoding from Java 19, before that these). */
    private static Charset charset() {
        for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            String name = System.getProperty(p);
            if (name != null) {
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    // unknown here: the default is what System.out falls back to as well
                }
            }
        }
        return Charset.defaultCharset();
    }

    private static final class Recorder extends FilterOutputStream {
        private volatile IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        private void record(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
