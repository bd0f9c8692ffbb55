package dev.kb.core.kb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shortcuts of {@link KnowledgeBase#resolve} and {@link KnowledgeBase#relative} give what the
 * long way gives, and refuse what it refuses, on random paths made of the pieces that normalising
 * changes: empty names (doubled slashes), ".", "..", slashes at either end, and names that only
 * look like them ("...", ".hidden").
 */
class KnowledgeBaseTest {
    private static final String[] NAMES = {"raw", "wiki", "sources", "a.md", ".", "..", "", "...", ".hidden", "x y",
            "\u00e9t\u00e9.md", "a..b"};

    @Test
    void theShortcutsAnswerAsTheLongWay(@TempDir Path dir) throws Exception {
        KnowledgeBase kb = KnowledgeBase.at(dir);
        Path root = kb.root();
        Random random = new Random(20261202);
        List<String> texts = new ArrayList<>(List.of("raw/tar.md", "wiki/sources/tar.md", "..", "../x", "/etc/passwd",
                "raw/../../x", "raw//tar.md", "raw/./tar.md", "raw/", "./raw", ".kb/staging/p-1/t1/12.raw"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(random.nextInt(8) == 0 ? "/" : "");
            int n = 1 + random.nextInt(4);
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    b.append(random.nextInt(10) == 0 ? "//" : "/");
                }
                b.append(NAMES[random.nextInt(NAMES.length)]);
            }
            if (random.nextInt(8) == 0) {
                b.append('/');
            }
            texts.add(b.toString());
        }
        int plain = 0;
        for (String t : texts) {
            Path fast;
            Path slow;
            try {
                slow = kb.resolveAnyway(t);
            } catch (IllegalArgumentException e) {
                assertThrows(IllegalArgumentException.class, () -> kb.resolve(t), t);
                continue;
            }
            fast = kb.resolve(t);
            assertEquals(slow, fast, t);
            if (KnowledgeBase.plain(t)) {
                plain++;
            }
            for (Path p : List.of(fast, root.resolve(t), Path.of(root + "/" + t))) {
                String longWay;
                try {
                    longWay = kb.relativeAnyway(p);
                } catch (IllegalStateException e) {
                    assertThrows(IllegalStateException.class, () -> kb.relative(p), p.toString());
                    continue;
                }
                assertEquals(longWay, kb.relative(p), p.toString());
            }
        }
        assertTrue(plain > 3_000, "the shortcut was taken " + plain + " times");
        assertEquals("raw/tar.md", kb.relative(root.resolve("raw/tar.md")));
        assertThrows(IllegalStateException.class, () -> kb.relative(root.getParent().resolve("elsewhere")));
        assertThrows(IllegalArgumentException.class, () -> kb.resolve("../elsewhere"));
    }
}
