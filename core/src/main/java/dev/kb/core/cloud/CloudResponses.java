package dev.kb.core.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kb.core.KbException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Reads the service's JSON bodies, tolerating the older shapes the spec lists. Every shape problem
 * becomes one {@code unexpected response from PageIndex Cloud: <reason>} failure, never a
 * NullPointerException or a vague "no content" later on.
 */
final class CloudResponses {
    private CloudResponses() {
    }

    /** The metadata fields kb uses. */
    record Metadata(String id, String name, String description, String status, String createdAt, Integer pageNum) {
    }

    /** Whether a response says the document can be read yet. */
    enum Readiness { READY, PROCESSING, FAILED }

    static KbException unexpected(String reason) {
        return KbException.inputFailed("unexpected response from PageIndex Cloud: " + reason);
    }

    static Metadata metadata(JsonNode body, String requestedId) {
        if (!body.isObject()) {
            throw unexpected("metadata is not a JSON object");
        }
        String status = text(body.get("status"));
        if (status == null) {
            throw unexpected("metadata has no status");
        }
        String id = text(body.get("id"));
        return new Metadata(id == null ? requestedId : id, text(body.get("name")), text(body.get("description")),
                status, text(body.get("createdAt")), positiveInt(body.get("pageNum")));
    }

    static Readiness readinessOfStatus(String status) {
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "completed" -> Readiness.READY;
            case "failed", "error" -> Readiness.FAILED;
            // processing, queued, pending and anything new: not readable yet, and waiting may help
            default -> Readiness.PROCESSING;
        };
    }

    /**
     * A tree or OCR body is ready only when it has a result and its status (if any) is completed;
     * while processing the service answers 200 with {@code status: processing} and no result.
     */
    static Readiness readinessOfContent(JsonNode body, JsonNode result) {
        String status = body.isObject() ? text(body.get("status")) : null;
        if (status != null && readinessOfStatus(status) != Readiness.READY) {
            return readinessOfStatus(status);
        }
        return result == null ? Readiness.PROCESSING : Readiness.READY;
    }

    /** The status a tree/OCR body reports, for messages. */
    static String statusOf(JsonNode body) {
        String status = body.isObject() ? text(body.get("status")) : null;
        return status == null ? "processing" : status;
    }

    /** The tree array: under {@code result}, or on older servers {@code tree} or {@code structure}; null if absent. */
    static JsonNode treeResult(JsonNode body) {
        if (!body.isObject()) {
            throw unexpected("tree response is not a JSON object");
        }
        for (String key : new String[] {"result", "tree", "structure"}) {
            JsonNode value = body.get(key);
            if (value != null && !value.isNull()) {
                if (!value.isArray()) {
                    throw unexpected("tree '" + key + "' is not a list");
                }
                return value;
            }
        }
        return null;
    }

    /** The OCR page array under {@code result}; null if absent. */
    static JsonNode ocrResult(JsonNode body) {
        if (!body.isObject()) {
            throw unexpected("OCR response is not a JSON object");
        }
        JsonNode value = body.get("result");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw unexpected("OCR 'result' is not a list");
        }
        return value;
    }

    /** Pages sorted by index; {@code page_index}/{@code markdown}, or older {@code page}/{@code content}. */
    static List<Page> pages(JsonNode result) {
        List<Page> pages = new ArrayList<>(result.size());
        for (JsonNode p : result) {
            if (!p.isObject()) {
                throw unexpected("OCR page is not a JSON object");
            }
            Integer index = positiveInt(first(p, "page_index", "page"));
            if (index == null) {
                throw unexpected("OCR page without a page number");
            }
            JsonNode content = first(p, "markdown", "content");
            if (content != null && !content.isNull() && !content.isTextual()) {
                throw unexpected("OCR page " + index + " text is not a string");
            }
            pages.add(new Page(index, content == null || content.isNull() ? "" : content.asText()));
        }
        pages.sort(Comparator.comparingInt(Page::index));
        return pages;
    }

    /**
     * The tree with end pages filled in: each node ends at the next node's start page in pre-order
     * over the whole tree (never before its own start), the last node at {@code lastPage}.
     */
    static List<TreeNode> tree(JsonNode result, int lastPage) {
        List<Draft> roots = drafts(result);
        List<Draft> preOrder = new ArrayList<>();
        for (Draft root : roots) {
            root.collect(preOrder);
        }
        for (int i = 0; i < preOrder.size(); i++) {
            Draft d = preOrder.get(i);
            int next = i + 1 < preOrder.size() ? preOrder.get(i + 1).start : lastPage;
            d.end = Math.max(d.start, next);
        }
        return roots.stream().map(Draft::build).toList();
    }

    private static List<Draft> drafts(JsonNode nodes) {
        List<Draft> drafts = new ArrayList<>(nodes.size());
        for (JsonNode n : nodes) {
            if (!n.isObject()) {
                throw unexpected("tree node is not a JSON object");
            }
            // start_index is the open-source PageIndex name for the same field
            Integer start = positiveInt(first(n, "page_index", "start_index"));
            if (start == null) {
                throw unexpected("tree node without a start page");
            }
            String title = text(n.get("title"));
            JsonNode children = n.get("nodes");
            if (children != null && !children.isNull() && !children.isArray()) {
                throw unexpected("tree node 'nodes' is not a list");
            }
            drafts.add(new Draft(title == null ? "(untitled)" : title.strip(), text(n.get("node_id")), start,
                    text(first(n, "summary", "prefix_summary")),
                    children == null || children.isNull() ? List.of() : drafts(children)));
        }
        return drafts;
    }

    private static final class Draft {
        final String title;
        final String nodeId;
        final int start;
        final String summary;
        final List<Draft> children;
        int end;

        Draft(String title, String nodeId, int start, String summary, List<Draft> children) {
            this.title = title;
            this.nodeId = nodeId;
            this.start = start;
            this.summary = summary;
            this.children = children;
        }

        void collect(List<Draft> out) {
            out.add(this);
            for (Draft c : children) {
                c.collect(out);
            }
        }

        TreeNode build() {
            return new TreeNode(title, nodeId, start, end, summary, children.stream().map(Draft::build).toList());
        }
    }

    /** The first of the keys that is present and not null. */
    private static JsonNode first(JsonNode o, String... keys) {
        for (String k : keys) {
            JsonNode v = o.get(k);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    /** A string field (numbers as their text); null when absent, null or blank. */
    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    /** A positive int sent as a number or a numeric string; null when absent or not one. */
    private static Integer positiveInt(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue() > 0 ? v.intValue() : null;
        }
        if (v.isTextual()) {
            try {
                int i = Integer.parseInt(v.asText().strip());
                return i > 0 ? i : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
