package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM (what Ctrl-C's sibling, a service manager or {@code timeout} sends) during a large add:
 * kb finishes the group it is committing and stops there, so the KB is at rest the moment the
 * process is gone, before any other command has run, and nothing it reported added is missing.
 */
class SigtermTest extends E2EBase {
    static final int FILES = 2000;

    @Test
    void stopsAtAGroupBoundaryAndLeavesTheKbAtRest() {
        init();
        for (int i = 0; i < FILES; i++) {
            file("corpus/t" + i + ".md", markdown("Term " + i, "Body of note " + i + "."));
        }
        Kb.Running add = startKb("add", "corpus");
        Kb.awaitCondition(Duration.ofSeconds(60), "a first committed group or exit",
                () -> !SigkillTest.addedLines(add.err()).isEmpty() || !add.process.isAlive());
        assertTrue(add.process.isAlive(), "the add finished before it could be signalled; stderr:\n" + add.err());

        // SIGTERM, as kill(1) or a service manager sends it. (Process.destroy() would also close
        // our ends of the child's pipes, so whatever it prints while stopping would be lost.)
        assertTrue(add.process.toHandle().destroy(), "SIGTERM could not be sent");
        Kb.Result r = add.await(Duration.ofSeconds(60));
        assertEquals(143, r.code(), "exit status after SIGTERM (128 + 15); stderr:\n" + r.err());
        r.assertNoStackTrace();

        // No recover, no other command in between: the stop itself left the KB at rest.
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        Set<String> names = KbState.names(rows);
        List<String> reported = SigkillTest.addedLines(r.err());
        assertTrue(names.containsAll(reported), "documents reported added are missing");
        assertTrue(rows.size() < FILES, "the add was not stopped early: " + rows.size() + " documents");
        assertTrue(r.err().contains("kb: interrupted: stopped after the group being committed"), r.err());
        assertTrue(r.err().contains("kb: " + reported.size() + " added, 0 updated, 0 skipped, 0 failed"),
                "the summary counts what was done before the stop:\n" + r.err());
        assertEquals(rows.size(), reported.size(), "every committed document was reported");
        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), "a stopped writer is still named as the lock holder: " + st);
        assertEquals(0, st.get("pending_journals").asInt(), st.toString());

        // and adding again completes the rest
        Kb.Result again = kb("add", "--json", "corpus").expect(0);
        assertEquals(FILES - rows.size(), again.summary().get("added").asInt());
        assertEquals(FILES, KbState.assertAtRest(kb).size());
    }
}
