package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code kb remove --from-file} of 400 of 600 documents killed with SIGKILL at random moments
 * once it is at work (its journal on disk, or its first group reported); recovery must leave
 * every document whole or gone and the KB at rest, never bring back one that was reported
 * removed, never touch one that was not named, and the same remove again must finish the job.
 */
class RemoveSigkillTest extends E2EBase {
    static final int FILES = 600;
    static final int LISTED = 400;
    static final int ROUNDS = 4;

    @Test
    void killedAtRandomMomentsThenRecoveredAndFinished() throws Exception {
        long seed = Long.getLong("kb.e2e.seed", System.nanoTime());
        System.out.println("RemoveSigkillTest seed " + seed + " (rerun with -Dkb.e2e.seed=" + seed + ")");
        Random rnd = new Random(seed);
        init();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            file("corpus/n" + i + ".md", markdown("Note " + i, "Body of note " + i + ", seed " + seed + ", "
                    + Long.toHexString(rnd.nextLong())));
            all.add("n" + i);
        }
        kb("add", "--quiet", "corpus").expect(0);
        assertEquals(FILES, KbState.assertAtRest(kb).size());

        // 400 of them in a random order, every fifth named by its source path instead of its name
        List<String> listed = new ArrayList<>(all);
        Collections.shuffle(listed, rnd);
        listed = List.copyOf(listed.subList(0, LISTED));
        Set<String> kept = new TreeSet<>(all);
        listed.forEach(kept::remove);
        StringBuilder list = new StringBuilder("# the documents to remove\n\n");
        for (int i = 0; i < listed.size(); i++) {
            list.append(i % 5 == 0 ? "corpus/" + listed.get(i) + ".md" : listed.get(i)).append('\n');
        }
        file("remove.txt", list.toString());

        for (int round = 1; round <= ROUNDS; round++) {
            if (round > 1) {
                // every round starts from all 600: what the last one removed is added again
                kb("add", "--quiet", "corpus").expect(0);
                assertEquals(FILES, KbState.assertAtRest(kb).size());
            }
            boolean atJournal = rnd.nextBoolean();
            int jitterMillis = rnd.nextInt(atJournal ? 600 : 250);
            long t0 = System.nanoTime();
            Kb.Running rm = startKb("remove", "--json", "--from-file", "remove.txt");
            // started: its first journal is on disk (a group in flight), or its first group is reported
            if (atJournal) {
                Kb.awaitCondition(Duration.ofSeconds(60), "a journal of kb remove, or its exit",
                        () -> !KbState.list(kb.resolve(".kb/journal")).isEmpty() || !removed(rm.out()).isEmpty()
                                || !rm.process.isAlive());
            } else {
                Kb.awaitCondition(Duration.ofSeconds(60), "the first removed event, or the exit",
                        () -> !removed(rm.out()).isEmpty() || !rm.process.isAlive());
            }
            long started = System.nanoTime();
            // the kill lands a random few milliseconds later: inside a group's commit or between groups
            Thread.sleep(jitterMillis);
            boolean killed = rm.process.isAlive();
            rm.kill();
            List<String> reported = removed(rm.out());
            System.out.printf("round %d: %s at %d ms, + %d ms: %s after %d removed events%n", round,
                    atJournal ? "first journal" : "first event", (started - t0) / 1_000_000, jitterMillis,
                    killed ? "SIGKILL" : "finished before the kill", reported.size());

            JsonNode st = status();
            assertTrue(st.get("lock").isNull(), "the killed process is reported as the lock holder: " + st);

            kb("recover").expect(0).assertNoStackTrace();
            Set<String> names = assertWholeOrGone(kept);
            for (String n : reported) {
                assertTrue(!names.contains(n), n + " was reported removed but is back");
            }
        }

