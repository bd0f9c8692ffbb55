package dev.kb.core.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A completed document read from PageIndex Cloud: its metadata, section tree and pages. Carries
 * nothing of the request that fetched it (in particular not the API key).
 *
 * @param id          the cloud document id
 * @param name        the uploaded file name (e.g. {@code report.pdf}), or null
 * @param description the service's description, or null
 * @param status      the processing status ({@code completed})
 * @param createdAt   the service's creation timestamp as sent, or null
 * @param pageCount   the service's {@code pageNum}, or null when it sent none
 * @param tree        top-level sections in document order (may be empty)
 * @param pages       every page, sorted by index (never empty)
 */
public record CloudDocument(String id, String name, String description, String status, String createdAt,
                            Integer pageCount, List<TreeNode> tree, List<Page> pages) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CloudDocument {
        tree = List.copyOf(tree);
        pages = List.copyOf(pages);
    }

    /**
     * The section tree as pretty-printed UTF-8 JSON, to be stored next to the Markdown as
     * {@code <name>.tree.json}: {@code {"doc_id", "name"?, "page_count"?, "structure": [node]}} with
     * node = {@code {"title", "node_id"?, "start_page", "end_page", "summary"?, "nodes"?}}. Fields
     * are in a fixed order and lines end in {@code \n}, so the same tree always gives the same bytes
     * (and the same hash).
     */
    public byte[] treeJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("doc_id", id);
        if (name != null) {
            root.put("name", name);
        }
        if (pageCount != null) {
            root.put("page_count", pageCount);
        }
        root.set("structure", nodesJson(tree));
        DefaultIndenter lf = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(lf).withArrayIndenter(lf);
        try {
            return (JSON.writer(printer).writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and ints cannot fail to serialise", e);
        }
    }

    private static ArrayNode nodesJson(List<TreeNode> nodes) {
        ArrayNode array = JSON.createArrayNode();
        for (TreeNode node : nodes) {
            ObjectNode o = array.addObject();
            o.put("title", node.title());
            if (node.nodeId() != null) {
                o.put("node_id", node.nodeId());
            }
            o.put("start_page", node.startPage());
            if (node.endPage() != null) {
                o.put("end_page", node.endPage());
            }
            if (node.summary() != null) {
                o.put("summary", node.summary());
            }
            if (!node.children().isEmpty()) {
                o.set("nodes", nodesJson(node.children()));
            }
        }
        return array;
    }

    /** Short on purpose: the pages can be megabytes of text. */
    @Override
    public String toString() {
        return "CloudDocument[id=" + id + ", name=" + name + ", status=" + status + ", pageCount=" + pageCount
                + ", topLevelSections=" + tree.size() + ", pages=" + pages.size() + "]";
    }
}
