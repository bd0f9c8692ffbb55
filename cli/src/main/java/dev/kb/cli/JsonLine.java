package dev.kb.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object of kb's machine output, fields in the order they were put, written on one line
 * with Jackson's streaming generator. (Jackson's ObjectMapper would cost some 100 ms of start-up,
 * which {@code kb status --json}, run by scripts every minute, should not pay.) Values are
 * strings, numbers, booleans, null, collections of those, and nested objects.
 */
final class JsonLine {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    JsonLine put(String name, Object value) {
        if (!(value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Collection<?> || value instanceof JsonLine)) {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
        fields.put(name, value);
        return this;
    }

    /** A nested object under {@code name}, returned for filling in. */
    JsonLine putObject(String name) {
        JsonLine child = new JsonLine();
        fields.put(name, child);
        return child;
    }

    @Override
    public String toString() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, this);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumber(n.doubleValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof JsonLine o) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : o.fields.entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }
}
