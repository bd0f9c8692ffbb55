package dev.kb.core.name;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "notes                  | notes",
        "a/b\\c                 | a-b-c",
        "../../etc/passwd       | etc-passwd",
        "..                     | document",
        "''                     | document",
        "...hidden              | hidden",
        "-rf                    | rf",
        "trailing dots...       | trailing-dots",
        "'a  b\t c'             | a-b-c",
        "CON                    | CON_",
        "con                    | con_",
        "nul.tar                | nul_.tar",
        "nul.tar.md             | nul_.tar.md",
        "CON.tar.gz             | CON_.tar.gz",
        "Aux.notes              | Aux_.notes",
        "com7.v2                | com7_.v2",
        "LPT¹                   | LPT¹_",
        "console.log            | console.log",
        "nullable.tar           | nullable.tar",
        "LPT1                   | LPT1_",
        "CONSOLE                | CONSOLE",
        "Übersicht              | Übersicht",
        "日本語                  | 日本語",
        "Ελληνικά σημειώσεις    | Ελληνικά-σημειώσεις",
        "Report 2024.v2         | Report-2024.v2",
    })
    void sanitize(String hint, String expected) {
        assertEquals(expected, Names.sanitize(hint));
    }

    @Test
    void controlAndInvisibleCharactersBecomeSeparators() {
        assertEquals("a-b", Names.sanitize("a\u0000b"));
        assertEquals("a-b", Names.sanitize("a\u001fb\n"));
        assertEquals("a-b", Names.sanitize("a\u200bb"), "a zero-width space is a format character");
        assertEquals("a-b", Names.sanitize("a\u0085b"), "C1 control");
        assertEquals("document", Names.sanitize(null));
        assertEquals("what-x", Names.sanitize("what?*:<>|\"#^[]{}%`x"), "reserved by file systems or wiki links");
    }

    /** Windows opens the device for NUL.<anything>, so the part before the first dot must never be one. */
    @Test
    void noNameStartsWithAWindowsDeviceBeforeItsFirstDot() {
        Set<String> devices = Set.of("con", "prn", "aux", "nul", "com1", "com5", "com9", "lpt1", "lpt9");
        for (String d : devices) {
            for (String hint : List.of(d, d.toUpperCase(Locale.ROOT), d + ".md", d + ".tar.gz", d + "..x",
                    d + "." + "x".repeat(200))) {
                String name = Names.sanitize(hint);
                String first = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
                assertFalse(devices.contains(first.toLowerCase(Locale.ROOT)), hint + " -> " + name);
                assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= Names.MAX_BYTES, name);
            }
        }
    }

    @Test
    void composedAndDecomposedFormsGiveOneName() {
        assertEquals(Names.sanitize("U\u0308bersicht"), Names.sanitize("\u00dcbersicht"), "NFC");
    }

    @Test
    void longNamesAreCutAtACharacterBoundary() {
        String ascii = Names.sanitize("x".repeat(300));
        assertEquals(Names.MAX_BYTES, ascii.length());

        String japanese = Names.sanitize("日".repeat(100)); // 3 bytes each
        byte[] bytes = japanese.getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length <= Names.MAX_BYTES, "at most " + Names.MAX_BYTES + " bytes: " + bytes.length);
        assertEquals(Names.MAX_BYTES / 3, japanese.length());
        assertEquals(japanese, new String(bytes, StandardCharsets.UTF_8), "no broken character");

        String emoji = Names.sanitize("a" + "😀".repeat(60)); // 4 bytes and two chars each
        assertTrue(emoji.getBytes(StandardCharsets.UTF_8).length <= Names.MAX_BYTES);
        assertFalse(Character.isHighSurrogate(emoji.charAt(emoji.length() - 1)), "no lone surrogate");

        assertEquals("b", Names.sanitize("b" + "-".repeat(200) + "c").substring(0, 1));
        assertFalse(Names.sanitize("b" + " ".repeat(118) + "cdef").endsWith("-"), "no trailing dash after the cut");
    }

    @Test
    void uniqueKeepsAFreeBaseAndOtherwiseAddsAStableSuffix() {
        assertEquals("notes", Names.unique("notes", "/a/notes.md", n -> false));

        Set<String> taken = new HashSet<>(Set.of("notes"));
        String first = Names.unique("notes", "/b/notes.md", taken::contains);
        assertTrue(first.matches("notes-[0-9a-f]{6}"), first);
        assertEquals(first, Names.unique("notes", "/b/notes.md", taken::contains), "stable for the same identity");
        assertNotEquals(first, Names.unique("notes", "/c/notes.md", taken::contains));

        taken.add(first);
        String second = Names.unique("notes", "/b/notes.md", taken::contains);
        assertTrue(second.matches("notes-[0-9a-f]{8}"), second);
        assertTrue(second.startsWith(first), "a longer prefix of the same hash");
        taken.add(second);
        assertTrue(Names.unique("notes", "/b/notes.md", taken::contains).matches("notes-[0-9a-f]{10}"));
    }

    @Test
    void uniqueOfAMaximalNameStaysWithinTheLimit() {
        String base = Names.sanitize("é".repeat(200));
        String u = Names.unique(base, "/x", n -> n.equals(base));
        assertTrue(u.getBytes(StandardCharsets.UTF_8).length <= Names.MAX_BYTES, u);
    }

    @Test
    void keyFoldsCaseAndCompatibilityForms() {
        assertEquals(Names.key("Notes"), Names.key("NOTES"));
        assertEquals(Names.key("übersicht"), Names.key("ÜBERSICHT"));
        assertEquals(Names.key("ﬁle"), Names.key("file"), "NFKC folds the ligature");
        assertEquals(Names.key("U\u0308ber"), Names.key("\u00dcber"));
        assertEquals(Names.key("straße"), Names.key("STRASSE"), "full case folding, not just lower case");
        assertEquals(Names.key("λόγος"), Names.key("ΛΌΓΟΣ"), "final sigma");
        assertNotEquals(Names.key("notes"), Names.key("notes-2"));
    }
}
