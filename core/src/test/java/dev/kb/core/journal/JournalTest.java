package dev.kb.core.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalTest {

    private static final String ID = "0b6f1c9e-5a1e-4a53-9f57-1d2f3c4b5a69";

    /**
     * A committed journal left by the version before {@code title_changed} existed must still
     * recover, and its update must count as a title change: the index is then rebuilt, never left stale.
     */
    @Test
    void aJournalWithoutTitleChangedStillParsesAndCountsAsChanged() throws Exception {
        String previousVersion = """
                {
                  "version" : 1,
                  "id" : "%s",
                  "status" : "committed",
                  "created" : "2026-01-01T00:00:00Z",
                  "command" : "kb add",
                  "backup_dir" : ".kb/staging/j-%s",
                  "entries" : [ ],
                  "docs" : [ {
                    "name" : "a",
                    "action" : "update",
                    "title" : "Alpha",
                    "source" : "/in/a.md"
                  } ]
                }
                """.formatted(ID, ID);

        Journal j = Journal.parse(previousVersion.getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of(new Journal.Doc("a", "update", "Alpha", "/in/a.md", true)), j.docs());
    }

    @Test
    void titleChangedSurvivesTheRoundTrip() throws Exception {
        Journal j = new Journal(Journal.FORMAT, ID, Journal.ACTIVE, "2026-01-01T00:00:00Z", "kb add",
                ".kb/staging/j-" + ID, List.of(),
                List.of(new Journal.Doc("a", "update", "Alpha", "/in/a.md", false),
                        new Journal.Doc("b", "update", "Bravo", "/in/b.md", true)));

        byte[] json = j.toJson();

        assertEquals(j, Journal.parse(json));
        assertTrue(new String(json, StandardCharsets.UTF_8).contains("\"title_changed\" : false"));
    }

    /**
     * The streaming writer gives the bytes an ObjectMapper tree with the default pretty printer
     * gave (the previous writer), nulls, non-ASCII and escapes included: journals written by
     * either read the same.
     */
    @Test
    void theStreamingWriterWritesWhatTheTreeWriterWrote() throws Exception {
        Journal j = new Journal(Journal.FORMAT, ID, Journal.COMMITTED, null, "kb add",
                ".kb/staging/j-" + ID, List.of(new Journal.Entry(".kb/staging/a.md", "wiki/sources/a.md", null),
                        new Journal.Entry(null, "raw/b.pdf", ".kb/staging/j/b.pdf")),
                List.of(new Journal.Doc("a", "add", "Ünïcode \"quoted\"\n\ttab", "/in/a.md", true),
                        new Journal.Doc("b", "remove", null, null, false)), "w-1");
        com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode n = m.createObjectNode();
        n.put("version", j.version());
        n.put("id", j.id());
        n.put("status", j.status());
        n.put("created", j.created());
        n.put("command", j.command());
        n.put("backup_dir", j.backupDir());
        n.put("writer", j.writer());
        com.fasterxml.jackson.databind.node.ArrayNode es = n.putArray("entries");
        for (Journal.Entry e : j.entries()) {
            es.addObject().put("staged", e.staged()).put("target", e.target()).put("backup", e.backup());
        }
        com.fasterxml.jackson.databind.node.ArrayNode ds = n.putArray("docs");
        for (Journal.Doc d : j.docs()) {
            ds.addObject().put("name", d.name()).put("action", d.action()).put("title", d.title())
                    .put("source", d.source()).put("title_changed", d.titleChanged());
        }

        assertEquals(new String(m.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), StandardCharsets.UTF_8),
                new String(j.toJson(), StandardCharsets.UTF_8));
        assertEquals(j, Journal.parse(j.toJson()));
    }
}
