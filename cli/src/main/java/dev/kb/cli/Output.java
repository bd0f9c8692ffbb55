package dev.kb.cli;

import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.progress.BatchProgress;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Where a command's words go: human progress and warnings on stderr, machine output (NDJSON,
 * one object per line) on stdout only with {@code --json}. Every human line goes out through
 * {@link Inputs#printable}: inputs, paths and causes come from file names and servers, and a
 * newline in one would split the line for scripts that read stderr line by line.
 */
final class Output {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    /** {@code --quiet}: per-input lines only for failures (warnings and the summary always). */
    private final boolean quiet;

    /** The command's environment (the root command's), for what the terminal may be sent. */
    private final Map<String, String> env;
    /** The progress line on a terminal's stderr, or null (guarded by this object). */
    private ProgressLine line;
    /** Whether stdout is a terminal too, probably the same screen as the progress line. */
    private boolean stdoutOnScreen;
    /**
     * While {@link #outcomes} reports a group: its stderr lines and stdout events, written once
     * each at the end (guarded by this object). A write and a flush per document was 7,420
     * write calls on the committing thread for a corpus add; a group's lines are all known at
     * once anyway, since they are reported when the group has committed.
     */
    private StringBuilder heldErr;
    private StringBuilder heldOut;

    Output(CommandSpec spec, boolean json) {
        this(spec, json, false);
    }

    Output(CommandSpec spec, boolean json, boolean quiet) {
        this.out = spec.commandLine().getOut();
        this.err = spec.commandLine().getErr();
        this.json = json;
        this.quiet = quiet;
        this.env = spec.root().userObject() instanceof KbCommand root ? root.env : Map.of();
    }

    /**
     * Shows a batch's progress line on stderr while it runs, when stderr is a terminal and not
     * {@code --quiet} (which keeps stderr to failures, warnings and the summary); see
     * {@link ProgressLine}. {@code --json} changes nothing here: its output is on stdout.
     */
    void startProgress(BatchProgress progress) {
        if (quiet || !Terminal.stderr(env)) {
            return;
        }
        boolean plain = Terminal.plain(env);
        boolean screen = json && !plain && Terminal.stdout();
        synchronized (this) {
            stdoutOnScreen = screen;
            line = new ProgressLine(err, this, progress, plain, Terminal.columns(env)).start();
        }
    }

    /** Clears the progress line for good (idempotent), before the summary. */
    synchronized void endProgress() {
        if (line != null) {
            line.close();
            line = null;
        }
    }

    static JsonLine object() {
        return new JsonLine();
    }

    void info(String text) {
        String printable = Inputs.printable(text);
        synchronized (this) {
            if (line != null) {
                line.above(printable); // clear the progress line, print, draw it again
                return;
            }
            if (heldErr != null) {
                heldErr.append(printable).append(System.lineSeparator());
                return;
            }
            err.println(printable);
            err.flush();
        }
    }

    void warning(String line) {
        info("kb: warning: " + line);
    }

    void waiting(String holder) {
        info("kb: waiting for the writer lock held by " + holder + " ...");
    }

    /** Writes one JSON line to stdout, only in {@code --json} mode. */
    void json(JsonLine node) {
        if (!json) {
            return;
        }
        String text = node.toString();
        synchronized (this) {
            if (heldOut != null) {
                heldOut.append(text).append(System.lineSeparator());
                return;
            }
            if (line != null && stdoutOnScreen) {
                line.around(() -> {
                    out.println(text);
                    out.flush();
                });
                return;
            }
            out.println(text);
            out.flush();
        }
    }

    /**
     * A committed group's events, as {@link #outcome} gives them one by one, with one write to
     * stderr and one to stdout for the whole group. With a progress line on the screen each line
     * goes out on its own, around the progress line.
     */
    synchronized void outcomes(List<Outcome> group) {
        boolean hold = line == null;
        if (hold) {
            heldErr = new StringBuilder(group.size() * 96);
            heldOut = json ? new StringBuilder(group.size() * 160) : null;
        }
        try {
            for (Outcome o : group) {
                outcome(o);
            }
        } finally {
            if (hold) {
                writeHeld();
            }
        }
    }

    /** Writes what {@link #outcomes} held: stderr first, as the lines came before their events one by one. */
    private void writeHeld() {
        StringBuilder e = heldErr;
        StringBuilder o = heldOut;
        heldErr = null;
        heldOut = null;
        if (e.length() > 0) {
            err.print(e);
            err.flush();
        }
        if (o != null && o.length() > 0) {
            out.print(o);
            out.flush();
        }
    }

    /** One input's event: a line on stderr, and the contract's JSON event with {@code --json}. */
    void outcome(Outcome o) {
        // padded by hand: String.format cost a re-add of 7,425 unchanged files a tenth of its time
        String word = o.status().word();
        StringBuilder b = new StringBuilder(word.length() + o.input().length() + 32).append(word);
        for (int pad = word.length(); pad < 8; pad++) {
            b.append(' ');
        }
        b.append(' ').append(o.input());
        if (o.doc() != null && o.status() != Outcome.Status.FAILED && !o.doc().equals(o.input())) {
            b.append(" -> ").append(o.doc());
        }
        if (o.reason() != null) {
            b.append(o.status() == Outcome.Status.FAILED ? ": " : " (").append(o.reason())
                    .append(o.status() == Outcome.Status.FAILED ? "" : ")");
        }
        if (!quiet || o.status() == Outcome.Status.FAILED) {
            info(b.toString());
        }
        for (String w : o.warnings()) {
            warning(o.input() + ": " + w);
        }
        if (!json) {
            return;
        }
        JsonLine n = object();
        n.put("input", o.input());
        n.put("status", o.status().word());
        n.put("doc", o.doc());
        n.put("error", o.status() == Outcome.Status.FAILED ? o.reason() : null);
        if (o.status() == Outcome.Status.SKIPPED && o.reason() != null) {
            n.put("reason", o.reason());
        }
        if (o.checked() != null) {
            n.put("checked", o.checked()); // "stat": found unchanged without being read; "content": by its hash
        }
        if (!o.warnings().isEmpty()) {
            n.put("warnings", o.warnings());
        }
        json(n);
    }

    /**
     * The closing summary: a line on stderr and the contract's summary object, with {@code keys};
     * after Ctrl-C or SIGTERM the object also says {@code "interrupted": true}, so a script that
     * reads only stdout knows the batch did not reach its end.
     */
    void summary(List<Outcome.Status> keys, Map<Outcome.Status, Integer> counts, long millis, boolean interrupted) {
        StringBuilder line = new StringBuilder("kb: ");
        JsonLine s = object();
        JsonLine c = s.putObject("summary");
        for (Outcome.Status st : keys) {
            int n = counts.getOrDefault(st, 0);
            line.append(n).append(' ').append(st.word()).append(", ");
            c.put(st.word(), n);
        }
        if (interrupted) {
            c.put("interrupted", true);
        }
        line.setLength(line.length() - 2);
        info(line.append(String.format(" (%.1fs)", millis / 1000.0)).toString());
        json(s);
    }
}
