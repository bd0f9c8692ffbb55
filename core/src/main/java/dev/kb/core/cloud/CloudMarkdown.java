package dev.kb.core.cloud;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Renders a {@link CloudDocument} as the Markdown source kb stores for it. */
public final class CloudMarkdown {
    /** Extensions dropped from the cloud file name to make a title; anything else is part of the name. */
    private static final Set<String> FILE_EXTENSIONS = Set.of("pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx",
            "odt", "rtf", "txt", "md", "markdown", "html", "htm", "epub", "png", "jpg", "jpeg", "tif", "tiff");

    private CloudMarkdown() {
    }

    /**
     * A {@code ## Contents} list from the tree (omitted when the tree is empty), each entry with the
     * pages it spans, then every page in order, each led by a line {@code <!-- page N -->} so a
     * reader or tool can map text back to the original page.
     *
     * <p>An entry's range runs from its start page to the last page of its whole subtree: the
     * tree's own end page of a parent stops where its first child begins, which reads wrongly in a
     * table of contents.
     */
    public static String body(CloudDocument doc) {
        StringBuilder out = new StringBuilder();
        if (!doc.tree().isEmpty()) {
            out.append("## Contents\n\n");
            toc(doc.tree(), 0, out);
            out.append('\n');
        }
        boolean first = true;
        for (Page page : doc.pages()) {
            if (!first) {
                out.append('\n');
            }
            first = false;
            out.append("<!-- page ").append(page.index()).append(" -->\n");
            String text = page.markdown().replace("\r\n", "\n").strip();
            if (!text.isEmpty()) {
                out.append('\n').append(text).append('\n');
            }
        }
        return out.toString();
    }

    private static void toc(List<TreeNode> nodes, int depth, StringBuilder out) {
        for (TreeNode node : nodes) {
            out.append("  ".repeat(depth)).append("- ").append(oneLine(node.title()))
                    .append(" (").append(pageRange(node.startPage(), node.lastPageOfSubtree())).append(")\n");
            toc(node.children(), depth + 1, out);
        }
    }

    static String pageRange(int start, int end) {
        return end <= start ? "p. " + start : "pp. " + start + "-" + end;
    }

    /**
     * The fields this document adds to its YAML front matter, in order, nulls left out:
     * {@code description}, {@code pages}, {@code cloud_id}, {@code created}. The caller adds
     * title, source, sha256, type and added. The map is a fresh mutable copy.
     */
    public static Map<String, Object> frontMatter(CloudDocument doc) {
        Map<String, Object> fm = new LinkedHashMap<>();
        if (doc.description() != null && !doc.description().isBlank()) {
            fm.put("description", doc.description().strip());
        }
        fm.put("pages", doc.pageCount() != null ? doc.pageCount() : doc.pages().size());
        fm.put("cloud_id", doc.id());
        if (doc.createdAt() != null) {
            fm.put("created", doc.createdAt());
        }
        return fm;
    }

    /** The cloud file name without its directory and file extension ({@code Q3 report.pdf} gives {@code Q3 report}), else the id. */
    public static String title(CloudDocument doc) {
        String name = doc.name() == null ? "" : doc.name().strip();
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        if (dot >= 0 && FILE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            name = name.substring(0, dot).strip();
        }
        name = oneLine(name);
        return name.isEmpty() ? doc.id() : name;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
