package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Markdown file's own front matter on its page: the person's entries as written, after kb's keys;
 * the page is still one kb recognises as its document's and regenerates byte for byte.
 */
class OwnFrontMatterTest extends E2EBase {

    /** Entries a YAML 1.1 round trip changed: 01234 became 668, 1.10 became 1.1, and so on. */
    private static final String OWN = String.join("\n",
            "# kept: a comment",
            "zip: 01234 # not 668",
            "version: 1.10",
            "answer: yes",
            "empty:",
            "base: &b",
            "  lang: en",
            "copy: *b",
            "note: |",
            "  two",
            "  lines",
            "tags: [a, \"b c\"]",
            "作者: 山田",
            "");

    private static final String FILE = "---\n"
            + "title: on\n"
            + "source: https://example.com/where-i-found-it\n"
            + OWN
            + "dup: first\n"
            + "dup: last\n"
            + "---\n"
            + "Body.\n";

    @Test
    void thePersonsEntriesAreKeptAsWrittenAndThePageIsSound() throws IOException {
        init();
        Path md = file("in/tricky.md", FILE);
        Kb.Result add = kb("add", "in/tricky.md").expect(0);
        assertTrue(add.err().contains("front matter has \"dup\" 2 times; only the last is kept"), add.err());

        JsonNode row = kb("show", "tricky", "--json").expect(0).json().get(0);
        assertEquals("on", row.get("title").asText());
        String page = read(kb.resolve("wiki/sources/tricky.md"));
        String kbKeys = "---\n"
                + "title: \"on\"\n"
                + "source: " + row.get("source_uri").asText() + "\n"
                + "sha256: " + row.get("sha256").asText() + "\n"
                + "type: markdown\n"
                + "added: \"" + row.get("added_at").asText().replaceAll("\\.\\d+Z$", "Z") + "\"\n";
        assertEquals(kbKeys + OWN + "dup: last\n" + "---\n\nBody.\n", page);
        assertEquals(md.toRealPath().toString(), row.get("source_uri").asText(), "kb's source, not the file's");

        kb("recover").expect(0); // kb reads its sha256 back from a page holding the person's YAML
        byte[] fresh = Files.readAllBytes(kb.resolve("wiki/sources/tricky.md"));
        Files.delete(kb.resolve("wiki/sources/tricky.md"));
        kb("recover", "--repair").expect(0);
        assertArrayEquals(fresh, Files.readAllBytes(kb.resolve("wiki/sources/tricky.md")));
        KbState.assertAtRest(kb);
    }

    /** PyYAML, where present, reads the person's entries on the page as it reads them in the file. */
    @Test
    void pyyamlReadsThePageAsTheFile() throws IOException, InterruptedException {
        assumeTrue(python("-c", "import yaml") == 0, "python3 with PyYAML is not installed");
        init();
        file("in/tricky.md", FILE);
        kb("add", "in/tricky.md").expect(0);
        Path script = file("check.py", String.join("\n",
                "import sys, yaml",
                "def fm(path):",
                "    text = open(path, encoding='utf-8').read()",
                "    return yaml.safe_load(text.split('---\\n')[1])",
                "page, original = fm(sys.argv[1]), fm(sys.argv[2])",
                "for k in ('title', 'source', 'sha256', 'type', 'added'):",
                "    original.pop(k, None)",
                "assert isinstance(page.pop('added'), str), 'added is text'",
                "assert page.pop('title') == 'on', 'title'",
                "for k in ('source', 'sha256', 'type'):",
                "    page.pop(k)",
                "assert page == original, (page, original)",
                "assert list(page) == list(original), 'order'",
                ""));
        assertEquals(0, python(script.toString(), kb.resolve("wiki/sources/tricky.md").toString(),
                work.resolve("in/tricky.md").toString()));
    }

    /** Exit code of {@code python3 args…}, or -1 when there is no python3; its output goes to stderr on failure. */
    private static int python(String... args) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("python3"));
        cmd.addAll(java.util.List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(out);
        }
        return p.exitValue();
    }
}
