package dev.kb.core.convert;

import dev.kb.core.KbException;
import dev.kb.core.text.Durations;
import java.time.Duration;

/**
 * When the conversion of one document must end. Checked cooperatively at many points of the
 * HTML pipeline (every read while parsing, every pattern test inside Readability, every chunk of
 * the Markdown rendering), so a conversion stops within moments of its deadline instead of
 * running for minutes on a hostile page.
 */
final class ConversionDeadline {
    /** What a local file or a repair gets: the default of {@code --timeout}. */
    static final Duration DEFAULT = Duration.ofSeconds(60);

    private final Duration budget;
    private final long endNanos;

    private ConversionDeadline(Duration budget) {
        this.budget = budget;
        this.endNanos = System.nanoTime() + budget.toNanos();
    }

    /** A deadline {@code budget} from now. */
    static ConversionDeadline in(Duration budget) {
        if (budget == null || budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("a conversion budget must be positive: " + budget);
        }
        return new ConversionDeadline(budget);
    }

    /** Throws the input's failure once the deadline has passed, or when the thread was interrupted. */
    void check() {
        if (System.nanoTime() - endNanos > 0) {
            throw new TimedOut("conversion timed out after " + Durations.format(budget) + " (--timeout)");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new TimedOut("conversion interrupted");
        }
    }

    /** Distinct from other failures so that no fallback inside the conversion swallows it. */
    static final class TimedOut extends KbException {
        TimedOut(String message) {
            super(Kind.INPUT_FAILED, message);
        }
    }
}
