package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code .kb/ingest.lock} removed by hand while a {@code kb add} is at work (a black-box report):
 * the OS lock is on the removed file, so the next command locked a fresh one, rolled back the
 * writer's journal, and the writer then committed rows pointing at the files that rollback
 * removed. The writer is paused at a step of its commit with KB_TEST_PAUSE_AT, as SIGSTOP would,
 * so each interleaving is exact.
 */
class StolenLockTest extends E2EBase {
    static final int PAGES = 6;
    static final Set<String> NAMES = new TreeSet<>(IntStream.range(0, PAGES).mapToObj(i -> "page00" + i).toList());

    private Path pauseDir;
    private Kb.Running writer;

    @BeforeEach
    void inputs() throws IOException {
        init();
        for (int i = 0; i < PAGES; i++) {
            file("in/page00" + i + ".md", markdown("Page " + i, "the text of page " + i));
        }
        pauseDir = Files.createDirectories(tmp.resolve("pause"));
    }

    @AfterEach
    void stopWriter() {
        if (writer != null && writer.process.isAlive()) {
            writer.kill();
        }
    }

    /** Starts {@code kb add --json in} and waits until it has paused at {@code step}. */
    private Kb.Running addPausedAt(String step) {
        Map<String, String> pausing = Kb.env(home, "KB_TEST_PAUSE_AT", step, "KB_TEST_PAUSE_DIR", pauseDir.toString());
        writer = Kb.start(work, pausing, withKb("add", "--json", "in"));
        Kb.awaitCondition(Duration.ofSeconds(60), "kb add to pause at " + step,
                () -> Files.exists(pauseDir.resolve("paused")) || !writer.process.isAlive());
        assertTrue(writer.process.isAlive(), "kb add ended before pausing at " + step + ":\n" + writer.err());
        return writer;
    }

    private void resume() throws IOException {
        Files.createFile(pauseDir.resolve("resume"));
    }

    private void removeTheLockFile() throws IOException {
        Files.delete(kb.resolve(".kb/ingest.lock"));
    }

    /**
     * Every file of the KB with its hash, but the lock file (a command that takes the lock creates
     * it again) and the registry's files (SQLite may touch them just by opening them; the rows are
     * compared instead).
     */
    private Map<String, String> files() {
        Map<String, String> files = new TreeMap<>(KbState.snapshotFiles(kb).files());
        files.keySet().removeIf(f -> f.equals(".kb/ingest.lock") || f.startsWith(".kb/registry.db"));
        return files;
    }

    /** The report's exact sequence: the writer is between publishing and its commit point. */
    @Test
    void nothingUndoesTheCommitOfAWriterWhoseLockFileWasRemoved() throws Exception {
        Kb.Running a = addPausedAt("published");
        assertEquals(1, KbState.list(kb.resolve(".kb/journal")).size(), "the writer is mid-commit");
        removeTheLockFile();
        Map<String, String> before = files();
        List<KbState.Row> rows = KbState.rows(kb);

        kb("recover", "--wait", "0").expect(75)
                .oneErrorLine("another kb process (pid " + a.pid() + ") is writing to",
                        "although the lock file .kb/ingest.lock was removed", "nothing was changed");
        kb("add", "--wait", "0", "in/page000.md").expect(75)
                .oneErrorLine("another kb process (pid " + a.pid() + ")");
        assertEquals(before, files(), "a second command touched the writer's files");
        assertEquals(rows, KbState.rows(kb));

        // the writer notices before its commit point that the lock file is not the one it locked
        resume();
        Kb.Result stopped = a.await().expect(3).assertNoStackTrace();
        assertTrue(stopped.err().contains(".kb/ingest.lock was replaced by another file while this kb process held it"),
                stopped.err());
        assertTrue(KbState.rows(kb).isEmpty(), "committed without a lock that holds");

        // what it left is a crash's leftover: undone by the next recover, and nothing is lost
        Kb.Result rec = kb("recover").expect(0);
        assertTrue(rec.err().contains("1 rolled back"), rec.err());
        assertTrue(KbState.assertAtRest(kb).isEmpty());
        Kb.Result again = kb("add", "--json", "in").expect(0);
        again.events().forEach(e -> assertEquals("added", e.get("status").asText(), e.toString()));
        assertEquals(NAMES, KbState.names(KbState.assertAtRest(kb)));
    }

    /**
     * Past its commit point the journal is the writer's to finish: recover neither undoes nor
     * finishes it (that would log its documents twice) and says so; the writer completes.
     */
    @Test
    void aCommittedGroupOfAWriterWhoseLockFileWasRemovedIsLeftToIt() throws Exception {
        Kb.Running a = addPausedAt("committed");
        removeTheLockFile();
        List<KbState.Row> committed = KbState.rows(kb);
        assertFalse(committed.isEmpty());
        Map<String, String> documents = new TreeMap<>(files());
        documents.keySet().removeIf(f -> f.equals("wiki/index.md")); // recover rebuilds the index

        Kb.Result rec = kb("recover", "--wait", "0").expect(1).assertNoStackTrace();
        assertTrue(rec.err().contains("(pid " + a.pid() + ") is still running"), rec.err());
        Map<String, String> after = new TreeMap<>(files());
        after.keySet().removeIf(f -> f.equals("wiki/index.md"));
        assertEquals(documents, after, "recover touched the writer's journal or files");
        assertEquals(committed, KbState.rows(kb));

        resume();
        Kb.Result done = a.await().expect(0);
        List<JsonNode> events = done.events();
        assertEquals(PAGES, events.size());
        events.forEach(e -> assertEquals("added", e.get("status").asText(), e.toString()));
        assertEquals(NAMES, KbState.names(KbState.assertAtRest(kb)));
        String log = read(kb.resolve("wiki/log.md"));
        for (String n : NAMES) {
            assertEquals(1, log.lines().filter(l -> l.contains("[[" + n + "]]")).count(), "logged once:\n" + log);
        }
    }

    /**
     * The lock file removed while the writer holds the lock but has written nothing yet: a second
     * writer gets in and commits. The first must not commit on top of it.
     */
    @Test
    void aWriterWhoseLockFileWasReplacedStopsBeforeItsCommitPoint() throws Exception {
        file("other.md", markdown("Other", "added by a second writer"));
        Kb.Running a = addPausedAt("before-journal");
        removeTheLockFile();
        Kb.Result second = kb("add", "--wait", "0", "--json", "other.md").expect(0);
        assertEquals("added", second.events().get(0).get("status").asText());

        resume();
        Kb.Result stopped = a.await().expect(3).assertNoStackTrace();
        assertTrue(stopped.err().contains(".kb/ingest.lock was replaced by another file"), stopped.err());
        assertEquals(Set.of("other"), KbState.names(KbState.rows(kb)), "the first writer committed anyway");

        kb("recover").expect(0);
        assertEquals(Set.of("other"), KbState.names(KbState.assertAtRest(kb)));
        kb("add", "in").expect(0);
        Set<String> all = new TreeSet<>(NAMES);
        all.add("other");
        assertEquals(all, KbState.names(KbState.assertAtRest(kb)));
    }
}
