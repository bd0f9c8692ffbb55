package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The frames of {@code kb status --watch} (signals and terminals are tested end-to-end). */
class StatusWatchTest {
    private static final String NL = System.lineSeparator();
    private static final String BLOCK = "documents:        3" + NL + "writer:           none" + NL;

    @Test
    void jsonIsTheObjectAlone() {
        assertEquals("{\"documents\":3}" + NL, StatusWatch.frame("{\"documents\":3}" + NL, 4, Duration.ofSeconds(1),
                true, true));
    }

    @Test
    void aPipeGetsBlocksUnderATimeLineSeparatedByABlankLine() {
        String first = StatusWatch.frame(BLOCK, 0, Duration.ofSeconds(2), false, false);
        assertTrue(first.matches("kb status, every 2s: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ" + NL
                + "documents: +3" + NL + "writer: +none" + NL), first);
        String second = StatusWatch.frame(BLOCK, 1, Duration.ofSeconds(2), false, false);
        assertTrue(second.startsWith(NL + "kb status, every 2s: "), second);
        assertTrue(!first.contains("\033") && !second.contains("\033"), "no escape codes off a terminal");
    }

    @Test
    void aTerminalIsRedrawnInPlace() {
        String first = StatusWatch.frame(BLOCK, 0, Duration.ofMillis(500), false, true);
        assertTrue(first.startsWith("\033[?25l\033[H\033[2J" + "kb status, every 500ms: "), first);
        String second = StatusWatch.frame(BLOCK, 1, Duration.ofMillis(500), false, true);
        assertTrue(second.startsWith("\033[Hkb status, every 500ms: "), "home, not a cleared screen: " + second);
        assertTrue(second.endsWith("documents:        3\033[K" + NL + "writer:           none\033[K" + NL + "\033[J"),
                "each line cleared to its end, and what is below: " + second);
    }
}
