package dev.kb.core.progress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * What one running batch has done so far: the contents of its progress file (format
 * {@value #FORMAT}), one JSON object:
 *
 * <pre>
 * {"format":1,"pid":4242,"process_started":"…Z","command":"kb add","phase":null,
 *  "started_at":"…Z","updated_at":"…Z","inputs":7425,"done":120,"added":100,"updated":3,
 *  "skipped":15,"failed":2,"removed":0,"repaired":0,"current":"notes/a.md",
 *  "docs_per_second":35.2,"eta_seconds":208}
 * </pre>
 *
 * @param processStarted the writer's start time, for the pid test ({@code LockHolder.isAlive})
 * @param phase          what a {@code kb recover} is at ("verifying", "repairing"); null for other batches
 * @param startedAt      when the batch began
 * @param updatedAt      when this was written
 * @param inputs         how many inputs the batch has, null while not known yet (a directory still
 *                       being walked)
 * @param done           inputs finished so far (of the phase, for recover), whatever their outcome
 * @param current        the input being worked on: the one the batch waits for next; null when none
 * @param docsPerSecond  inputs finished per second over the last ten seconds or so; null at first
 * @param etaSeconds     seconds left at that rate; null when the total or the rate is not known
 */
public record Progress(long pid, Instant processStarted, String command, String phase, Instant startedAt,
                       Instant updatedAt, Long inputs, long done, long added, long updated, long skipped, long failed,
                       long removed, long repaired, String current, Double docsPerSecond, Long etaSeconds) {

    public static final int FORMAT = 1;

    /** Streaming only, as for the lock holder: Jackson's ObjectMapper costs {@code kb status} some 100 ms. */
    private static final JsonFactory JSON = new JsonFactory();

    byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeNumberField("pid", pid);
            g.writeStringField("process_started", text(processStarted));
            g.writeStringField("command", command);
            g.writeStringField("phase", phase);
            g.writeStringField("started_at", text(startedAt));
            g.writeStringField("updated_at", text(updatedAt));
            g.writeFieldName("inputs");
            if (inputs == null) {
                g.writeNull();
            } else {
                g.writeNumber(inputs);
            }
            g.writeNumberField("done", done);
            g.writeNumberField("added", added);
            g.writeNumberField("updated", updated);
            g.writeNumberField("skipped", skipped);
            g.writeNumberField("failed", failed);
            g.writeNumberField("removed", removed);
            g.writeNumberField("repaired", repaired);
            g.writeStringField("current", current);
            g.writeFieldName("docs_per_second");
            if (docsPerSecond == null) {
                g.writeNull();
            } else {
                g.writeNumber(Math.round(docsPerSecond * 10) / 10.0);
            }
            g.writeFieldName("eta_seconds");
            if (etaSeconds == null) {
                g.writeNull();
            } else {
                g.writeNumber(etaSeconds);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * The progress a file holds, or null when it is not such an object: another format, a pid
     * missing, or text that does not parse (the file is renamed into place whole, so only a file
     * someone else wrote can be torn).
     */
    static Progress parse(byte[] bytes) {
        long pid = -1;
        int format = -1;
        String processStarted = null;
        String command = null;
        String phase = null;
        String startedAt = null;
        String updatedAt = null;
        Long inputs = null;
        long[] n = new long[7];
        String current = null;
        Double rate = null;
        Long eta = null;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                boolean integer = t == JsonToken.VALUE_NUMBER_INT;
                boolean number = integer || t == JsonToken.VALUE_NUMBER_FLOAT;
                String string = t == JsonToken.VALUE_STRING ? p.getText() : null;
                switch (field) {
                    case "format" -> format = integer ? p.getIntValue() : -1;
                    case "pid" -> pid = integer ? p.getLongValue() : -1;
                    case "process_started" -> processStarted = string;
                    case "command" -> command = string;
                    case "phase" -> phase = string;
                    case "started_at" -> startedAt = string;
                    case "updated_at" -> updatedAt = string;
                    case "inputs" -> inputs = integer ? p.getLongValue() : null;
                    case "done" -> n[0] = integer ? p.getLongValue() : 0;
                    case "added" -> n[1] = integer ? p.getLongValue() : 0;
                    case "updated" -> n[2] = integer ? p.getLongValue() : 0;
                    case "skipped" -> n[3] = integer ? p.getLongValue() : 0;
                    case "failed" -> n[4] = integer ? p.getLongValue() : 0;
                    case "removed" -> n[5] = integer ? p.getLongValue() : 0;
                    case "repaired" -> n[6] = integer ? p.getLongValue() : 0;
                    case "current" -> current = string;
                    case "docs_per_second" -> rate = number ? p.getDoubleValue() : null;
                    case "eta_seconds" -> eta = integer ? p.getLongValue() : null;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (format != FORMAT || pid <= 0) {
            return null;
        }
        return new Progress(pid, instant(processStarted), command == null ? "kb" : command, phase, instant(startedAt),
                instant(updatedAt), inputs, n[0], n[1], n[2], n[3], n[4], n[5], n[6], current, rate, eta);
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Instant instant(String s) {
        try {
            return s == null || s.isEmpty() ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