        // the same list once more finishes the job: what is left is removed, the rest fails alone
        int left = KbState.names(KbState.rows(kb)).size() - kept.size();
        Kb.Result last = kb("remove", "--json", "--from-file", "remove.txt").expect(left == LISTED ? 0 : 1);
        JsonNode s = last.summary();
        assertEquals(LISTED, last.events().size());
        assertEquals(left, s.get("removed").asInt(), s.toString());
        assertEquals(LISTED - left, s.get("failed").asInt(), s.toString());
        assertEquals(0, s.get("skipped").asInt(), s.toString());
        for (JsonNode e : last.events()) {
            if (e.get("status").asText().equals("failed")) {
                assertTrue(e.get("error").asText().contains("not in the knowledge base"), e.toString());
            }
        }
        assertEquals(kept, assertWholeOrGone(kept));
        assertEquals(kept.size(), status().get("documents").asInt());
    }

    /**
     * SIGTERM once the first group is reported: kb finishes the group it is committing and stops
     * there (exit 143), so the KB is at rest the moment the process is gone, before any other
     * command, and what is gone is exactly what it reported removed.
     */
    @Test
    void sigtermStopsAtAGroupBoundary() throws Exception {
        int files = 1200; // five groups: after the first is reported, seconds of work are left
        init();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < files; i++) {
            file("corpus/t" + i + ".md", markdown("Term " + i, "Body of term " + i + "."));
            list.append("t").append(i).append('\n');
        }
        file("all.txt", list.toString());
        kb("add", "--quiet", "corpus").expect(0);
        Kb.Running rm = startKb("remove", "--json", "--from-file", "all.txt");
        Kb.awaitCondition(Duration.ofSeconds(60), "the first removed event",
                () -> !removed(rm.out()).isEmpty() || !rm.process.isAlive());
        assertTrue(rm.process.isAlive(), "the remove ended before it was signalled:\n" + rm.err());
        assertTrue(rm.process.toHandle().destroy(), "SIGTERM could not be sent");
        Kb.Result r = rm.await(Duration.ofSeconds(60));
        assertEquals(143, r.code(), "exit status after SIGTERM (128 + 15); stderr:\n" + r.err());
        r.assertNoStackTrace();

        List<KbState.Row> rows = KbState.assertAtRest(kb); // no recover in between
        List<String> reported = removed(r.out());
        assertTrue(reported.size() < files, "nothing was left to stop");
        Set<String> gone = new TreeSet<>();
        for (int i = 0; i < files; i++) {
            gone.add("t" + i);
        }
        gone.removeAll(KbState.names(rows));
        assertEquals(new TreeSet<>(reported), gone, "what is gone is what was reported removed");
        assertEquals(reported.size(), r.summary().get("removed").asInt());
        assertTrue(r.err().contains("kb: interrupted: stopped after the last committed group"), r.err());
        assertEquals(KbState.names(rows), KbState.indexNames(kb));
        assertEquals(0, status().get("pending_journals").asInt());
    }

    /**
     * At rest, every document not listed is there, every one that is there has the bytes it was
     * added with, and the index lists exactly the documents of the registry. Returns the names.
     */
    private Set<String> assertWholeOrGone(Set<String> kept) throws IOException {
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        Set<String> names = KbState.names(rows);
        assertTrue(names.containsAll(kept), "a document that was never named is gone");
        for (KbState.Row r : rows) {
            Path input = work.resolve("corpus/" + r.docName() + ".md");
            assertEquals(KbState.sha256(Files.readAllBytes(input)), r.sha256(), r.toString());
            assertEquals(input.toRealPath().toString(), r.sourceUri());
        }
        assertEquals(names, KbState.indexNames(kb), "the index and the registry disagree");
        return names;
    }

    /** Document names of the "removed" events among the whole lines printed so far. */
    static List<String> removed(String stdout) {
        List<String> docs = new ArrayList<>();
        int end = stdout.lastIndexOf('\n'); // a kill can cut the last line short
        if (end < 0) {
            return docs;
        }
        for (String line : stdout.substring(0, end).split("\n")) {
            JsonNode e;
            try {
                e = Kb.JSON.readTree(line);
            } catch (IOException bad) {
                throw new AssertionError("stdout line is not JSON: " + line, bad);
            }
            if (e.has("status") && e.get("status").asText().equals("removed")) {
                docs.add(e.get("doc").asText());
            }
        }
        return docs;
    }
}
