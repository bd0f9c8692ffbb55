package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.input.Outcome;
import dev.kb.core.progress.BatchProgress;
import dev.kb.core.progress.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the progress line writes, redraw by redraw (the pseudo-terminal test is end-to-end). */
class ProgressLineTest {
    private static final String CLEAR = "\r\033[K";

    private static Progress progress(Long inputs, long done, long failed, String current, Double rate, Long eta) {
        return new Progress(1, null, "kb add", null, Instant.EPOCH, Instant.EPOCH, inputs, done, done - failed, 0, 0,
                failed, 0, 0, current, rate, eta);
    }

    @Test
    void theLineSaysDoneTotalRateTimeLeftAndTheInput() {
        assertEquals("120/7425 [....................]  35.2/s  ETA 3m28s  2 failed  notes/foo.md",
                ProgressLine.render(progress(7425L, 120, 2, "notes/foo.md", 35.24, 208L), 200, true));
        assertEquals("5/10 [##########..........]  notes/a.md",
                ProgressLine.render(progress(10L, 5, 0, "notes/a.md", null, null), 200, true));
        assertEquals("3/?  1.0/s  x.md", ProgressLine.render(progress(null, 3, 0, "x.md", 1.0, null), 200, true),
                "a walk not done yet has no total");
        assertEquals("120/7425 done, 35.2/s, about 3m28s left; now notes/foo.md",
                ProgressLine.render(progress(7425L, 120, 0, "notes/foo.md", 35.2, 208L), Integer.MAX_VALUE, false));
    }

    /** The line must never wrap (it could not be redrawn): the input is cut at its start, then dropped. */
    @Test
    void theLineFitsTheWidth() {
        String longPath = "/very/long/directory/name/that/goes/on/and/on/for/a/while/notes/the-file-name.md";
        String cut = ProgressLine.render(progress(7425L, 120, 0, longPath, 35.2, 208L), 79, true);
        assertEquals(79, cut.length(), cut);
        assertTrue(cut.endsWith("the-file-name.md") && cut.contains("  ..."), cut);
        String narrow = ProgressLine.render(progress(7425L, 120, 0, longPath, 35.2, 208L), 50, true);
        assertTrue(narrow.length() <= 50 && !narrow.contains("notes"), narrow);
        assertEquals("line\\nbreak.md", ProgressLine.render(progress(1L, 0, 0, "line\nbreak.md", null, null), 200, true)
                .split("  ")[1], "an input's control characters are shown escaped, as on every stderr line");
    }

    @Test
    void otherLinesArePrintedAboveItAndItIsClearedAtTheEnd() {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        BatchProgress p = new BatchProgress("kb add");
        p.inputs(3);
        p.working("b.md");
        ProgressLine line = new ProgressLine(err, this, p, false, 80);
        line.above("added    a.md");
        assertEquals("added    a.md" + System.lineSeparator(), text.toString(), "nothing drawn yet: a plain line");
        text.getBuffer().setLength(0);

        line.tick(System.nanoTime() + 1_000_000_000L);
        String drawn = text.toString();
        assertTrue(drawn.startsWith(CLEAR + "\033[?7l0/3 ") && drawn.endsWith("b.md\033[?7h"), drawn);
        text.getBuffer().setLength(0);

        p.finished(Outcome.Status.FAILED);
        line.above("failed   b.md: no such file");
        String above = text.toString();
        assertTrue(above.startsWith(CLEAR + "failed   b.md: no such file" + System.lineSeparator() + "\033[?7l0/3 "),
                "cleared, printed, drawn again: " + above);
        text.getBuffer().setLength(0);

        line.close();
        assertEquals(CLEAR, text.toString(), "the summary goes where the line was");
    }

    @Test
    void plainModeWritesNoEscapeCodesOnlyAnOccasionalLine() {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        BatchProgress p = new BatchProgress("kb add");
        p.inputs(3);
        p.finished(Outcome.Status.ADDED);
        p.working("b.md");
        ProgressLine line = new ProgressLine(err, this, p, true, 80);
        long now = System.nanoTime();
        line.tick(now + 1_000_000_000L);
        assertEquals("", text.toString(), "a batch shorter than the interval gets no progress line at all");
        line.tick(now + (ProgressLine.PLAIN_EVERY_SECONDS + 1) * 1_000_000_000L);
        line.above("failed   c.md: no such file");
        line.close();
        String all = text.toString();
        assertTrue(all.startsWith("kb: kb add: 1/3 done"), all);
        assertTrue(all.contains("; now b.md" + System.lineSeparator() + "failed   c.md: no such file"), all);
        assertFalse(all.contains("\033") || all.contains("\r"), "no escape code, no carriage return: " + all);
    }

    @Test
    void timeLeftForPeople() {
        assertEquals("42s", ProgressLine.clock(42));
        assertEquals("3m28s", ProgressLine.clock(208));
        assertEquals("1h05m", ProgressLine.clock(3900));
    }

    @Test
    void statusSaysAWriterThatStoppedPublishingIsStoppedNotItsOldRate() {
        Progress p = progress(7425L, 1384, 0, "notes/a.md", 409.2, 15L);
        java.io.StringWriter fresh = new java.io.StringWriter();
        ProgressView.human(new java.io.PrintWriter(fresh, true), java.util.List.of(p), Instant.EPOCH.plusSeconds(1));
        assertTrue(fresh.toString().contains("409.2/s, about 15s left"), fresh.toString());

        java.io.StringWriter stopped = new java.io.StringWriter();
        ProgressView.human(new java.io.PrintWriter(stopped, true), java.util.List.of(p), Instant.EPOCH.plusSeconds(11));
        assertTrue(stopped.toString().contains("no news for 11s (the writer is stopped or stuck)"), stopped.toString());
        assertFalse(stopped.toString().contains("left"), stopped.toString());
    }
}
