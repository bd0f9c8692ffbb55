package dev.kb.core.input;

import dev.kb.core.app.Status;
import java.util.List;

/**
 * What happened to one input: the contract's event ({@code added}, {@code updated},
 * {@code skipped}, {@code failed}; {@code removed} for {@code kb remove}), the document name when
 * there is one, and a one-line reason for skips and failures.
 *
 * @param checked for a skip as {@value #UNCHANGED}: how that was found, {@value #BY_STAT} (the
 *                file's size, times and inode are those recorded when it was committed; it was
 *                not opened) or {@value #BY_CONTENT} (read and hashed); else null
 */
public record Outcome(String input, Status status, String doc, String reason, List<String> warnings,
                      String checked) {

    /** The reason of a skip whose source is in the KB with this very content. */
    public static final String UNCHANGED = "unchanged";
    public static final String BY_STAT = "stat";
    public static final String BY_CONTENT = "content";

    public enum Status {
        ADDED, UPDATED, SKIPPED, FAILED, REMOVED, REPAIRED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Outcome {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public Outcome(String input, Status status, String doc, String reason, List<String> warnings) {
        this(input, status, doc, reason, warnings, null);
    }

    /** A skip of a source whose document has this content already, found out {@code checked}. */
    public static Outcome unchanged(String input, String doc, String checked) {
        return new Outcome(input, Status.SKIPPED, doc, UNCHANGED, List.of(), checked);
    }

    public static Outcome failed(String input, String reason) {
        return new Outcome(input, Status.FAILED, null, reason, List.of());
    }

    public static Outcome skipped(String input, String doc, String reason) {
        return new Outcome(input, Status.SKIPPED, doc, reason, List.of());
    }
}
