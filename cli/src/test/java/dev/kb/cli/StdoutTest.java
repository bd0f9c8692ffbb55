package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stdout whose writes fail: the exit code and the one line that say so (or not, for EPIPE). */
class StdoutTest {
    @TempDir
    Path tmp;

    private static OutputStream failingWith(String message) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException(message);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException(message);
            }
        };
    }

    private int run(OutputStream stdout, StringWriter err, String... args) {
        return Main.run(args, Stdout.over(stdout, StandardCharsets.UTF_8), new PrintWriter(err, true),
                Map.of("HOME", tmp.resolve("home").toString()), tmp);
    }

    @Test
    void aFailedWriteIsExitOneWithOneLine() {
        StringWriter err = new StringWriter();
        assertEquals(1, run(failingWith("No space left on device"), err, "--version"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("kb: cannot write to standard output: No space left on device"),
                err.toString());
    }

    @Test
    void aFailedCommandKeepsItsCodeAndStillSaysTheOutputWasLost() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(failingWith("No space left on device"), err, "add", "--json", "--wait", "xx", "a.md"));
        assertEquals(2, err.toString().lines().count(), err.toString());
    }

    @Test
    void aReaderThatWentAwayIsNoFailure() {
        StringWriter err = new StringWriter();
        assertEquals(0, run(failingWith("Broken pipe"), err, "--version"));
        assertEquals("", err.toString());
    }
}
