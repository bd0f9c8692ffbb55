package dev.kb.core.convert;

/** Small helpers shared by the conversions. */
final class Conversions {

    private static final int MAX_REASON = 160;

    private Conversions() {
    }

    /** A library exception's message as one short line for a user-facing failure. */
    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        message = message.strip().replaceAll("\\s+", " ");
        return message.length() > MAX_REASON ? message.substring(0, MAX_REASON - 1) + "…" : message;
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Collapses runs of whitespace to one space and trims; null stays null. */
    static String normalizeSpace(String s) {
        return s == null ? null : s.strip().replaceAll("\\s+", " ");
    }
}
