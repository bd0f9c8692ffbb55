package dev.kb.core.convert;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * The title a PDF shows on its first page: the run of lines set in the largest font, when that
 * font is clearly larger than the page's body text. Without this, a paper without an info Title
 * is named after whatever comes first on the page — for arXiv papers a licence notice.
 */
final class PdfTitle {

    /** How much larger than the body text a heading must be to count as the title. */
    private static final float HEADING_RATIO = 1.2f;

    private static final int MAX_LENGTH = 300;

    private PdfTitle() {
    }

    /**
     * Strips a page as {@link PDFTextStripper} does, the same text to the same output, and keeps
     * the runs of text it set with their font sizes: the first page is read once for its text
     * and for its title.
     */
    static final class RunsStripper extends PDFTextStripper {
        private final List<Run> runs = new ArrayList<>();

        @Override
        protected void writeString(String text, List<TextPosition> positions) throws IOException {
            super.writeString(text, positions);
            float size = 0;
            for (TextPosition p : positions) {
                // Rotated text is a margin stamp (arXiv's identifier runs up the side), not a title.
                if (p.getDir() == 0) {
                    size = Math.max(size, Math.round(p.getFontSizeInPt() * 10) / 10f);
                }
            }
            if (size > 0 && !text.isBlank()) {
                runs.add(new Run(text.strip(), size, text.strip().length()));
            }
        }

        /** The largest-font text of what was stripped, or null when no text stands out. */
        String largestText() {
            return PdfTitle.largestText(runs);
        }
    }

    private static String largestText(List<Run> runs) {
        if (runs.isEmpty()) {
            return null;
        }

        // The body size is the one most characters are set in.
        Map<Float, Integer> charsBySize = new HashMap<>();
        float largest = 0;
        for (Run run : runs) {
            charsBySize.merge(run.size(), run.chars(), Integer::sum);
            largest = Math.max(largest, run.size());
        }
        float body = charsBySize.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        if (largest < body * HEADING_RATIO) {
            return null;
        }
        // The first consecutive run of largest-size lines: a title set over two lines stays whole.
        StringBuilder title = new StringBuilder();
        for (Run run : runs) {
            if (run.size() == largest) {
                if (title.length() > 0) {
                    title.append(' ');
                }
                title.append(run.text());
            } else if (title.length() > 0) {
                break;
            }
        }
        String result = ConverterText.normalizeSpace(title.toString());
        return result.isEmpty() || result.length() > MAX_LENGTH ? null : result;
    }

    private record Run(String text, float size, int chars) {
    }
}
