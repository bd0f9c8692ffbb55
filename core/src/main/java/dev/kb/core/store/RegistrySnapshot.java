package dev.kb.core.store;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a registry holds in summary, read in one transaction so that every part is of the same
 * commit: the revision, documents and bytes by type, and the latest commits, newest first.
 *
 * @param revision {@link Registry#revision}; -1 for a registry whose schema predates revisions
 *                 (read by a reader, which never upgrades it), whose summary no revision can
 *                 vouch for
 * @param recent   the latest commits, newest first (at most as many as asked for, and as the
 *                 registry keeps: {@link Registry#HISTORY})
 */
public record RegistrySnapshot(long revision, SortedMap<String, TypeTotals> byType, List<Commit> recent) {
    public RegistrySnapshot {
        byType = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byType));
        recent = List.copyOf(recent);
    }

    /** Documents of one type, and the sum of their sizes ({@code size}: the raw bytes). */
    public record TypeTotals(long documents, long bytes) {
    }

    /** One committed group: the revision it made, when (an ISO-8601 instant), and its note. */
    public record Commit(long revision, String at, CommitNote note) {
    }

    // loops, not streams: kb status runs these, and the stream classes cost it start-up time

    public long documents() {
        long n = 0;
        for (TypeTotals t : byType.values()) {
            n += t.documents();
        }
        return n;
    }

    public long bytes() {
        long n = 0;
        for (TypeTotals t : byType.values()) {
            n += t.bytes();
        }
        return n;
    }

    /** The latest commit, or null when the registry records none (a new or upgraded one). */
    public Commit lastCommit() {
        return recent.isEmpty() ? null : recent.get(0);
    }

    /** Whether a revision vouches for this snapshot (false for a registry of an older schema). */
    public boolean hasRevision() {
        return revision >= 0;
    }
}
