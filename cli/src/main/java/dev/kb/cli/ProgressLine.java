package dev.kb.cli;

import dev.kb.core.input.Inputs;
import dev.kb.core.progress.BatchProgress;
import dev.kb.core.progress.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress line of {@code add}, {@code import} and {@code remove} on a terminal's stderr:
 * done/total, a bar, the rate, the time left and the input being worked on, redrawn in place
 * from a thread of its own; every other stderr line is printed above it ({@link #above}: clear
 * the line, print, draw it again), so nothing is ever drawn over.
 *
 * <p>Plain mode ({@code NO_COLOR}, {@code TERM=dumb}, no {@code TERM}) writes no escape code and
 * no carriage return: a line of its own every {@value #PLAIN_EVERY_SECONDS} seconds instead, and
 * none for a batch that ends sooner, so a dumb terminal or a log gets a few readable lines.
 *
 * <p>Written by hand, not with a progress-bar library: those (progressbar, JLine) pull in a
 * terminal layer whose start-up costs every add tens of milliseconds; this needs three escape
 * codes. Long lines must not wrap (a wrapped line cannot be redrawn with a carriage return and
 * would leave a trail of copies), and kb does not know the width unless the shell exported
 * {@code COLUMNS}: so the line is cut to the width it knows and auto-wrap is turned off just
 * while it is written ({@code ESC[?7l} … {@code ESC[?7h}, in the same write, so a kill cannot
 * leave the terminal without wrapping).
 */
final class ProgressLine {
    private static final long FIRST_DRAW_NANOS = 300_000_000L;
    private static final long REDRAW_MILLIS = 200;
    static final int PLAIN_EVERY_SECONDS = 10;
    private static final String CLEAR = "\r\033[K";
    private static final String NO_WRAP = "\033[?7l";
    private static final String WRAP = "\033[?7h";
    private static final int BAR = 20;

    private final PrintWriter err;
    private final Object lock;
    private final BatchProgress progress;
    private final boolean plain;
    private final int width;
    private final long start = System.nanoTime();
    /** The line as on screen now, null when none is (guarded by {@link #lock}). */
    private String shown;
    private boolean closed;
    private long plainAt = start;
    private Thread thread;

    /**
     * @param lock what every writer to {@code err} holds (the command's {@link Output}), so that a
     *             redraw never lands in the middle of another line
     */
    ProgressLine(PrintWriter err, Object lock, BatchProgress progress, boolean plain, int width) {
        this.err = err;
        this.lock = lock;
        this.progress = progress;
        this.plain = plain;
        this.width = width;
    }

    ProgressLine start() {
        thread = new Thread(this::loop, "kb-progress-line");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void loop() {
        while (true) {
            try {
                Thread.sleep(REDRAW_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (closed) {
                    return;
                }
                tick(System.nanoTime());
            }
        }
    }

    /** One redraw (or, plain, maybe one line); the caller holds the lock. */
    void tick(long now) {
        if (now - start < FIRST_DRAW_NANOS) {
            return;
        }
        Progress p = progress.snapshot();
        if (plain) {
            if (now - plainAt >= PLAIN_EVERY_SECONDS * 1_000_000_000L) {
                plainAt = now;
                err.println(Inputs.printable("kb: " + progress.command() + ": " + render(p, Integer.MAX_VALUE, false)));
                err.flush();
            }
            return;
        }
        shown = render(p, width - 1, true);
        err.print(CLEAR + NO_WRAP + shown + WRAP);
        err.flush();
    }

    /** Prints {@code text} as a line of its own above the progress line; the caller holds the lock. */
    void above(String text) {
        if (shown == null) {
            err.println(text);
        } else {
            err.print(CLEAR + text + System.lineSeparator() + NO_WRAP + shown + WRAP);
        }
        err.flush();
    }

    /**
     * Runs {@code print}, which writes a line to another stream on the same screen (stdout, when
     * it is the terminal too), with the progress line out of its way; the caller holds the lock.
     * Without this a {@code --json} event would be printed after the progress line, on its line.
     */
    void around(Runnable print) {
        if (shown != null) {
            err.print(CLEAR);
            err.flush();
        }
        print.run();
        if (shown != null) {
            err.print(NO_WRAP + shown + WRAP);
            err.flush();
        }
    }

    /** Stops redrawing and clears the line, so the summary is printed where it was. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (shown != null) {
                err.print(CLEAR);
                err.flush();
                shown = null;
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    /**
     * "120/7425 [###.................]  35.2/s  ETA 3m28s  2 failed  notes/foo.md", at most
     * {@code max} characters: the input is cut at its start (its file name is at its end), and
     * dropped when there is no room for it. {@code bar} false: words, for plain lines.
     */
    static String render(Progress p, int max, boolean bar) {
        StringBuilder b = new StringBuilder();
        Long total = p.inputs();
        b.append(p.done()).append('/').append(total == null ? "?" : total.toString());
        if (!bar) {
            b.append(" done");
        } else if (total != null && total > 0) {
            int filled = (int) Math.min(BAR, p.done() * BAR / total);
            b.append(" [").append("#".repeat(filled)).append(".".repeat(BAR - filled)).append(']');
        }
        if (p.docsPerSecond() != null) {
            b.append(bar ? "  " : ", ").append(String.format(Locale.ROOT, "%.1f/s", p.docsPerSecond()));
        }
        if (p.etaSeconds() != null) {
            b.append(bar ? "  ETA " : ", about ").append(clock(p.etaSeconds())).append(bar ? "" : " left");
        }
        if (p.failed() > 0) {
            b.append(bar ? "  " : ", ").append(p.failed()).append(" failed");
        }
        String current = p.current() == null ? null : Inputs.printable(p.current());
        if (current != null) {
            String sep = bar ? "  " : "; now ";
            int room = max - b.length() - sep.length();
            if (current.length() <= room) {
                b.append(sep).append(current);
            } else if (room >= 12) {
                int from = current.length() - (room - 3);
                if (Character.isLowSurrogate(current.charAt(from))) {
                    from++; // never half a character
                }
                b.append(sep).append("...").append(current, from, current.length());
            }
        }
        return b.length() <= max ? b.toString() : b.substring(0, max);
    }

    /** 42s, 3m28s, 1h05m: for people (the ETA), not for options ({@code Durations} is for those). */
    static String clock(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format(Locale.ROOT, "%02d", seconds % 3600 / 60) + "m";
    }
}
