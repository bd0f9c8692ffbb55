package dev.kb.core.cache.kb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.name.Names;
import dev.kb.core.wiki.FrontMatter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces of {@link UrlRecords} that need no KB: reading kb's keys off a page, key names, names. */
class UrlRecordsTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void kbsKeysAreReadAsKbWritesThemWithoutAYamlReader() {
        for (String source : new String[] {"https://example.org/a?q=1", "https://example.org/a#frag", "http://h:80/x y",
                "https://example.org/it's", "https://example.org/a: b"}) {
            String fm = FrontMatter.render("T", source, SHA, "html", "2026-01-01T00:00:00Z", Map.of("byline", "X"));
            Map<String, String> keys = UrlRecords.kbKeys(fm + "\nbody\n");
            if (keys != null) { // or YAML reads it: never a wrong answer
                assertEquals(SHA, keys.get("sha256"), fm);
                assertEquals(source, keys.get("source"), fm);
            }
        }
        assertEquals(Map.of("source", "https://example.org/a?q=1", "sha256", SHA), UrlRecords.kbKeys(
                FrontMatter.render("T", "https://example.org/a?q=1", SHA, "pdf", "x", Map.of())), "read off its lines");
        String digits = "1".repeat(64); // quoted by the writer: it would read as a number
        Map<String, String> k = UrlRecords.kbKeys(FrontMatter.render("T", "https://e.org/", digits, "pdf", "x", Map.of()));
        assertEquals(digits, k.get("sha256"));
    }

    @Test
    void whatItCannotReadSurelyIsLeftToYaml() {
        assertNull(UrlRecords.kbKeys("no front matter"));
        assertNull(UrlRecords.kbKeys("---\nsha256: " + SHA + "\n"), "not closed");
        assertNull(UrlRecords.kbKeys("---\nsource: https://e.org/a\n  continued\n---\n"));
        assertNull(UrlRecords.kbKeys("---\nsource: \"https://e.org/\\u0041\"\n---\n"), "an escape");
        assertNull(UrlRecords.kbKeys("---\nsha256: a\nsha256: b\n---\n"), "twice");
        assertNull(UrlRecords.kbKeys("---\nsource: |\n  https://e.org/\n---\n"));
        assertEquals(Map.of(), UrlRecords.kbKeys("---\ntitle: x\n  source: indented, not kb's\n---\n"));
    }

    @Test
    void aRowsUrlIsNamedAsThePreparePathKeysIt() {
        assertEquals("http://example.org/a", UrlRecords.keyName("HTTP://Example.ORG:80/a#frag"));
        assertEquals("https://example.org/", UrlRecords.keyName("https://example.org"));
        assertNull(UrlRecords.keyName("/home/me/notes.md"));
        assertNull(UrlRecords.keyName("pageindex-cloud:pi-1"));
    }

    @Test
    void aNameIsTheOneAHintGivesWithOrWithoutItsSuffix() {
        String identity = "https://example.org/report";
        String suffixed = Names.unique("report", identity, n -> n.equals("report"));
        assertTrue(Names.isUniqueNameOf("report", "report", identity));
        assertTrue(Names.isUniqueNameOf(suffixed, "report", identity), suffixed);
        assertFalse(Names.isUniqueNameOf(suffixed, "report", "https://example.org/other"));
        assertFalse(Names.isUniqueNameOf("report-1", "report", identity));
        assertFalse(Names.isUniqueNameOf("quarterly", "report", identity));
        String longer = Names.unique("report", identity, n -> n.length() < 14);
        assertTrue(Names.isUniqueNameOf(longer, "report", identity), longer);
    }
}
