package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kb status --watch [INTERVAL]}: one JSON object per interval with {@code --json}, a block
 * per interval on a pipe, redrawn in place on a terminal; Ctrl-C and SIGTERM end it cleanly with
 * the contract's codes, never in the middle of a line.
 */
class StatusWatchTest extends E2EBase {

    static void signal(Kb.Running r, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(r.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + name);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether this JVM's children start with SIGINT ignored: a shell runs a background job so
     * (non-interactive {@code mvn … &}), the JVM then leaves SIGINT alone, and Ctrl-C could not
     * be shown to stop kb. Read from {@code /proc/self/status}; false where there is none.
     */
    static boolean sigintIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseLong(line.substring(7).trim(), 16) & 0x2) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: assume the signal gets through
        }
        return false;
    }

    /** Whole lines of stdout so far (a line being written is not one yet). */
    static List<String> lines(Kb.Running r) {
        String out = r.out();
        return out.substring(0, out.lastIndexOf('\n') + 1).lines().filter(l -> !l.isBlank()).toList();
    }

    /** A dashboard's view: NDJSON that follows a writer's progress, ended by a signal. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void jsonIsOneObjectPerIntervalUntilASignal(String signal, int code) {
        assumeFalse(signal.equals("INT") && sigintIgnored(), "SIGINT is ignored in this test run (a background job)");
        init();
        Kb.Result watched;
        try (GatedServer web = new GatedServer("/held.md")) {
            Kb.Running add = startKb("add", web.url("/held.md"));
            Kb.Running watch = startKb("status", "--watch", "200ms", "--json");
            Kb.awaitCondition(Duration.ofSeconds(60), "a frame with the writer's progress",
                    () -> lines(watch).stream().anyMatch(l -> l.contains("\"pid\":" + add.pid() + ",\"command\":\"kb add\""))
                            || !watch.process.isAlive());
            web.release("/held.md");
            add.await().expect(0);
            Kb.awaitCondition(Duration.ofSeconds(60), "a frame after the writer ended",
                    () -> lastFrameHasNoProgress(watch) || !watch.process.isAlive());
            assertTrue(watch.process.isAlive(), "the watch ended by itself; stderr:\n" + watch.err());
            signal(watch, signal);
            watched = watch.await();
        }
        assertEquals(code, watched.code(), "exit code after SIG" + signal + "; stderr:\n" + watched.err());
        assertEquals("", watched.err(), "a clean stop says nothing");
        assertTrue(watched.out().endsWith("\n"), "never stopped inside a line:\n" + watched.out());
        List<JsonNode> frames = watched.json();
        assertTrue(frames.size() >= 2, "at least two objects:\n" + watched.out());
        for (JsonNode f : frames) {
            for (String key : List.of("kb", "documents", "pending_journals", "staging_orphans", "lock", "progress")) {
                assertTrue(f.has(key), key + " in " + f);
            }
        }
        assertTrue(frames.stream().anyMatch(f -> f.get("progress").isObject()), "the writer was seen");
        assertTrue(frames.get(frames.size() - 1).get("progress").isNull(), "and seen gone");
        assertEquals(1, frames.get(frames.size() - 1).get("documents").asInt());
    }

    private static boolean lastFrameHasNoProgress(Kb.Running watch) {
        List<String> l = lines(watch);
        return !l.isEmpty() && l.get(l.size() - 1).contains("\"progress\":null")
                && l.get(l.size() - 1).contains("\"documents\":1");
    }

    /** Off a terminal and without --json: a block per interval under a line with the time. */
    @Test
    void aPipeGetsABlockPerIntervalUntilSigterm() {
        init();
        Kb.Running watch = startKb("status", "--watch", "200ms");
        Kb.awaitCondition(Duration.ofSeconds(60), "two blocks",
                () -> watch.out().split("kb status, every 200ms: ", -1).length > 2 && watch.out().contains("progress:")
                        || !watch.process.isAlive());
        signal(watch, "TERM");
        Kb.Result r = watch.await();
        assertEquals(143, r.code(), r.err());
        assertFalse(r.out().contains("\033"), "no escape codes on a pipe");
        assertTrue(r.out().matches("(?s)kb status, every 200ms: \\S+Z\nknowledge base: .*\n\nkb status, every 200ms: .*"),
                r.out());
        assertTrue(r.out().contains("progress:         none"), r.out());
    }

    /** On a terminal: redrawn in place; Ctrl-C ends it with 130 and the cursor shown again. */
    @Test
    void aTerminalIsRedrawnInPlaceUntilCtrlC() {
        Pty.assumeAvailable();
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this test run (a background job)");
        init();
        java.util.Map<String, String> e = Kb.env(home, "TERM", "xterm");
        Kb.Running watch = Pty.start(work, e, "", "--kb", kb.toString(), "status", "--watch", "200ms");
        Kb.awaitCondition(Duration.ofSeconds(60), "three frames",
                () -> watch.out().split("\033\\[Hkb status", -1).length > 3 || !watch.process.isAlive());
        Pty.type(watch, "\003"); // Ctrl-C at the terminal
        Kb.Result r = watch.await();
        assertEquals(130, r.code(), r.out());
        String screen = r.out();
        assertTrue(screen.startsWith("\033[?25l\033[H\033[2Jkb status, every 200ms: "), "cursor hidden, screen cleared:\n"
                + screen);
        assertTrue(screen.contains("documents:        0\033[K"), screen);
        assertTrue(screen.endsWith("\033[?25h"), "the cursor is shown again at the end:\n" + screen);
    }
}
