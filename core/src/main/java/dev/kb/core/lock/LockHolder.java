package dev.kb.core.lock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** Who holds (or last held) the writer lock, as written into the lock file. */
public record LockHolder(long pid, String command, Instant started, Instant since) {

    /**
     * Streaming only: Jackson's ObjectMapper would add some 100 ms to every {@code kb status}. In a
     * holder class: a status with no writer to describe loads no Jackson at all (a few ms).
     */
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    static LockHolder current(String command) {
        return new LockHolder(Self.PID, command, Self.STARTED, Instant.now());
    }

    /**
     * This process, asked once: {@code ProcessHandle.info()} reads several files under
     * {@code /proc} and looks the user up, and a bulk add takes the lock once per group (a few
     * ms each, on the committing thread).
     */
    private static final class Self {
        static final long PID = ProcessHandle.current().pid();
        static final Instant STARTED = ProcessHandle.current().info().startInstant().orElse(null);
    }

    byte[] toBytes() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("pid", pid);
            g.writeStringField("command", command);
            g.writeStringField("started", started == null ? null : started.toString());
            g.writeStringField("since", since.toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return (w + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A reader that catches the holder's single write half done sees text that does not parse; it
     * reads again rather than report "no holder" for a lock that is held. The write is one small
     * write(2), so a few immediate re-reads are plenty; no sleep, {@code kb status} must not wait.
     */
    private static final int READS = 5;

    /**
     * The live holder of the lock at {@code lockFile}, read from the file without touching the lock
     * itself (so that {@code kb status} never disturbs or waits for a writer). Empty when the file is
     * empty, unreadable, still torn after a few reads, or names a process that is gone.
     *
     * <p>Never call this for a lock file this JVM may hold: closing the file drops the JVM's OS lock.
     * {@link WriterLock#currentHolder} is the safe way in.
     */
    static Optional<LockHolder> readLive(Path lockFile) {
        LockHolder h = null;
        for (int i = 0; i < READS && h == null; i++) {
            String text;
            try {
                // bytes, not readString: a read torn inside a multi-byte character must not throw
                text = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
            } catch (IOException | RuntimeException e) {
                return Optional.empty(); // missing or unreadable: nobody can be named
            }
            if (text.isEmpty()) {
                return Optional.empty(); // no holder, or one that has not written yet
            }
            try {
                h = parse(text);
            } catch (IOException | RuntimeException e) {
                h = null; // torn or garbage: read again
            }
        }
        return h != null && h.isAlive() ? Optional.of(h) : Optional.empty();
    }

    /** The holder written by {@link #toBytes()}, or null when the text is not such an object. */
    static LockHolder parse(String text) throws IOException {
        long pid = -1;
        String command = "";
        String started = null;
        String since = null;
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken t = p.nextToken();
                boolean string = t == JsonToken.VALUE_STRING;
                switch (field) {
                    case "pid" -> pid = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "command" -> command = string ? p.getText() : "";
                    case "started" -> started = string ? p.getText() : null;
                    case "since" -> since = string ? p.getText() : null;
                    default -> p.skipChildren();
                }
            }
        }
        return new LockHolder(pid, command, parseInstant(started), parseInstant(since));
    }

    boolean isAlive() {
        return isAlive(pid, started);
    }

    /**
     * Whether the process {@code pid} runs and started at {@code started} (when known): the test a
     * holder text is trusted by, also for other text a process leaves behind (its progress file).
     * A killed process that its parent has not reaped yet (a zombie) still passes it.
     */
    public static boolean isAlive(long pid, Instant started) {
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) {
            return false;
        }
        Optional<Instant> start = ph.get().info().startInstant();
        // a different start time means the pid was reused by an unrelated process
        return started == null || start.isEmpty()
                || Math.abs(start.get().toEpochMilli() - started.toEpochMilli()) < 1000;
    }

    private static Instant parseInstant(String s) {
        try {
            return s == null || s.isEmpty() || s.equals("null") ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** "pid 1234 (kb add notes/) since 2026-11-21T10:00:00Z" */
    public String describe() {
        return "pid " + pid + " (" + command + ")" + (since == null ? "" : " since " + since);
    }
}
