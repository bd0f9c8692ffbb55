package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kb remove} of a document racing {@code kb add} of the same document (new, or an update
 * of it) in another real process. The lock serialises them; whichever commits last decides, and
 * both must say so: the exit codes and events agree with the outcome, the log's last word on the
 * document agrees with it, the KB is at rest, and the document is either gone or whole with the
 * add's content. The random races are repeated; the two orders are then forced with
 * KB_TEST_PAUSE_AT, so each is seen at least once whatever the scheduler does.
 */
class RemoveRaceTest extends E2EBase {
    static final int ROUNDS = 4;
    static final String WAIT = "60s";

    private Path doc;
    private Path pauseDir;
    private Kb.Running paused;

    @BeforeEach
    void setUp() throws IOException {
        init();
        doc = file("doc.md", markdown("Doc", "version zero"));
        pauseDir = Files.createDirectories(tmp.resolve("pause"));
    }

    @AfterEach
    void stopPaused() {
        if (paused != null && paused.process.isAlive()) {
            paused.kill();
        }
    }

    private String content(String scenario, int round) {
        return markdown("Doc " + scenario + " " + round, "MARK-" + scenario + "-" + round + " the text of this round");
    }

    private Kb.Running add() {
        return startKb("add", "--wait", WAIT, "--json", "doc.md");
    }

    private Kb.Running remove() {
        return startKb("remove", "--wait", WAIT, "--json", "doc");
    }

    /** Whether the document was present when the round began: only an update race starts with it. */
    private void prepare(boolean present, String newContent) throws IOException {
        boolean there = KbState.names(KbState.rows(kb)).contains("doc");
        if (present && !there) {
            kb("add", "doc.md").expect(0);
        } else if (!present && there) {
            kb("remove", "doc").expect(0);
        }
        Files.writeString(doc, newContent);
    }

