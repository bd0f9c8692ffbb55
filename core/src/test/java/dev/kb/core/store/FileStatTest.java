package dev.kb.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When a stat-cache entry is trusted: only for the very stamp it recorded, and only when that
 * stamp's times lie safely (more than the timestamp granularity) before the moment of the stat.
 */
class FileStatTest {
    private static final long T = 1_700_000_000_000_000_000L; // some moment, in ns since the epoch
    private static final long G = FileStat.GRANULARITY_NS;

    private static FileStat entry(long modified, long changed, long recorded) {
        return new FileStat("/notes/a.md", "a", "ab12", new FileStat.Stamp(10, modified, changed, 2049, 77), recorded);
    }

    @Test
    void anEntryStatedInTheTickOfTheLastChangeIsRacy() {
        assertTrue(entry(T, T, T).racy(), "changed at the moment of the stat");
        assertTrue(entry(T, T, T + G).racy(), "exactly one granularity later");
        assertTrue(entry(T - 5 * G, T, T + G - 1).racy(), "the change time alone is recent");
        assertTrue(entry(T, T - 5 * G, T + G - 1).racy(), "the modification time alone is recent");
        assertTrue(entry(T + 60 * G, T - 5 * G, T).racy(), "a modification time in the future");
        assertTrue(entry(T - 5 * G, T + 1, T).racy(), "a change time after the stat (a clock set back)");
        assertFalse(entry(T, T, T + G + 1).racy(), "safely older than the stat");
    }

    @Test
    void anEntryVouchesOnlyForTheStampItRecordedAndOnlyWhenNotRacy() {
        FileStat old = entry(T, T, T + 10 * G);
        FileStat.Stamp same = new FileStat.Stamp(10, T, T, 2049, 77);
        assertTrue(old.vouchesFor(same));
        assertFalse(old.vouchesFor(new FileStat.Stamp(11, T, T, 2049, 77)), "size");
        assertFalse(old.vouchesFor(new FileStat.Stamp(10, T + 1, T, 2049, 77)), "modification time, to the ns");
        assertFalse(old.vouchesFor(new FileStat.Stamp(10, T, T + 1, 2049, 77)), "change time, to the ns");
        assertFalse(old.vouchesFor(new FileStat.Stamp(10, T, T, 2050, 77)), "device");
        assertFalse(old.vouchesFor(new FileStat.Stamp(10, T, T, 2049, 78)), "inode: another file put in its place");
        assertFalse(entry(T, T, T).vouchesFor(same), "racy: never trusted, even with the same stamp");
    }

    @Test
    void entriesAreLoadedByTheDirectoryOfTheirSource() {
        assertEquals("/home/me/notes", FileStat.directory("/home/me/notes/a.md"));
        assertEquals("", FileStat.directory("/a.md"));
        assertEquals("", FileStat.directory("a.md"));
    }
}
