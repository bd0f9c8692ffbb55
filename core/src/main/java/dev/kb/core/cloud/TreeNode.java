package dev.kb.core.cloud;

import java.util.List;

/**
 * One section of a PageIndex Cloud document tree.
 *
 * @param title     the section title as the service gave it (never null)
 * @param nodeId    the service's node id, or null when it sent none
 * @param startPage the 1-based page the section starts on
 * @param endPage   the page the section's own text ends on: the next node's start page in document
 *                  order (pre-order over the whole tree), the last node ending at the document's
 *                  last page; so a parent ends where its first child starts
 * @param summary   the service's summary ({@code summary} or {@code prefix_summary}), or null
 * @param children  sub-sections in document order
 */
public record TreeNode(String title, String nodeId, int startPage, Integer endPage, String summary,
                       List<TreeNode> children) {

    public TreeNode {
        children = List.copyOf(children);
    }

    /** The last page covered by this node or any of its descendants. */
    public int lastPageOfSubtree() {
        int last = endPage == null ? startPage : Math.max(startPage, endPage);
        for (TreeNode child : children) {
            last = Math.max(last, child.lastPageOfSubtree());
        }
        return last;
    }
}
