package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 18: a Markdown file of hundreds of MB ingests in a 64 MB heap. Before, the file
 * was read whole (bytes, string, copies, page bytes: ~6.5 times its size) and this failed with
 * an OutOfMemoryError. The page is checked at its head, its tail and its size, and by counting
 * what is left of its script links, reading it in pieces.
 */
class LargeFileTest extends E2EBase {

    private static final String FRONT_MATTER = "---\ntags: [big]\n---\n";
    private static final String HEAD = "# Large file\n\nStart [click](javascript:alert(1)) here.\n\n";
    /** In a fence, which a blank line inside does not end: kept as written. */
    private static final String FENCE = "```\ncode [kept](javascript:alert(2))\n\n```\n\n";
    private static final String TAIL = "End [bye](javascript:alert(3)).\n";

    @Test
    void aLargeMarkdownFileIngestsInASmallHeap() throws IOException {
        init();
        Path big = work.resolve("big.md");
        byte[] block = block();
        int blocks = 300; // 300 MiB
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write((FRONT_MATTER + HEAD).getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < blocks; i++) {
                out.write(block);
                if (i == blocks / 2) {
                    out.write(FENCE.getBytes(StandardCharsets.UTF_8));
                }
            }
            out.write(TAIL.getBytes(StandardCharsets.UTF_8));
        }
        try {
            Kb.Result r = Kb.runWithJvmFlags(work, env, List.of("-Xmx64m"), withKb("add", big.toString()));
            r.expect(0);
            Path page = kb.resolve("wiki/sources/big.md");
            String head = head(page, 4096);
            assertTrue(head.startsWith("---\ntitle: Large file\nsource: "), head);
            int fmEnd = head.indexOf("\n---\n", 3) + 5;
            assertTrue(head.substring(0, fmEnd).endsWith("tags: [big]\n---\n"), head);
            String body = "# Large file\n\nStart click here.\n\n";
            assertTrue(head.substring(fmEnd).startsWith("\n" + body + new String(block, 0, 100, StandardCharsets.UTF_8)),
                    head);
            assertTrue(tail(page, 100).endsWith("\nEnd bye.\n"), tail(page, 100));
            long expected = fmEnd + 1 + body.length() + (long) blocks * block.length + FENCE.length() + "End bye.\n".length();
            assertEquals(expected, Files.size(page));
            assertEquals(1, count(page, "javascript:"), "only the link inside the fence is left as written");
        } finally {
            Files.deleteIfExists(big); // the KB's 600 MB go with the temporary directory
        }
    }

    /** 1 MiB of paragraphs with links, ending in a blank line. */
    private static byte[] block() {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (true) {
            String line = String.format("Line %07d of a large Markdown file, with a [link](http://example.com/) in it.\n",
                    i);
            String extra = ++i % 10 == 0 ? "\n" : "";
            if (b.length() + line.length() + extra.length() + 1 > 1 << 20) {
                break;
            }
            b.append(line).append(extra);
        }
        while (b.length() < (1 << 20) - 1) {
            b.append('x');
        }
        b.append("\n\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String head(Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(n), StandardCharsets.UTF_8);
        }
    }

    private static String tail(Path file, int n) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[n];
            f.seek(f.length() - n);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** Occurrences of an ASCII needle, reading the file in pieces. */
    private static int count(Path file, String needle) throws IOException {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        int found = 0;
        int matched = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                for (int i = 0; i < r; i++) {
                    matched = buf[i] == n[matched] ? matched + 1 : buf[i] == n[0] ? 1 : 0;
                    if (matched == n.length) {
                        found++;
                        matched = 0;
                    }
                }
            }
        }
        return found;
    }
}
