package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, "Progress line": {@code kb add} draws a progress line on a terminal's stderr
 * (through a pseudo-terminal here), with the lines of failures printed above it, and none at all
 * on a pipe; plain lines only, without escape codes, under {@code NO_COLOR} or {@code TERM=dumb}.
 */
class ProgressLineTest extends E2EBase {
    private static final String CLEAR = "\r\033[K";
    private static final String DRAW = "\033[?7l";

    private Map<String, String> terminal(String... extra) {
        Map<String, String> e = Kb.env(home, extra);
        e.putIfAbsent("TERM", "xterm");
        return e;
    }

    @Test
    void drawnOnATerminalWithFailuresAboveItAndAbsentOnAPipe() {
        Pty.assumeAvailable();
        init();
        Path other = tmp.resolve("kb2");
        Kb.run(work, env, "init", other.toString()).expect(0);
        Kb.Result piped;
        Kb.Result onTerminal;
        String held;
        try (GatedServer web = new GatedServer("/held.md")) {
            held = web.url("/held.md");
            String missing = web.url("/missing.md"); // 404: fails while the held one is still waiting
            // the same batch twice: on pipes first, then on a terminal (its stdout to a file)
            Kb.Running pipe = Kb.start(work, terminal(), "--kb", other.toString(), "add", held, missing);
            Kb.Running pty = Pty.start(work, terminal(), "> out.ndjson", "--kb", kb.toString(), "add", "--json",
                    held, missing);
            Kb.awaitCondition(Duration.ofSeconds(60), "the failure above a drawn progress line",
                    () -> pty.out().contains(CLEAR + "failed   " + missing) && pty.out().contains("1/2 [")
                            || !pty.process.isAlive());
            // the piped batch started first, so it has run longer than the terminal's before its line
            assertTrue(pipe.process.isAlive(), "the piped batch is still waiting; stderr:\n" + pipe.err());
            web.release("/held.md");
            onTerminal = pty.await().expect(1);
            piped = pipe.await().expect(1);
        }
        String screen = onTerminal.out();
        assertTrue(screen.contains(DRAW + "0/2 [....................]  " + held), "done/total, bar, input:\n" + screen);
        int failure = screen.indexOf(CLEAR + "failed   ");
        assertTrue(failure > screen.indexOf(DRAW), "the line was there before the failure came:\n" + screen);
        String after = screen.substring(failure + CLEAR.length());
        assertTrue(after.matches("(?s)failed   \\S+/missing\\.md: [^\r\n]*404[^\r\n]*\r?\n\033\\[\\?7l.*"),
                "cleared, the failure printed whole on its own line, the progress line drawn again:\n" + after);
        assertTrue(screen.contains(CLEAR + "kb: 1 added, 0 updated, 0 skipped, 1 failed"),
                "cleared for the summary:\n" + screen);
        List<JsonNode> json = Kb.jsonLines(read(work.resolve("out.ndjson")));
        assertEquals(3, json.size(), "stdout, a file here, has the events and the summary only");

        assertFalse(piped.err().contains("\033") || piped.err().contains("\r") || piped.err().contains("/2 ["),
                "no progress line on a pipe:\n" + piped.err());
        assertTrue(piped.err().contains("failed   ") && piped.err().contains("kb: 1 added"), piped.err());
    }

    @Test
    void plainUnderNoColorOrADumbTerminal() {
        Pty.assumeAvailable();
        init();
        Path other = tmp.resolve("kb2");
        Kb.run(work, env, "init", other.toString()).expect(0);
        Kb.Result noColor;
        Kb.Result dumb;
        try (GatedServer web = new GatedServer("/held.md")) {
            Kb.Running a = Pty.start(work, terminal("NO_COLOR", "1"), "", "--kb", kb.toString(), "add",
                    web.url("/held.md"));
            Kb.Running b = Pty.start(work, terminal("TERM", "dumb"), "", "--kb", other.toString(), "add",
                    web.url("/held.md"));
            // a plain progress line of its own comes after some seconds
            Kb.awaitCondition(Duration.ofSeconds(60), "a plain progress line on each terminal",
                    () -> a.out().contains("kb: kb add: 0/1 done") && b.out().contains("kb: kb add: 0/1 done")
                            || !a.process.isAlive() || !b.process.isAlive());
            web.release("/held.md");
            noColor = a.await().expect(0);
            dumb = b.await().expect(0);
        }
        for (Kb.Result r : List.of(noColor, dumb)) {
            String screen = r.out();
            assertTrue(screen.matches("(?s).*kb: kb add: 0/1 done[^\r\n]*; now http://[^\r\n]*/held\\.md\r?\n.*"), screen);
            assertFalse(screen.contains("\033"), "no escape code at all:\n" + screen);
            assertFalse(screen.replace("\r\n", "\n").contains("\r"), "no carriage return to redraw with:\n" + screen);
            assertTrue(screen.contains("kb: 1 added, 0 updated, 0 skipped, 0 failed"), screen);
        }
    }
}
