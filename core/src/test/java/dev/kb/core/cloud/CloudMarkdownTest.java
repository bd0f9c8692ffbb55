package dev.kb.core.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudMarkdownTest {

    private static CloudDocument doc(String name, String description, Integer pageCount, List<TreeNode> tree,
                                     List<Page> pages) {
        return new CloudDocument("pi-x", name, description, "completed", null, pageCount, tree, pages);
    }

    @Test
    void titleIsTheFileNameStem() {
        assertEquals("Q3 report", CloudMarkdown.title(doc("Q3 report.pdf", null, 1, List.of(), List.of())));
        assertEquals("Q3 report", CloudMarkdown.title(doc("uploads/Q3 report.PDF", null, 1, List.of(), List.of())));
        assertEquals("notes v1.2", CloudMarkdown.title(doc("notes v1.2", null, 1, List.of(), List.of())));
        assertEquals("pi-x", CloudMarkdown.title(doc(null, null, 1, List.of(), List.of())));
        assertEquals("pi-x", CloudMarkdown.title(doc("  ", null, 1, List.of(), List.of())));
        assertEquals("pi-x", CloudMarkdown.title(doc(".pdf", null, 1, List.of(), List.of())));
    }

    @Test
    void withoutATreeTheBodyIsJustThePages() {
        CloudDocument d = doc("x.pdf", null, null, List.of(),
                List.of(new Page(1, "# One\r\n\r\nfirst"), new Page(2, ""), new Page(3, "third\n\n\n")));

        assertEquals("""
                <!-- page 1 -->

                # One

                first

                <!-- page 2 -->

                <!-- page 3 -->

                third
                """, CloudMarkdown.body(d));
    }

    @Test
    void tocEntriesAreOneLineWithSinglePagesShortened() {
        TreeNode a = new TreeNode("A  multi\nline title", "1", 2, 2, null, List.of());
        CloudDocument d = doc("x.pdf", null, 2, List.of(a), List.of(new Page(2, "b")));

        assertEquals("## Contents\n\n- A multi line title (p. 2)\n\n<!-- page 2 -->\n\nb\n", CloudMarkdown.body(d));
    }

    @Test
    void frontMatterLeavesOutWhatIsMissing() {
        CloudDocument d = doc("x.pdf", "  ", null, List.of(), List.of(new Page(1, "a"), new Page(2, "b")));

        assertEquals(Map.of("pages", 2, "cloud_id", "pi-x"), CloudMarkdown.frontMatter(d));
        assertEquals(List.of("pages", "cloud_id"), List.copyOf(CloudMarkdown.frontMatter(d).keySet()));
    }
}