    @ParameterizedTest(name = "add {0} the document, racing a remove, {1} rounds")
    @ValueSource(strings = {"of", "updating"})
    void racedAtRandom(String how) throws IOException {
        boolean update = how.equals("updating");
        int removeWon = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            String v = content(how, round);
            prepare(update, v);
            // started together, in turns first and second
            Kb.Running a;
            Kb.Running r;
            if (round % 2 == 0) {
                a = add();
                r = remove();
            } else {
                r = remove();
                a = add();
            }
            boolean present = judge(update, v, a.await(), r.await());
            removeWon += present ? 0 : 1;
        }
        System.out.printf("RemoveRaceTest %s: the remove committed last in %d of %d rounds%n", how, removeWon, ROUNDS);
    }

    /** Two removes of one document: exactly one removes it (exit 0), the other finds nothing (exit 1). */
    @Test
    void twoRemovesOfOneDocument() throws IOException {
        for (int round = 1; round <= 3; round++) {
            prepare(true, content("twice", round));
            Kb.Running r1 = remove();
            Kb.Running r2 = startKb("remove", "--wait", WAIT, "--json", "doc.md"); // by its source
            Kb.Result a = r1.await();
            Kb.Result b = r2.await();
            List<String> statuses = List.of(single(a).get("status").asText(), single(b).get("status").asText());
            assertTrue(statuses.equals(List.of("removed", "failed")) || statuses.equals(List.of("failed", "removed")),
                    "round " + round + ": " + statuses);
            a.expect(statuses.get(0).equals("removed") ? 0 : 1);
            b.expect(statuses.get(1).equals("removed") ? 0 : 1);
            assertTrue(KbState.assertAtRest(kb).isEmpty());
            String log = read(kb.resolve("wiki/log.md"));
            assertEquals(round, log.lines().filter(l -> l.startsWith("- removed doc from `")).count(), log);
        }
    }

    /** Each order forced: the first writer pauses after publishing, the second waits for its lock, then both finish. */
    @Test
    void eachOrderForced() throws IOException {
        // {update, remove first}. A remove with nothing to remove commits nothing, so it cannot
        // pause: that order (remove first, new document) is an ordinary sequence the random races meet.
        boolean[][] cases = {{false, false}, {true, false}, {true, true}};
        for (int round = 1; round <= cases.length; round++) {
            boolean update = cases[round - 1][0];
            boolean removeFirst = cases[round - 1][1];
            String v = content("forced", round);
            prepare(update, v);
            Map<String, String> pausing = Kb.env(home, "KB_TEST_PAUSE_AT", "published", "KB_TEST_PAUSE_DIR",
                    pauseDir.toString());
            paused = Kb.start(work, pausing, withKb(removeFirst
                    ? new String[] {"remove", "--wait", WAIT, "--json", "doc"}
                    : new String[] {"add", "--wait", WAIT, "--json", "doc.md"}));
            Kb.Running first = paused;
            Kb.awaitCondition(Duration.ofSeconds(60), "the first writer to pause",
                    () -> Files.exists(pauseDir.resolve("paused")) || !first.process.isAlive());
            assertTrue(first.process.isAlive(), "the first writer ended before pausing:\n" + first.err());
            Kb.Running second = removeFirst ? add() : remove();
            Kb.awaitCondition(Duration.ofSeconds(60), "the second writer to wait for the lock",
                    () -> second.err().contains("waiting for the writer lock held by pid " + first.pid())
                            || !second.process.isAlive());
            assertTrue(second.process.isAlive(), "the second writer did not wait:\n" + second.err());
            Files.createFile(pauseDir.resolve("resume"));
            Kb.Result fr = first.await();
            Kb.Result sr = second.await();
            boolean present = removeFirst ? judge(update, v, sr, fr) : judge(update, v, fr, sr);
            assertEquals(removeFirst, present, "the writer that commits last decides: update=" + update
                    + ", remove first=" + removeFirst);
            Files.delete(pauseDir.resolve("paused"));
            Files.delete(pauseDir.resolve("resume"));
        }
    }

    /**
     * Checks one round's outcome against what the two processes reported, and returns whether
     * the document is there. {@code v} is the content the add read.
     */
    private boolean judge(boolean update, String v, Kb.Result add, Kb.Result remove) {
        add.expect(0).assertNoStackTrace();
        remove.assertNoStackTrace();
        JsonNode ae = single(add);
        JsonNode re = single(remove);
        String added = ae.get("status").asText();
        String removed = re.get("status").asText();

        List<KbState.Row> rows = KbState.assertAtRest(kb);
        boolean present = KbState.names(rows).contains("doc");
        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), st.toString());
        assertEquals(0, st.get("pending_journals").asInt(), st.toString());
        String outcome = "add " + added + " (exit " + add.code() + "), remove " + removed + " (exit " + remove.code()
                + "), document " + (present ? "present" : "gone");

        if (removed.equals("failed")) {
            // only possible when there was nothing to remove yet: the add came second
            remove.expect(1);
            assertFalse(update, "the document was there all along, yet the remove failed: " + outcome);
            assertTrue(re.get("error").asText().contains("not in the knowledge base"), re.toString());
            assertEquals("added", added, outcome);
            assertTrue(present, outcome);
        } else {
            remove.expect(0);
            assertEquals("removed", removed, outcome);
            assertEquals("doc", re.get("doc").asText(), re.toString());
            // the add committed after the remove exactly when it found no document to update
            assertEquals(present ? "added" : update ? "updated" : "added", added, outcome);
        }
        assertEquals("doc", ae.get("doc").asText(), ae.toString());
        assertEquals(present ? 1 : 0, st.get("documents").asInt(), st.toString());

        String log = read(kb.resolve("wiki/log.md"));
        String lastWord = log.lines().filter(l -> l.startsWith("- ") && (l.startsWith("- removed doc from `")
                || l.startsWith("- added [[doc]]") || l.startsWith("- updated [[doc]]"))).reduce((x, y) -> y)
                .orElseThrow(() -> new AssertionError("the log never mentions doc:\n" + log));
        assertEquals(present, !lastWord.startsWith("- removed"), "the log's last word on doc is '" + lastWord
                + "' but " + outcome);
        if (present) {
            KbState.Row row = rows.get(0);
            assertEquals(KbState.sha256(v.getBytes(StandardCharsets.UTF_8)), row.sha256(), outcome);
            assertEquals(v, read(kb.resolve(row.rawPath())));
            String marker = v.substring(v.indexOf("MARK-"), v.indexOf(" the text"));
            assertTrue(read(kb.resolve(row.sourcePath())).contains(marker), "the page is not of the last add");
            assertEquals(Set.of("doc"), KbState.indexNames(kb));
        } else {
            assertEquals(Set.of(), KbState.indexNames(kb));
        }
        return present;
    }

    private static JsonNode single(Kb.Result r) {
        List<JsonNode> events = r.events();
        assertEquals(1, events.size(), r.out());
        assertEquals(1, r.summary().get(events.get(0).get("status").asText()).asInt(), r.out());
        return events.get(0);
    }
}
