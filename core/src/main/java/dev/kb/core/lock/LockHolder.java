package dev.kb.core.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** Who holds (or last held) the writer lock, as written into the lock file. */
public record LockHolder(long pid, String command, Instant started, Instant since) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static LockHolder current(String command) {
        ProcessHandle self = ProcessHandle.current();
        return new LockHolder(self.pid(), command,
                self.info().startInstant().orElse(null), Instant.now());
    }

    byte[] toBytes() {
        ObjectNode n = JSON.createObjectNode();
        n.put("pid", pid);
        n.put("command", command);
        n.put("started", started == null ? null : started.toString());
        n.put("since", since.toString());
        return (n.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The live holder of the lock at {@code lockFile}, read without touching the lock itself
     * (so that {@code kb status} never disturbs or waits for a writer). Empty when the file is
     * empty, unreadable, or names a process that is gone.
     */
    public static Optional<LockHolder> readLive(Path lockFile) {
        LockHolder h;
        try {
            String text = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            JsonNode n = JSON.readTree(text);
            h = new LockHolder(n.path("pid").asLong(-1), n.path("command").asText(""),
                    parseInstant(n.path("started").asText(null)), parseInstant(n.path("since").asText(null)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return h.isAlive() ? Optional.of(h) : Optional.empty();
    }

    boolean isAlive() {
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
