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
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "Progress": a running batch's progress in {@code kb status} ({@code progress} in JSON,
 * a section for people), trusted only while its writer lives, and never on the stdout of
 * {@code add --json}. The writer is a real {@code kb add} held mid-batch by a server that sends
 * each document only when the test lets it go.
 */
class ProgressTest extends E2EBase {
    private static final String SECRET = "hunter2-Qx7";

    /** Polls {@code kb status --json} until its progress satisfies {@code condition}. */
    JsonNode awaitProgress(Kb.Running writer, String what, Predicate<JsonNode> condition) {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        Kb.awaitCondition(Duration.ofSeconds(60), what, () -> {
            assertTrue(writer.process.isAlive(), "the writer ended early; stderr:\n" + writer.err());
            JsonNode p = status().get("progress");
            seen.set(p);
            return p != null && !p.isNull() && condition.test(p);
        });
        return seen.get();
    }

    List<Path> progressFiles() throws IOException {
        Path dir = kb.resolve(".kb/progress");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void aPausedWritersProgressGrowsBetweenTwoStatuses() throws IOException {
        init();
        try (GatedServer web = new GatedServer("/one.md", "/two.md", "/three.md")) {
            Kb.Running add = startKb("add", "--json", web.url("/one.md", "reader:" + SECRET + "@"), web.url("/two.md"),
                    web.url("/three.md"));
            // the total is published before the first input is taken up: wait for both
            JsonNode first = awaitProgress(add, "the batch's total and its first input",
                    p -> p.get("inputs").isInt() && p.get("current").isTextual());
            assertEquals(add.pid(), first.get("pid").asLong());
            assertEquals("kb add", first.get("command").asText());
            assertEquals(3, first.get("inputs").asInt());
            assertEquals(0, first.get("done").asInt(), "nothing can be done while the first input is held");
            assertEquals(web.url("/one.md"), first.get("current").asText(), "the input, without its password");

            web.release("/one.md");
            JsonNode one = awaitProgress(add, "one input done", p -> p.get("done").asInt() == 1);
            web.release("/two.md");
            // done and the next input move in two steps, and a snapshot may fall between them
            JsonNode two = awaitProgress(add, "two inputs done, the third taken up",
                    p -> p.get("done").asInt() == 2 && web.url("/three.md").equals(p.get("current").asText()));
            for (JsonNode p : List.of(one, two)) {
                assertEquals(3, p.get("inputs").asInt(), p.toString());
                assertEquals(p.get("done").asInt(), p.get("added").asInt(), p.toString());
                for (String key : List.of("updated", "skipped", "failed")) {
                    assertEquals(0, p.get(key).asInt(), key + " in " + p);
                }
                assertEquals(first.get("started_at"), p.get("started_at"), "one batch, one start");
            }
            assertTrue(two.get("done").asInt() > one.get("done").asInt());
            assertEquals(web.url("/three.md"), two.get("current").asText());

            String human = kb("status").expect(0).out();
            assertTrue(human.contains("progress:         kb add (pid " + add.pid() + ") since "), human);
            assertTrue(human.contains(": 2 of 3 done"), human);
            assertTrue(human.contains("2 added"), human);
            assertTrue(human.contains("now: " + web.url("/three.md")), human);

            List<Path> files = progressFiles();
            assertEquals(1, files.size(), files.toString());
            assertFalse(read(files.get(0)).contains(SECRET), "the progress file holds no password");
            assertFalse(human.contains(SECRET));

            web.release("/three.md");
            Kb.Result r = add.await().expect(0);
            assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET));
        }
        assertTrue(status().get("progress").isNull(), "no writer, no progress");
        assertTrue(kb("status").expect(0).out().contains("progress:         none"));
        assertFalse(Files.exists(kb.resolve(".kb/progress")), "the batch took its files with it");
    }

    @Test
    void aKilledWritersProgressIsNeverShownAsLive() throws IOException {
        init();
        Path dead;
        try (GatedServer web = new GatedServer("/held.md")) {
            Kb.Running add = startKb("add", web.url("/held.md"));
            awaitProgress(add, "the writer's progress", p -> p.get("inputs").isInt());
            assertEquals(1, progressFiles().size());
            dead = progressFiles().get(0);

            add.kill(); // SIGKILL: no shutdown hook, no clean-up
        }
        assertTrue(Files.exists(dead), "a killed writer leaves its progress file");
        assertTrue(status().get("progress").isNull(), "and it is never shown as live");
        assertTrue(kb("status").expect(0).out().contains("progress:         none"));

        // Nor is one naming a process that does run (this test's JVM, its true start time): the
        // writer's lock beside the file decides, and nobody holds it.
        ProcessHandle self = ProcessHandle.current();
        String forged = read(dead).replaceFirst("\"pid\":\\d+", "\"pid\":" + self.pid())
                .replaceFirst("\"process_started\":(null|\"[^\"]*\")",
                        "\"process_started\":\"" + self.info().startInstant().orElseThrow() + "\"");
        Files.writeString(dead.resolveSibling(self.pid() + "-forged.json"), forged);
        Files.createFile(dead.resolveSibling(self.pid() + "-forged.lock"));
        assertTrue(status().get("progress").isNull(), "a live pid is not enough: " + forged);

        // the next writer removes what dead ones left (recover is one too, and publishes its own)
        kb("recover").expect(0);
        assertEquals(List.of(), progressFiles());
        assertFalse(Files.exists(kb.resolve(".kb/progress")));
        file("next.md", markdown("Next", "After the killed writer."));
        kb("add", "next.md").expect(0);
        assertFalse(Files.exists(kb.resolve(".kb/progress")));
    }

    /**
     * Progress goes to stderr and {@code kb status}, never into the NDJSON on stdout: not even
     * when stderr is taken for a terminal ({@code KB_STDERR_TTY=1}, as the launcher says) and the
     * progress line is drawn there.
     */
    @Test
    void progressNeverAppearsOnTheStdoutOfAddJson() {
        init();
        for (int i = 0; i < 20; i++) {
            file("notes/n" + i + ".md", markdown("Note " + i, "Body " + i + "."));
        }
        Kb.Result r;
        try (GatedServer web = new GatedServer("/held.md")) {
            Kb.Running add = Kb.start(work, Kb.env(home, "KB_STDERR_TTY", "1", "TERM", "xterm"),
                    withKb("add", "--json", "notes", web.url("/held.md")));
            Kb.awaitCondition(Duration.ofSeconds(60), "the progress line on stderr",
                    () -> add.err().contains("\033[?7l") || !add.process.isAlive());
            web.release("/held.md");
            r = add.await().expect(0);
        }
        assertTrue(r.err().contains("\033[?7l") && r.err().contains("/21 ["), "the line was drawn:\n" + r.err());
        assertFalse(r.out().contains("\033") || r.out().contains("\r"), "no terminal codes on stdout:\n" + r.out());
        List<JsonNode> lines = r.json();
        assertEquals(22, lines.size(), "21 events and the summary, nothing else:\n" + r.out());
        for (JsonNode e : r.events()) {
            Set<String> keys = new java.util.TreeSet<>();
            e.fieldNames().forEachRemaining(keys::add);
            assertEquals(Set.of("doc", "error", "input", "status"), keys, e.toString());
        }
        assertEquals(21, r.summary().get("added").asInt());
        assertFalse(r.out().contains("progress") || r.out().contains("inputs"), r.out());
    }
}
