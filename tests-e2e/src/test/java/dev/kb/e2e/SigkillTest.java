package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code kb add} of a directory killed with SIGKILL at random moments while it commits; recovery
 * must leave the KB at rest without losing anything that was reported added, and adding the
 * directory again must converge to every document exactly once.
 */
class SigkillTest extends E2EBase {
    static final int FILES = 300;
    static final int ROUNDS = 4;

    @Test
    void killedAtRandomMomentsThenRecoveredAndConverged() throws Exception {
        long seed = Long.getLong("kb.e2e.seed", System.nanoTime());
        System.out.println("SigkillTest seed " + seed + " (rerun with -Dkb.e2e.seed=" + seed + ")");
        Random rnd = new Random(seed);
        init();
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < FILES; i++) {
            file("corpus/n" + i + ".md", markdown("Note " + i, "Body of note " + i + ", seed " + seed + ", "
                    + Long.toHexString(rnd.nextLong())));
            expected.add("n" + i);
        }

        Set<String> reportedAdded = new HashSet<>();
        for (int round = 1; round <= ROUNDS; round++) {
            int present = KbState.rows(kb).size();
            int remaining = FILES - present;
            if (remaining < 10) {
                break;
            }
            int threshold = 1 + rnd.nextInt(Math.max(1, remaining * 2 / 3));
            int jitterMillis = rnd.nextInt(40);
            Kb.Running add = startKb("add", "corpus");
            // a commit is observable: its documents' "added" lines come right after it
            Kb.awaitCondition(Duration.ofSeconds(60), threshold + " added lines or exit",
                    () -> addedLines(add.err()).size() >= threshold || !add.process.isAlive());
            // the kill lands a random few milliseconds later: inside the next group's commit or between groups
            Thread.sleep(jitterMillis);
            boolean killed = add.process.isAlive();
            add.kill();
            List<String> added = addedLines(add.err());
            reportedAdded.addAll(added);
            System.out.printf("round %d: threshold %d + %d ms, %s after %d added lines%n", round, threshold,
                    jitterMillis, killed ? "SIGKILL" : "finished before the kill", added.size());

            // a dead holder is no holder: status answers and names none
            JsonNode st = status();
            assertTrue(st.get("lock").isNull(), "the killed process is reported as the lock holder: " + st);

            kb("recover").expect(0).assertNoStackTrace();
            List<KbState.Row> rows = KbState.assertAtRest(kb);
            Set<String> names = KbState.names(rows);
            assertTrue(expected.containsAll(names), "unexpected documents: " + names);
            assertTrue(names.containsAll(reportedAdded), "documents reported added were lost: "
                    + reportedAdded.stream().filter(n -> !names.contains(n)).toList());
        }

        int before = KbState.rows(kb).size();
        Kb.Result last = kb("add", "--json", "corpus").expect(0);
        assertEquals(FILES, last.events().size());
        assertEquals(0, last.summary().get("failed").asInt());
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(FILES, rows.size());
        assertEquals(expected, KbState.names(rows));
        Set<String> uris = new HashSet<>();
        for (KbState.Row r : rows) {
            assertTrue(uris.add(r.sourceUri()), "source twice: " + r.sourceUri());
            assertEquals(work.resolve("corpus/" + r.docName() + ".md").toRealPath().toString(), r.sourceUri());
        }
        assertEquals(FILES - before, last.summary().get("added").asInt());
        assertEquals(before, last.summary().get("skipped").asInt());
        assertEquals(FILES, status().get("documents").asInt());
    }

    /** Document names from the "added    <input> -> <name>" progress lines. */
    static List<String> addedLines(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("added ") && l.contains(" -> "))
                .map(l -> l.substring(l.lastIndexOf(" -> ") + 4).trim()).toList();
    }
}
