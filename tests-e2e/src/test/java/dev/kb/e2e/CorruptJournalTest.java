package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Unreadable journals are quarantined, kept, reported, and never block or steer the KB. */
class CorruptJournalTest extends E2EBase {

    @Test
    void corruptJournalsAreQuarantinedAndTheAddGoesOn() throws Exception {
        init();
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "outside the KB, must survive");
        Map<String, byte[]> journals = new LinkedHashMap<>();
        journals.put(UUID.randomUUID().toString(), new byte[0]);
        journals.put(UUID.randomUUID().toString(), "not json".getBytes(StandardCharsets.UTF_8));
        journals.put(UUID.randomUUID().toString(), "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        // well-formed, but its paths leave the KB: rolling it back would delete ../victim.txt
        String hostile = UUID.randomUUID().toString();
        journals.put(hostile, ("{\"version\":1,\"id\":\"" + hostile + "\",\"status\":\"active\",\"backup_dir\":"
                + "\".kb/staging/j-" + hostile + "\",\"entries\":[{\"staged\":\".kb/staging/gone\",\"target\":"
                + "\"../victim.txt\",\"backup\":null}],\"docs\":[]}").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> j : journals.entrySet()) {
            Files.write(kb.resolve(".kb/journal/" + j.getKey() + ".json"), j.getValue());
        }
        assertEquals(journals.size(), status().get("pending_journals").asInt());

        file("x.md", markdown("X", "added past the broken journals"));
        Kb.Result r = kb("add", "--json", "x.md").expect(0).assertNoStackTrace();
        assertEquals("added", r.events().get(0).get("status").asText());
        for (String id : journals.keySet()) {
            List<String> warnings = r.errLines().stream().filter(l -> l.contains(id)).toList();
            assertEquals(1, warnings.size(), "one warning per journal " + id + ":\n" + r.err());
            assertTrue(warnings.get(0).contains("quarantine"), warnings.get(0));
        }

        // every journal is preserved byte for byte under .kb/quarantine/
        List<String> quarantined = KbState.list(kb.resolve(".kb/quarantine"));
        for (Map.Entry<String, byte[]> j : journals.entrySet()) {
            List<String> mine = quarantined.stream().filter(n -> n.startsWith(j.getKey() + ".json")).toList();
            assertEquals(1, mine.size(), "quarantine holds " + quarantined);
            assertArrayEquals(j.getValue(), Files.readAllBytes(kb.resolve(".kb/quarantine/" + mine.get(0))));
        }
        assertEquals("outside the KB, must survive", Files.readString(victim));
        assertEquals(Set.of("x"), KbState.names(KbState.assertAtRest(kb)));
        assertEquals(0, status().get("pending_journals").asInt());
        // and nothing is left for recover to complain about
        kb("recover").expect(0);
    }
}
