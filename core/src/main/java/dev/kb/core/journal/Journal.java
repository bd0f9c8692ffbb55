package dev.kb.core.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk record of one mutation in flight. Immutable; {@link #committed()} returns the copy
 * with the committed status. Format version {@value #FORMAT}; every path is KB-relative. Fields
 * added later are optional and read with a safe default, so the version only changes when an older
 * reader would misread a journal, and journals left by an older version still recover.
 *
 * <p>Version 2 adds the actions {@code remove} and {@code repair}: a kb that reads only version 1
 * would log a removed document as "updated" and keep its index line, so it must refuse such a
 * journal (it quarantines it) rather than misread it. It also adds {@code writer}. Version 1
 * journals (actions {@code add} and {@code update} only) are still read and recovered.
 *
 * @param backupDir  where live files are parked while replaced ({@code .kb/staging/j-<id>})
 * @param entries    files to publish or retire, in order
 * @param docs       what the mutation does to which documents, for the log and index hooks
 * @param writer     the staging folder ({@code .kb/staging/p-<uuid>}) of the process that wrote
 *                   it, whose owner lock tells recovery whether that writer still runs; null in
 *                   version 1, where only the staged paths of the entries tell (a journal that
 *                   only retires files, a remove, has none)
 */
public record Journal(int version, String id, String status, String created, String command,
                      String backupDir, List<Entry> entries, List<Doc> docs, String writer) {

    public static final int FORMAT = 2;
    /** The actions of {@link Doc}, by the version that introduced them. */
    private static final List<String> ACTIONS_V1 = List.of("add", "update");
    private static final List<String> ACTIONS_V2 = List.of("add", "update", "remove", "repair");
    public static final String ACTIVE = "active";
    public static final String COMMITTED = "committed";


    /**
     * One file or folder: {@code staged} (null when the entry only retires what is live: a remove)
     * goes to {@code target}; {@code backup} (null when the target did not exist) is where the old
     * target waits until the journal is discarded.
     */
    public record Entry(String staged, String target, String backup) {
    }

    /**
     * One document touched: its name, its action ({@code add}, {@code update}, {@code remove},
     * {@code repair}), title and source URI.
     *
     * @param titleChanged whether the title differs from the one registered before the mutation
     *                     (always true for an add). An update keeps its name, so only this can
     *                     change its line in the index; false lets the hook leave the index alone
     *                     instead of rebuilding it from every row. Stored as the optional field
     *                     {@code title_changed}: journals written before it existed have none and
     *                     read as true, which costs a rebuild, never a stale index.
     */
    public record Doc(String name, String action, String title, String source, boolean titleChanged) {
    }

    public Journal {
        entries = List.copyOf(entries);
        docs = List.copyOf(docs);
    }

    /** A journal that names no writer folder (version 1, or a test's hand-made one). */
    public Journal(int version, String id, String status, String created, String command, String backupDir,
                   List<Entry> entries, List<Doc> docs) {
        this(version, id, status, created, command, backupDir, entries, docs, null);
    }

    public Journal committed() {
        return new Journal(version, id, COMMITTED, created, command, backupDir, entries, docs, writer);
    }

    /**
     * Written with Jackson's streaming generator, byte for byte what an ObjectMapper tree with
     * the default pretty printer gives (JournalTest checks it against one): building an
     * ObjectMapper costs every {@code kb add} its data-binding classes, some 15 ms of a
     * command's start. Parsing, on recovery's path only, still uses one ({@link Mapper}).
     */
    public byte[] toJson() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(512);
        try (com.fasterxml.jackson.core.JsonGenerator g = JSON_FACTORY.createGenerator(bytes)) {
            g.setPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeNumberField("version", version);
            g.writeStringField("id", id);
            g.writeStringField("status", status);
            g.writeStringField("created", created);
            g.writeStringField("command", command);
            g.writeStringField("backup_dir", backupDir);
            if (writer != null) {
                g.writeStringField("writer", writer);
            }
            g.writeArrayFieldStart("entries");
            for (Entry e : entries) {
                write(g, e);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("docs");
            for (Doc d : docs) {
                write(g, d);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("strings always serialise", e);
        }
        return bytes.toByteArray();
    }

    // One entry or document per call, not inline in the loops: see SqliteRegistry.bindRow (a loop
    // run once per group stays interpreted; a method called per document is compiled).
    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Entry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("staged", e.staged());
        g.writeStringField("target", e.target());
        g.writeStringField("backup", e.backup());
        g.writeEndObject();
    }

    private static void write(com.fasterxml.jackson.core.JsonGenerator g, Doc d) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", d.name());
        g.writeStringField("action", d.action());
        g.writeStringField("title", d.title());
        g.writeStringField("source", d.source());
        g.writeBooleanField("title_changed", d.titleChanged());
        g.writeEndObject();
    }

    private static final com.fasterxml.jackson.core.JsonFactory JSON_FACTORY = new com.fasterxml.jackson.core.JsonFactory();

    /** The data-binding mapper, made on first use: only recovery reads journals back. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** Parses a journal; {@link CorruptJournalException} says what is wrong with it. */
    public static Journal parse(byte[] bytes) throws CorruptJournalException {
        if (bytes.length == 0) {
            throw new CorruptJournalException("empty file");
        }
        JsonNode n;
        try {
            n = Mapper.JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CorruptJournalException("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new CorruptJournalException("not a JSON object");
        }
        int version = n.path("version").asInt(-1);
        if (version != 1 && version != FORMAT) {
            throw new CorruptJournalException(n.has("version")
                    ? "unknown format version " + n.get("version") : "missing field 'version'");
        }
        String id = text(n, "id", true);
        String status = text(n, "status", true);
        if (!status.equals(ACTIVE) && !status.equals(COMMITTED)) {
            throw new CorruptJournalException("unknown status '" + status + "'");
        }
        JsonNode es = n.get("entries");
        JsonNode ds = n.get("docs");
        if (es == null || !es.isArray()) {
            throw new CorruptJournalException("missing field 'entries'");
        }
        if (ds == null || !ds.isArray()) {
            throw new CorruptJournalException("missing field 'docs'");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : es) {
            String target = text(e, "target", true);
            String staged = text(e, "staged", false);
            String backup = text(e, "backup", false);
            if (staged == null && backup == null) {
                throw new CorruptJournalException("entry for " + target + " has neither 'staged' nor 'backup'");
            }
            entries.add(new Entry(staged, target, backup));
        }
        List<Doc> docs = new ArrayList<>();
        for (JsonNode d : ds) {
            // lenient on purpose: only an explicit false saves work, anything else means "rebuild"
            JsonNode changed = d.get("title_changed");
            boolean titleChanged = changed == null || !changed.isBoolean() || changed.booleanValue();
            String action = text(d, "action", true);
            if (!(version == 1 ? ACTIONS_V1 : ACTIONS_V2).contains(action)) {
                throw new CorruptJournalException("unknown action '" + action + "' in a version " + version + " journal");
            }
            docs.add(new Doc(text(d, "name", true), action, text(d, "title", false),
                    text(d, "source", false), titleChanged));
        }
        return new Journal(version, id, status, text(n, "created", false), text(n, "command", false),
                text(n, "backup_dir", true), entries, docs, version == 1 ? null : text(n, "writer", false));
    }

    private static String text(JsonNode n, String field, boolean required) throws CorruptJournalException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new CorruptJournalException("missing field '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new CorruptJournalException("field '" + field + "' is not a string");
        }
        return v.asText();
    }

    /** A journal that cannot be trusted to drive a rollback. */
    public static final class CorruptJournalException extends Exception {
        public CorruptJournalException(String message) {
            super(message);
        }
    }
}
