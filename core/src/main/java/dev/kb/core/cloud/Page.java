package dev.kb.core.cloud;

/**
 * One OCR'd page of a PageIndex Cloud document.
 *
 * @param index    the 1-based page number
 * @param markdown the page's text as Markdown (never null; empty for a blank page)
 */
public record Page(int index, String markdown) {

    public Page {
        markdown = markdown == null ? "" : markdown;
    }

    /** Short on purpose: a page's text can be long and does not belong in logs or messages. */
    @Override
    public String toString() {
        return "Page[index=" + index + ", chars=" + markdown.length() + "]";
    }
}
