package dev.kb.core.convert;

/** Text clean-up shared by the converters: blank tests and whitespace runs in extracted metadata. */
final class ConverterText {

    private ConverterText() {
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Collapses runs of whitespace to one space and trims; null stays null. */
    static String normalizeSpace(String s) {
        return s == null ? null : s.strip().replaceAll("\\s+", " ");
    }
}
