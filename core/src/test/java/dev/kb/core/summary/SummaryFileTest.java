package dev.kb.core.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.store.CommitNote;
import dev.kb.core.store.RegistrySnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cached summary's file: what is written reads back equal, and a file that is not a whole
 * summary (cut short by a power cut, overwritten by hand, of another format) is refused with a
 * reason, never read as a smaller summary.
 */
class SummaryFileTest {
    @TempDir
    Path tmp;

    static Summary sample() {
        TreeMap<String, RegistrySnapshot.TypeTotals> byType = new TreeMap<>();
        byType.put("markdown", new RegistrySnapshot.TypeTotals(7420, 4_274_635));
        byType.put("pdf", new RegistrySnapshot.TypeTotals(1, 2_215_244));
        // a command with every character the format escapes
        List<RegistrySnapshot.Commit> recent = List.of(
                new RegistrySnapshot.Commit(42, "2026-12-01T10:00:01.5Z", new CommitNote("odd\tcommand\\ \n\r", 0, 0, 2, 0)),
                new RegistrySnapshot.Commit(41, "2026-12-01T10:00:00Z", new CommitNote("add", 63, 1, 0, 0)));
        return new Summary(new RegistrySnapshot(42, byType, recent), Instant.parse("2026-12-01T10:00:02.123Z"));
    }

    @Test
    void whatIsWrittenReadsBackEqual() throws Exception {
        Path f = tmp.resolve("summary.txt");
        SummaryFile.write(f, sample());
        SummaryFile.Read r = SummaryFile.read(f);
        assertEquals(null, r.problem());
        assertEquals(sample(), r.summary().orElseThrow());
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(f), left.toList(), "the temporary sibling is renamed, not left beside it");
        }
    }

    @Test
    void aMissingFileIsNoSummaryAndNoProblem() {
        SummaryFile.Read r = SummaryFile.read(tmp.resolve("summary.txt"));
        assertTrue(r.summary().isEmpty());
        assertEquals(null, r.problem());
    }

    /** A power cut can keep any prefix of the unforced file: none of them may pass for a summary. */
    @Test
    void everyProperPrefixIsRefused() {
        String whole = SummaryFile.format(sample());
        for (int n = 0; n < whole.length(); n++) {
            String prefix = whole.substring(0, n);
            assertThrows(SummaryFile.Corrupt.class, () -> SummaryFile.parse(prefix), "prefix of " + n + " chars");
        }
    }

    @Test
    void garbageAndOtherFormatsAreRefusedWithAReason() throws Exception {
        String whole = SummaryFile.format(sample());
        for (String bad : List.of("\0\0\0\0", "{\"revision\": 42}\n", whole.replace("kb-summary\t1", "kb-summary\t2"),
                whole.replace("revision\t42", "revision\tforty-two"), whole.replace("revision\t42\n", ""),
                whole + "type\ttext\t1\t1\n", whole.replace("\tadd\t63", "\tadd\t-63"),
                whole.replace("markdown\t7420", "markdown\t7420\textra"), whole.replace("\\t", "\\q"))) {
            Path f = tmp.resolve("summary.txt");
            Files.write(f, bad.getBytes(StandardCharsets.UTF_8));
            SummaryFile.Read r = SummaryFile.read(f);
            assertTrue(r.summary().isEmpty(), "read as a summary: " + bad);
            assertTrue(r.problem() != null && !r.problem().contains("\n"), "one-line reason for: " + bad);
        }
    }

    @Test
    void linesOfAKindALaterKbAddsAreSkipped() throws Exception {
        String whole = SummaryFile.format(sample()).replace("end\n", "progress_hint\tsomething new\nend\n");
        assertEquals(sample(), SummaryFile.parse(whole));
    }
}
