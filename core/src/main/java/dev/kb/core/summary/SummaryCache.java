package dev.kb.core.summary;

import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.Registry;
import dev.kb.core.store.RegistrySnapshot;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When the cached summary is served, and who rebuilds it; see {@link dev.kb.core.summary}.
 */
public final class SummaryCache {
    /** Commits a summary shows ("recent activity"). */
    public static final int RECENT = 20;

    /**
     * A stale summary older than this is rebuilt even while a writer runs: a writer stuck in one
     * long group (a slow download) must not leave status showing a summary from long ago.
     */
    public static final Duration MAX_STALE_AGE = Duration.ofSeconds(300);

    /** How far in the future a summary's build time may be (clocks of one machine's processes). */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(5);

    private SummaryCache() {
    }

    /** Builds the summary of the registry as it is now. */
    public static Summary build(Registry registry, Instant now) {
        return new Summary(registry.snapshot(RECENT), now);
    }

    /**
     * The writer's post-commit step: the summary of what it just committed, stored for the next
     * status. Best effort, after the commit point: it never throws, and a failure is at most a
     * warning, returned rather than said (the caller decides how loud it is).
     *
     * @return why the summary could not be stored, or empty
     */
    public static Optional<String> refresh(KnowledgeBase kb, Registry registry) {
        try {
            Summary s = build(registry, Instant.now());
            if (s.registry().hasRevision()) {
                SummaryFile.write(kb.summaryFile(), s);
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("could not update the cached summary " + kb.relative(kb.summaryFile()) + " ("
                    + Causes.oneLine(e) + "); 'kb status' rebuilds it");
        }
    }

    /**
     * What {@code kb status} shows.
     *
     * @param revision  the registry's revision now
     * @param documents the registry's documents now
     * @param summary   the summary shown: of {@code revision} unless {@code stale}
     * @param stale     whether {@code summary} is of an older revision (a writer is at work and
     *                  will store the new one after its commit)
     * @param notes     what went wrong with the cache, one line each, for {@code --verbose}
     */
    public record Served(long revision, long documents, Summary summary, boolean stale, List<String> notes) {
    }

    /**
     * The cached summary, served without opening the registry, when the registry's files are
     * still as they were when a status verified it against them ({@link RegistryStamp}); empty
     * when the registry must be read ({@link #serve}).
     *
     * @param now the registry's stamp now
     */
    public static Optional<Served> serveUnopened(SummaryFile.Read read, Optional<RegistryStamp> now) {
        if (read.summary().isEmpty() || read.stamp().isEmpty() || now.isEmpty() || !read.stamp().equals(now)) {
            return Optional.empty();
        }
        Summary c = read.summary().get();
        return Optional.of(new Served(c.revision(), c.registry().documents(), c, false, List.of()));
    }

    /** {@link #serve(KnowledgeBase, Registry, boolean, Instant, Optional)} without a stamp to store. */
    public static Served serve(KnowledgeBase kb, Registry registry, boolean writerRunning, Instant now) {
        return serve(kb, registry, writerRunning, now, Optional.empty());
    }

    /**
     * Serves the cached summary when its revision is the registry's; else, while a writer runs
     * ({@code writerRunning}), the cached one marked stale, unless it is older than
     * {@link #MAX_STALE_AGE}; else a summary rebuilt now, stored for the next status when the
     * revision did not move meanwhile and the KB can be written.
     *
     * <p>The summary served is stored with {@code before}, the registry's stamp taken after
     * {@code now} was read and before the registry was opened, when that stamp is settled and
     * still the registry's after its revision was read (no commit fell in between): the next
     * status then serves it unopened ({@link #serveUnopened}).
     */
    public static Served serve(KnowledgeBase kb, Registry registry, boolean writerRunning, Instant now,
                               Optional<RegistryStamp> before) {
        List<String> notes = new ArrayList<>();
        Registry.Head head = registry.head();
        SummaryFile.Read read = SummaryFile.read(kb.summaryFile());
        if (read.problem() != null) {
            notes.add("cached summary " + kb.relative(kb.summaryFile()) + " " + read.problem() + "; ignored it");
        }
        Optional<Summary> cached = read.summary();
        if (head.revision() >= 0 && cached.isPresent()) {
            Summary c = cached.get();
            // a file that names the current revision but not its document count was edited or
            // damaged: served, "documents: 2030 (markdown 9999)" would contradict itself
            if (c.revision() == head.revision() && c.registry().documents() == head.documents()) {
                if (!read.stamp().equals(before)) {
                    // the writer stores its summary unstamped (its files have just changed)
                    stamped(kb, before, now).ifPresent(stamp -> write(kb, c, Optional.of(stamp), notes));
                }
                return new Served(head.revision(), head.documents(), c, false, notes);
            }
            // built "in the future" (clock skew, a file from another machine): its age says
            // nothing, and a stale summary of unknown age would be served for as long as the writer runs
            boolean datable = !c.builtAt().isAfter(now.plus(CLOCK_SLACK));
            if (writerRunning && c.revision() < head.revision() && datable
                    && c.age(now).compareTo(MAX_STALE_AGE) <= 0) {
                return new Served(head.revision(), head.documents(), c, true, notes);
            }
        }
        Summary built = build(registry, now);
        store(kb, registry, built, notes, before, now);
        RegistrySnapshot r = built.registry();
        return new Served(Math.max(0, r.revision()), r.documents(), built, false, notes);
    }

    /**
     * Stores a summary status rebuilt. Only when its revision is still the registry's: a writer
     * that committed meanwhile stores its own, newer one, which this must not replace. (A writer
     * that commits between this check and the rename is overwritten all the same; the file then
     * names an older revision than the registry's, which the next status sees and rebuilds.)
     */
    private static void store(KnowledgeBase kb, Registry registry, Summary s, List<String> notes,
                              Optional<RegistryStamp> before, Instant now) {
        if (!s.registry().hasRevision()) {
            return; // an older schema's summary has no revision to vouch for it
        }
        try {
            if (registry.revision() == s.revision()) {
                write(kb, s, stamped(kb, before, now), notes);
            }
        } catch (RuntimeException e) {
            notes.add("could not store the rebuilt summary in " + kb.relative(kb.summaryFile()) + " ("
                    + Causes.oneLine(e) + ")");
        }
    }

    private static void write(KnowledgeBase kb, Summary s, Optional<RegistryStamp> stamp, List<String> notes) {
        if (!Files.isWritable(kb.metaDir())) {
            return; // a read-only KB keeps no summary
        }
        try {
            SummaryFile.write(kb.summaryFile(), s, stamp);
        } catch (IOException | RuntimeException e) {
            notes.add("could not store the summary in " + kb.relative(kb.summaryFile()) + " ("
                    + Causes.oneLine(e) + ")");
        }
    }

    /**
     * {@code before}, when it may be stored: settled at {@code now}, and still the registry's
     * stamp after everything stored with it was read.
     */
    private static Optional<RegistryStamp> stamped(KnowledgeBase kb, Optional<RegistryStamp> before, Instant now) {
        if (before.isEmpty() || !before.get().settledBefore(now)) {
            return Optional.empty();
        }
        return RegistryStamp.of(kb.registryFile()).equals(before) ? before : Optional.empty();
    }
}
