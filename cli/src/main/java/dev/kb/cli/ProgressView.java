package dev.kb.cli;

import dev.kb.core.input.Inputs;
import dev.kb.core.progress.Progress;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The progress section of {@code kb status}: what the running batches are doing (none: null). */
final class ProgressView {
    private static final String INDENT = " ".repeat(18);

    private ProgressView() {
    }

    /**
     * The contract's {@code progress}: null when no batch runs, else the one that started first
     * (two writers may run at once, taking turns between their groups; the human output lists each).
     */
    static void json(JsonLine n, List<Progress> live) {
        if (live.isEmpty()) {
            n.put("progress", null);
            return;
        }
        Progress p = live.get(0);
        JsonLine j = n.putObject("progress");
        j.put("pid", p.pid());
        j.put("command", p.command());
        j.put("phase", p.phase());
        j.put("started_at", text(p.startedAt()));
        j.put("updated_at", text(p.updatedAt()));
        j.put("inputs", p.inputs());
        j.put("done", p.done());
        j.put("added", p.added());
        j.put("updated", p.updated());
        j.put("skipped", p.skipped());
        j.put("failed", p.failed());
        j.put("removed", p.removed());
        j.put("repaired", p.repaired());
        j.put("current", p.current());
        j.put("docs_per_second", p.docsPerSecond() == null ? null : Math.round(p.docsPerSecond() * 10) / 10.0);
        j.put("eta_seconds", p.etaSeconds());
    }

    /**
     * <pre>
     * progress:         kb add (pid 4242) since 2026-12-01T10:00:00Z: 120 of 7425 inputs done
     *                   100 added, 3 updated, 15 skipped, 2 failed; 35.2/s, about 3m28s left
     *                   now: notes/foo.md
     * </pre>
     */
    static void human(PrintWriter o, List<Progress> live) {
        human(o, live, Instant.now());
    }

    /**
     * A writer publishes at least once a second while it runs; a file older than this is a writer
     * stopped (SIGSTOP, a debugger) or stuck, whose last rate and time left no longer hold.
     */
    static final java.time.Duration QUIET = java.time.Duration.ofSeconds(5);

    static void human(PrintWriter o, List<Progress> live, Instant now) {
        if (live.isEmpty()) {
            o.println("progress:         none");
            return;
        }
        String first = "progress:         ";
        for (Progress p : live) {
            o.println(first + p.command() + " (pid " + p.pid() + ")"
                    + (p.startedAt() == null ? "" : " since " + p.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    + (p.phase() == null ? "" : ", " + p.phase()) + ": " + p.done()
                    + (p.inputs() == null ? " inputs done (total not known yet)" : " of " + p.inputs() + " done"));
            List<String> parts = new ArrayList<>();
            count(parts, p.added(), "added");
            count(parts, p.updated(), "updated");
            count(parts, p.removed(), "removed");
            count(parts, p.repaired(), "repaired");
            count(parts, p.skipped(), "skipped");
            count(parts, p.failed(), "failed");
            String rate = p.docsPerSecond() == null ? null : String.format(Locale.ROOT, "%.1f/s", p.docsPerSecond())
                    + (p.etaSeconds() == null ? "" : ", about " + ProgressLine.clock(p.etaSeconds()) + " left");
            if (p.updatedAt() != null && p.updatedAt().plus(QUIET).isBefore(now)) {
                rate = "no news for " + ProgressLine.clock(java.time.Duration.between(p.updatedAt(), now).toSeconds())
                        + " (the writer is stopped or stuck)";
            }
            if (!parts.isEmpty() || rate != null) {
                o.println(INDENT + String.join(", ", parts) + (parts.isEmpty() || rate == null ? "" : "; ")
                        + (rate == null ? "" : rate));
            }
            if (p.current() != null) {
                o.println(INDENT + "now: " + Inputs.printable(p.current()));
            }
            first = INDENT;
        }
    }

    private static void count(List<String> parts, long n, String word) {
        if (n > 0) {
            parts.add(n + " " + word);
        }
    }

    private static String text(Instant i) {
        return i == null ? null : i.toString();
    }
}
