package dev.kb.core.input;

import dev.kb.core.app.Status;
import java.util.List;

/**
 * What happened to one input: the contract's event ({@code added}, {@code updated},
 * {@code skipped}, {@code failed}; {@code removed} for {@code kb remove}), the document name when
 * there is one, and a one-line reason for skips and failures.
 */
public record Outcome(String input, Status status, String doc, String reason, List<String> warnings) {

    public enum Status {
        ADDED, UPDATED, SKIPPED, FAILED, REMOVED, REPAIRED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Outcome {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public static Outcome failed(String input, String reason) {
        return new Outcome(input, Status.FAILED, null, reason, List.of());
    }

    public static Outcome skipped(String input, String doc, String reason) {
        return new Outcome(input, Status.SKIPPED, doc, reason, List.of());
    }
}
