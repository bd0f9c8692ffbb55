package dev.kb.core.mutation;

import dev.kb.core.input.Outcome;
import java.time.Duration;
import java.util.List;

/**
 * A running mutating command (add, import, remove, repair) that a signal may stop at a safe
 * point: between two groups, never inside one.
 */
public interface Batch {

    /** Receives events as they happen (on the batch's thread, in input order). */
    interface Listener extends WriterSession.Events {
        void outcome(Outcome o);

        /**
         * The outcomes of one committed group, in input order: {@link #outcome} for each unless a
         * listener reports them together (one write for the group rather than one per document).
         */
        default void outcomes(List<Outcome> group) {
            for (Outcome o : group) {
                outcome(o);
            }
        }

        /** How many inputs the batch has: one {@link #outcome} will come for each. */
        default void inputs(int total) {
        }

        /**
         * The input the batch now waits for (the next to be reported); for a live view only, so
         * it must cost next to nothing: it comes once per input.
         */
        default void working(String input) {
        }
    }

    /**
     * Asks the batch to stop after the group being committed and waits up to {@code grace} for
     * it to get there.
     *
     * @return whether it stopped within the grace period; if not, the process is ending somewhere
     *         that the next command's recovery cleans up after
     */
    boolean cancel(Duration grace);

    /** Whether {@link #cancel} was called. */
    boolean cancelled();
}
