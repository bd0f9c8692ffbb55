package dev.kb.core.convert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;

/**
 * Keeps a parsed page within the shapes that the rest of the HTML pipeline handles in bounded
 * stack and about linear time. Everything here is iterative: the pages it exists for would
 * overflow a recursive walk.
 *
 * <ul>
 *   <li><b>Depth.</b> Elements nested deeper than {@link #MAX_DEPTH} are lifted to be children of
 *       their ancestor at that depth, in document order, as browsers do (Chromium and jsoup 1.22
 *       stop nesting at 512). Readability4J and flexmark recurse once per level, so 1,000 nested
 *       {@code <div>}s overflowed the stack ("StackOverflowError"), and Readability's cost grows
 *       with the square of the depth.</li>
 *   <li><b>Width.</b> jsoup 1.18 re-indexes all later siblings when a node is removed or moved,
 *       and Readability moves nodes one by one; an element with tens of thousands of children
 *       (a log page of {@code line<br>}s, a book whose paragraphs are all children of
 *       {@code <body>}) made extraction quadratic: minutes for a few megabytes.
 *       {@link #widest} lets the caller skip main-content extraction for such a page.</li>
 * </ul>
 */
final class DomShape {

    /** As browsers: deeper elements become siblings at this depth. */
    static final int MAX_DEPTH = 512;

    private DomShape() {
    }

    /** Lifts everything nested deeper than {@link #MAX_DEPTH} below {@code root}; returns how many nodes moved. */
    static int flatten(Element root) {
        List<Element> floors = new ArrayList<>();
        Deque<Element> stack = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        stack.push(root);
        depths.push(1);
        while (!stack.isEmpty()) {
            Element e = stack.pop();
            int depth = depths.pop();
            if (depth >= MAX_DEPTH) {
                if (hasGrandchildren(e)) {
                    floors.add(e);
                }
                continue;
            }
            for (Element child : e.children()) {
                stack.push(child);
                depths.push(depth + 1);
            }
        }
        int moved = 0;
        for (Element floor : floors) {
            moved += flattenUnder(floor);
        }
        return moved;
    }

    private static boolean hasGrandchildren(Element e) {
        for (Element c : e.children()) {
            if (c.childNodeSize() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes every node below {@code floor} its direct child, in document order. Children are
     * detached last first: in jsoup 1.18 removing the last child costs nothing, removing the first
     * re-indexes all the others.
     */
    private static int flattenUnder(Element floor) {
        List<Node> order = new ArrayList<>();
        Deque<Node> stack = new ArrayDeque<>();
        for (int i = floor.childNodeSize() - 1; i >= 0; i--) {
            stack.push(floor.childNode(i));
        }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            order.add(n);
            for (int i = n.childNodeSize() - 1; i >= 0; i--) {
                stack.push(n.childNode(i));
            }
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            detachChildren(order.get(i));
        }
        detachChildren(floor);
        for (Node n : order) {
            floor.appendChild(n);
        }
        return order.size();
    }

    private static void detachChildren(Node n) {
        for (int i = n.childNodeSize() - 1; i >= 0; i--) {
            n.childNode(i).remove();
        }
    }

    /** The most child nodes any element under {@code root} (itself included) has. */
    static int widest(Element root) {
        int widest = 0;
        for (Element e : root.getAllElements()) {
            widest = Math.max(widest, e.childNodeSize());
        }
        return widest;
    }
}
