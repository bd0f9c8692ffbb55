package dev.kb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The summary of {@code kb status --json} made independently from outside: read from a private
 * copy of the registry (as {@link KbState} reads it, so looking never changes the KB), documents
 * and bytes by type counted from the rows themselves (not from kb's totals), the last commits from
 * its history. A summary status serves must equal this at the revision it claims.
 */
final class RegistrySummary {
    /** The keys of status's summary section that this rebuilds. */
    static final List<String> KEYS = List.of("summary_revision", "by_type", "total_bytes", "last_commit", "recent");

    private RegistrySummary() {
    }

    /** The registry's revision and summary now, as the JSON keys of {@link #KEYS}. */
    static ObjectNode of(Path kb) {
        Path copy;
        try {
            copy = Files.createTempDirectory("kb-e2e-summary");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.copy(kb.resolve(".kb/registry.db"), copy.resolve("registry.db"));
            if (Files.exists(kb.resolve(".kb/registry.db-wal"))) {
                Files.copy(kb.resolve(".kb/registry.db-wal"), copy.resolve("registry.db-wal"));
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("registry.db"));
                 Statement s = c.createStatement()) {
                return read(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the registry of " + kb + ": " + e.getMessage(), e);
        } finally {
            KbState.deleteTree(copy);
        }
    }

    private static ObjectNode read(Statement s) throws SQLException {
        ObjectNode n = Kb.JSON.createObjectNode();
        try (ResultSet rs = s.executeQuery("SELECT revision FROM registry_state")) {
            rs.next();
            n.put("summary_revision", rs.getLong(1));
        }
        ObjectNode byType = n.putObject("by_type");
        long total = 0;
        try (ResultSet rs = s.executeQuery("SELECT type, count(*), sum(size) FROM documents GROUP BY type ORDER BY type")) {
            while (rs.next()) {
                byType.putObject(rs.getString(1)).put("documents", rs.getLong(2)).put("bytes", rs.getLong(3));
                total += rs.getLong(3);
            }
        }
        n.put("total_bytes", total);
        ArrayNode recent = n.putArray("recent");
        try (ResultSet rs = s.executeQuery("SELECT revision, committed_at, command, added, updated, removed, repaired"
                + " FROM history ORDER BY revision DESC LIMIT 20")) {
            while (rs.next()) {
                ObjectNode c = recent.addObject();
                c.put("revision", rs.getLong(1));
                c.put("time", rs.getString(2));
                c.put("command", rs.getString(3));
                c.put("documents", rs.getInt(4) + rs.getInt(5) + rs.getInt(6) + rs.getInt(7));
                c.put("added", rs.getInt(4));
                c.put("updated", rs.getInt(5));
                c.put("removed", rs.getInt(6));
                c.put("repaired", rs.getInt(7));
            }
        }
        n.set("last_commit", recent.isEmpty() ? Kb.JSON.nullNode() : recent.get(0).deepCopy());
        return n;
    }

    /** The summary keys of a status object. */
    static JsonNode shown(JsonNode status) {
        ObjectNode n = Kb.JSON.createObjectNode();
        for (String k : KEYS) {
            n.set(k, status.get(k));
        }
        return normal(n);
    }

    /** The registry's summary, in the node types a parsed status has (Jackson's IntNode never equals a LongNode). */
    static JsonNode expected(Path kb) {
        return normal(of(kb));
    }

    private static JsonNode normal(JsonNode n) {
        try {
            return Kb.JSON.readTree(n.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of rows in the history and the documents its commits added in all. */
    static long[] historyTotals(Path kb) {
        JsonNode recent = of(kb).get("recent");
        long added = 0;
        for (JsonNode c : recent) {
            added += c.get("added").asLong();
        }
        return new long[] {recent.size(), added};
    }
}
