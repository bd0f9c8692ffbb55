package dev.kb.core.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.fs.Hashing;
import dev.kb.core.store.PageOrigin;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The record of how a staged page was made ({@link PageOrigin}): the key it was made under, the
 * hash of its bytes and the fields of the cache entry under that key, as JSON. Written with
 * Jackson's streaming generator, whose core every add already loads for the front matter: the
 * data-binding mapper would cost a run without caches some 90 ms of class loading for a few
 * hundred bytes.
 */
final class PageOrigins {
    private PageOrigins() {
    }

    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    /**
     * The origin of the page staged at {@code page}, made under {@code key} from {@code fields};
     * null when a value of the fields is not one JSON holds as it is (then nothing is recorded,
     * and the page is never served from this KB as a conversion).
     */
    static PageOrigin of(CacheKey key, Path page, Map<String, Object> fields) throws IOException {
        String json = json(fields);
        return json == null ? null : new PageOrigin(key.id(), Hashing.sha256Hex(page), json);
    }

    /** The same for a page held in memory. */
    static PageOrigin of(CacheKey key, byte[] page, Map<String, Object> fields) {
        String json = json(fields);
        return json == null ? null : new PageOrigin(key.id(), Hashing.sha256Hex(page), json);
    }

    /** {@code fields} as a JSON object, or null when a value is not text, a number, a boolean, null, or a list or map of them. */
    static String json(Map<String, Object> fields) {
        if (!writable(fields)) {
            return null;
        }
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            write(g, fields);
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString();
    }

    private static boolean writable(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte) {
            return true;
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().allMatch(e -> e.getKey() instanceof String && writable(e.getValue()));
        }
        return v instanceof List<?> l && l.stream().allMatch(PageOrigins::writable);
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            g.writeNumber(((Number) v).longValue());
        }
    }
}
