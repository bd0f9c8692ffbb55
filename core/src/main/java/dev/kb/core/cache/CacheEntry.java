package dev.kb.core.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kb.core.fs.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One cache entry: the key it was stored under, when, a few fields (what kb keeps of a response,
 * a conversion's front matter) and the blobs it refers to by SHA-256. The blobs' bytes are
 * stored apart, content-addressed; an entry is small and read whole.
 *
 * <p>Stored form ({@link #encode}): one header line {@code kb-cache-entry 1 <sha256>} whose hash
 * is of the JSON that follows it, so an entry cut short, overwritten or flipped by a bit is
 * {@link Malformed}, never misread; a blob is trusted only when its own bytes hash to what the
 * entry says (checked by {@link SourceCaches}, not by the providers).
 *
 * @param key      the key the entry was stored under, as stored (a lookup compares it to the one asked for)
 * @param storedAt when it was stored or last revalidated, epoch milliseconds (for {@code --cache-max-age})
 * @param fields   JSON values: strings, numbers, booleans, lists, maps; in insertion order
 * @param blobs    the bytes it refers to, by name ({@code raw}, {@code body}, {@code tree})
 */
public record CacheEntry(CacheKey key, long storedAt, Map<String, Object> fields, List<Blob> blobs) {
    /** The version of this stored form; another is {@link Malformed}. */
    public static final int FORMAT = 1;

    private static final String MAGIC = "kb-cache-entry";
    /**
     * Made on first encode or decode, not with the first entry: making an ObjectMapper loads most
     * of jackson-databind (about 90 ms on a cold JVM), which an entry made from another KB's row
     * ({@code kb:PATH}) never needs, and which would otherwise fall inside its first look-up's deadline.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * Bytes an entry refers to.
     *
     * @param name   what they are within the entry
     * @param sha256 lower-case hex SHA-256 of the bytes: the name they are stored under
     * @param size   their length
     */
    public record Blob(String name, String sha256, long size) {
        public Blob {
            Objects.requireNonNull(name, "name");
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
            }
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
        }
    }

    /** A stored entry that cannot be read: cut short, damaged, or of another format. A miss. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }

        public Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public CacheEntry {
        Objects.requireNonNull(key, "key");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        blobs = List.copyOf(blobs);
    }

    /** The blob named {@code name}. */
    public Optional<Blob> blob(String name) {
        return blobs.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** A string field, or null when absent or not a string. */
    public String text(String field) {
        return fields.get(field) instanceof String s ? s : null;
    }

    /** The same entry stored (or revalidated) at {@code millis}. */
    public CacheEntry storedAt(long millis) {
        return new CacheEntry(key, millis, fields, blobs);
    }

    /** The sum of the blobs' sizes. */
    public long blobBytes() {
        return blobs.stream().mapToLong(Blob::size).sum();
    }

    /** The stored form: the header line, then the JSON (see the class comment). */
    public byte[] encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", key.kind().tag());
        m.put("name", key.name());
        m.put("version", key.version());
        m.put("stored_at", storedAt);
        m.put("fields", fields);
        List<Map<String, Object>> bs = new ArrayList<>();
        for (Blob b : blobs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", b.name());
            o.put("sha256", b.sha256());
            o.put("size", b.size());
            bs.add(o);
        }
        m.put("blobs", bs);
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cache entry fields must be JSON values: " + e.getOriginalMessage(), e);
        }
        byte[] head = (MAGIC + " " + FORMAT + " " + Hashing.sha256Hex(body) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /** Reads {@link #encode}'s form back; anything else, or anything damaged, is {@link Malformed}. */
    public static CacheEntry decode(byte[] stored) throws Malformed {
        if (stored == null) {
            throw new Malformed("empty entry");
        }
        int nl = -1;
        for (int i = 0; i < Math.min(stored.length, 200); i++) {
            if (stored[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            throw new Malformed("no entry header");
        }
        String[] head = new String(stored, 0, nl, StandardCharsets.US_ASCII).split(" ");
        if (head.length != 3 || !head[0].equals(MAGIC)) {
            throw new Malformed("not a kb cache entry");
        }
        if (!head[1].equals(Integer.toString(FORMAT))) {
            throw new Malformed("entry format " + head[1] + ", not " + FORMAT);
        }
        byte[] body = java.util.Arrays.copyOfRange(stored, nl + 1, stored.length);
        if (!Hashing.sha256Hex(body).equals(head[2])) {
            throw new Malformed("entry does not match its hash (cut short or damaged)");
        }
        try {
            Map<String, Object> m = Json.MAPPER.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
            CacheKey.Kind kind = CacheKey.Kind.ofTag(string(m, "kind"));
            if (kind == null) {
                throw new Malformed("unknown entry kind " + m.get("kind"));
            }
            CacheKey key = new CacheKey(kind, string(m, "name"), string(m, "version"));
            if (!(m.get("stored_at") instanceof Number at)) {
                throw new Malformed("entry without stored_at");
            }
            if (!(m.get("fields") instanceof Map<?, ?> f) || !(m.get("blobs") instanceof List<?> bl)) {
                throw new Malformed("entry without fields or blobs");
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            f.forEach((k, v) -> fields.put(String.valueOf(k), v));
            List<Blob> blobs = new ArrayList<>();
            for (Object o : bl) {
                if (!(o instanceof Map<?, ?> b) || !(b.get("size") instanceof Number size)
                        || !(b.get("name") instanceof String name) || !(b.get("sha256") instanceof String sha)) {
                    throw new Malformed("entry with a malformed blob");
                }
                blobs.add(new Blob(name, sha, size.longValue()));
            }
            return new CacheEntry(key, at.longValue(), fields, blobs);
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new Malformed("unreadable entry: " + e.getMessage(), e);
        }
    }

    private static String string(Map<String, Object> m, String field) throws Malformed {
        if (!(m.get(field) instanceof String s)) {
            throw new Malformed("entry without " + field);
        }
        return s;
    }
}
