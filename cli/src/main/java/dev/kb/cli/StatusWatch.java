package dev.kb.cli;

import dev.kb.core.text.Durations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code kb status --watch [INTERVAL]}: the report again every interval until Ctrl-C or SIGTERM
 * (exit 130 / 143, as the JVM gives them).
 * <ul>
 *   <li>{@code --json}: one object per interval (NDJSON), nothing else;</li>
 *   <li>a terminal on stdout: redrawn in place, as watch(1) does, with the cursor hidden while
 *       it runs and shown again at the end;</li>
 *   <li>otherwise (a pipe, a file, {@code TERM=dumb}, {@code NO_COLOR}): a block per interval, each
 *       under a line with the time, separated by a blank line, as vmstat(8) does for a log.</li>
 * </ul>
 * Each frame is made whole first and written in one go, under a lock the shutdown hook takes
 * too: a signal lands between two frames, never inside a JSON line or a half-drawn screen.
 */
final class StatusWatch {
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    private static final String HOME = "\033[H";
    private static final String CLEAR_SCREEN = "\033[2J";
    private static final String CLEAR_LINE_END = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";

    private StatusWatch() {
    }

    /** @param report prints one report through {@code cl.getOut()} */
    static int run(CommandLine cl, Duration interval, boolean json, Map<String, String> env, Runnable report) {
        PrintWriter out = cl.getOut();
        boolean redraw = !json && Terminal.stdout() && !Terminal.plain(env);
        Object lock = new Object();
        boolean[] stopping = {false};
        Thread hook = new Thread(() -> {
            synchronized (lock) {
                stopping[0] = true;
                if (redraw) {
                    out.print(SHOW_CURSOR); // the terminal as it was, less the last frame
                }
                out.flush();
            }
        }, "kb-watch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long next = System.nanoTime();
            for (int frame = 0; ; frame++) {
                String text = capture(cl, report);
                synchronized (lock) {
                    if (stopping[0]) {
                        return ExitCodes.OK; // not reached: the JVM ends with the hook
                    }
                    out.print(frame(text, frame, interval, json, redraw));
                    out.flush();
                    if (out.checkError()) {
                        return ExitCodes.OK; // the reader has gone ('| head -2'); Main says the rest
                    }
                }
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait <= 0) {
                    next = System.nanoTime(); // a slow report: the next one right away, no burst after
                } else {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                if (redraw) {
                    out.print(SHOW_CURSOR); // also when a report failed (the KB went away)
                    out.flush();
                }
            } catch (IllegalStateException shuttingDown) {
                // the hook has it
            }
        }
    }

    /** One report as text, printed into a buffer instead of stdout. */
    private static String capture(CommandLine cl, Runnable report) {
        PrintWriter real = cl.getOut();
        StringWriter buf = new StringWriter();
        cl.setOut(new PrintWriter(buf));
        try {
            report.run();
        } finally {
            cl.getOut().flush();
            cl.setOut(real);
        }
        return buf.toString();
    }

    static String frame(String text, int frame, Duration interval, boolean json, boolean redraw) {
        if (json) {
            return text;
        }
        String header = "kb status, every " + Durations.format(interval) + ": "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
        if (!redraw) {
            return (frame == 0 ? "" : System.lineSeparator()) + header + System.lineSeparator() + text;
        }
        // home, then each line cleared to its end and the rest of the screen below: no flicker,
        // and nothing of a longer earlier frame stays
        StringBuilder b = new StringBuilder(frame == 0 ? HIDE_CURSOR + HOME + CLEAR_SCREEN : HOME);
        b.append(header).append(CLEAR_LINE_END).append(System.lineSeparator());
        for (String line : text.split("\\R", -1)) {
            b.append(line).append(CLEAR_LINE_END).append(System.lineSeparator());
        }
        b.setLength(b.length() - System.lineSeparator().length() - CLEAR_LINE_END.length());
        return b.append(CLEAR_BELOW).toString();
    }
}
