package dev.kb.core.store;

import java.util.Objects;

/**
 * One entry of the stat cache of local files: what the file system said of the file registered
 * under {@code sourceUri} when kb read it and found the content {@code sha256}, and when it said
 * so. A later add of that file whose {@link Stamp} is the same, and whose entry is not
 * {@linkplain #racy racily clean}, is a skip without opening it, as git's index does.
 *
 * <p>An entry is only a hint. It vouches for content only while the row registered under
 * {@code sourceUri} has that very {@code sha256} (a registry hands out no other entries), so no
 * crash and no other writer can make it vouch for content the row does not have; a missing or
 * mismatched entry means the file is read, as without a cache.
 *
 * @param docName    the document of that row when read from the registry; null when written
 * @param recordedNs the wall clock, in nanoseconds since the epoch, read just before the stat
 */
public record FileStat(String sourceUri, String docName, String sha256, Stamp stamp, long recordedNs) {

    /**
     * How long after a file's last change a stat of it may still miss a further change: file
     * systems keep times in ticks of the kernel's coarse clock (a few milliseconds), some in whole
     * seconds, FAT's modification time in two.
     */
    public static final long GRANULARITY_NS = 2_000_000_000L;

    public FileStat {
        Objects.requireNonNull(sourceUri, "sourceUri");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(stamp, "stamp");
    }

    /**
     * What one stat of a regular file says without reading it: size, modification and change
     * time in nanoseconds (the change time is set by the kernel on every write, and on setting
     * the modification time back, so it cannot be faked from user space), and identity (device
     * and inode: a file put in its place by a rename is another file).
     */
    public record Stamp(long size, long modifiedNs, long changedNs, long device, long inode) {
        /*
         * By hand: a record's generated equals and hashCode go through method handles, which the
         * launcher's C1-only JIT runs slowly, and a re-add compares one stamp per file.
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Stamp s && size == s.size && modifiedNs == s.modifiedNs && changedNs == s.changedNs
                    && device == s.device && inode == s.inode;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(inode) * 31 + Long.hashCode(changedNs);
        }
    }

    /**
     * Whether the file may have changed after the stat without changing the stamp: its last
     * modification or change lies within {@link #GRANULARITY_NS} of the moment of the stat (or
     * after it: a clock set back, a time set into the future). A write after the stat gets a time
     * no earlier than that moment less one tick, so only a stamp safely older than it tells every
     * later write apart. Such an entry is never trusted: the file is read and hashed again.
     */
    public boolean racy() {
        long safeBefore = recordedNs - GRANULARITY_NS;
        return stamp.modifiedNs() >= safeBefore || stamp.changedNs() >= safeBefore;
    }

    /**
     * Whether a file stamped {@code now} is, by this entry, unchanged since it was read: the same
     * stamp, and the entry not racy.
     */
    public boolean vouchesFor(Stamp now) {
        return stamp.equals(now) && !racy();
    }

    /**
     * The directory part of a file's {@code source_uri} (all before its last separator): the
     * unit in which a batch loads entries, one query per directory it meets.
     */
    public static String directory(String sourceUri) {
        int cut = sourceUri.lastIndexOf(java.io.File.separatorChar);
        return cut < 0 ? "" : sourceUri.substring(0, cut);
    }

    /** The same entry for the row registered under {@code uri} (a row of an older spelling). */
    public FileStat under(String uri, String doc) {
        return new FileStat(uri, doc, sha256, stamp, recordedNs);
    }
}
