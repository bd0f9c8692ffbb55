package dev.kb.core.mutation;

import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.input.Outcome;
import dev.kb.core.input.SourcePaths;
import dev.kb.core.journal.Journal;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import dev.kb.core.wiki.Artifacts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Removes: finds, under the lock, the document each target names (by name, else by the source it
 * came from) and retires its files: the raw file, the wiki page, and its artifacts
 * ({@code wiki/sources/<name>.<ext>}, the folder {@code wiki/sources/<name>/}). Retired files are
 * parked in the journal's backups until the commit point and deleted only after it, so a crash
 * leaves each document whole or gone.
 */
public final class RemovePlanner implements Planner<RemovePlanner.Target> {

    /**
     * What the user named: {@code input} as given (a document name, or a source), the spellings
     * under which its source may be registered (the URL as given, the identity of a file and its
     * older spelling), and {@code file}, the identity of the file it names, or null when it names
     * none (see {@link #find}).
     */
    public record Target(String input, List<String> sources, String file) {
        public Target {
            sources = List.copyOf(sources);
        }

        /**
         * What {@code arg}, given in {@code cwd}, may name: a document, or the source it was added
         * from, spelled as given (a URL, {@code pageindex-cloud:<id>}), or as a file's identity
         * (its real path, see {@link SourcePaths}; for a file deleted since, its folder's real
         * path) and then the absolute path that kb registered before identities were real paths.
         * A URL is taken without its userinfo, as it was stored.
         */
        public static Target of(String arg, Path cwd) {
            if (UrlFetcher.isUrl(arg)) {
                // stored without userinfo, and a password is never echoed back
                // (a row an older kb stored with it is still found by the spelling as given)
                String url = UrlFetcher.withoutUserInfo(arg);
                return new Target(url, List.of(url, arg).stream().distinct().toList(), null);
            }
            List<String> sources = new ArrayList<>(List.of(arg));
            String file = null;
            if (!arg.contains("://") && !arg.startsWith("pageindex-cloud:")) {
                try {
                    List<String> spellings = SourcePaths.spellings(cwd.resolve(arg));
                    sources.addAll(spellings);
                    file = spellings.get(0);
                } catch (java.nio.file.InvalidPathException e) {
                    // not a path this system can spell: only a name or a source as given
                }
            }
            return new Target(arg, sources.stream().distinct().toList(), file);
        }
    }

    private final KnowledgeBase kb;
    /**
     * Documents planned for removal by earlier groups of this batch, by name and by source. A
     * later group that names one of them finds it gone from the registry (its group committed;
     * a rolled-back one is still there) and must skip it as given more than once, as a repeat in
     * the same group is, not fail it as unknown: the outcome and the exit code would otherwise
     * depend on where the batch was cut into groups.
     */
    private final Set<String> plannedNames = new HashSet<>();
    private final Map<String, String> plannedBySource = new HashMap<>();

    /** A planner for one batch: it remembers what the batch's earlier groups removed. */
    public RemovePlanner(KnowledgeBase kb) {
        this.kb = kb;
    }

    @Override
    public List<Outcome> plan(List<Target> group, Plan plan) {
        List<Outcome> out = new ArrayList<>();
        Set<String> removed = new HashSet<>();
        for (Target t : group) {
            Optional<DocumentRow> row = find(plan.registry(), t);
            if (row.isEmpty()) {
                String earlier = plannedEarlier(t);
                out.add(earlier != null ? Outcome.skipped(t.input(), earlier, "given more than once") : Outcome.failed(
                        t.input(), "not in the knowledge base (no document of that name or source)"));
            } else if (!removed.add(row.get().docName())) {
                out.add(Outcome.skipped(t.input(), row.get().docName(), "given more than once"));
            } else {
                planRemoval(row.get(), plan);
                plannedNames.add(row.get().docName());
                plannedBySource.put(row.get().sourceUri(), row.get().docName());
                out.add(new Outcome(t.input(), Outcome.Status.REMOVED, row.get().docName(), null, List.of()));
            }
        }
        return out;
    }

    /** The name of the document an earlier group planned to remove that {@code t} names, or null. */
    private String plannedEarlier(Target t) {
        String name = plannedNames.contains(t.input()) ? t.input() : null;
        for (int i = 0; name == null && i < t.sources().size(); i++) {
            name = plannedBySource.get(t.sources().get(i));
        }
        return name;
    }

    /**
     * The document a target names: by name first, else by any spelling of its source, else (a
     * file path only) the first document whose registered path leads to the same file: a row an
     * older kb registered through a symbolic link, named now by the real path. That last look
     * reads every row, so it is only tried when nothing else matched.
     */
    public static Optional<DocumentRow> find(Registry registry, Target t) {
        Optional<DocumentRow> byName = registry.byName(t.input());
        if (byName.isPresent()) {
            return byName;
        }
        for (String source : t.sources()) {
            Optional<DocumentRow> r = registry.bySourceUri(source);
            if (r.isPresent()) {
                return r;
            }
        }
        // Names are made in NFC (Names.sanitize); a name typed in NFD (a macOS terminal, a name
        // pasted from a decomposed file name) found nothing though it looks the same. After the
        // sources: on Linux an NFD path is another file than its NFC spelling, with its own row.
        String composed = java.text.Normalizer.normalize(t.input(), java.text.Normalizer.Form.NFC);
        if (!composed.equals(t.input())) {
            byName = registry.byName(composed);
            if (byName.isPresent()) {
                return byName;
            }
        }
        if (t.file() == null) {
            return Optional.empty();
        }
        Path file = Path.of(t.file());
        List<DocumentRow> same = new ArrayList<>();
        registry.forEach(r -> {
            if (same.isEmpty() && leadsTo(r.sourceUri(), file)) {
                same.add(r);
            }
        });
        return same.stream().findFirst();
    }

    /** Whether {@code registered}, a source as registered, is a path leading to the file {@code identity}. */
    private static boolean leadsTo(String registered, Path identity) {
        try {
            Path p = Path.of(registered);
            // the name first: a look at the disk only for rows that can be the file
            return p.isAbsolute() && identity.getFileName().equals(p.getFileName())
                    && SourcePaths.identity(p).equals(identity.toString());
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private void planRemoval(DocumentRow row, Plan plan) {
        for (String path : filesOf(row, plan)) {
            plan.retire(path);
        }
        plan.remove(row.docName());
        plan.doc(new Journal.Doc(row.docName(), "remove", row.title(), row.sourceUri(), true));
    }

    /** The document's files that exist now: its raw file, its page, and each of its artifacts. */
    private List<String> filesOf(DocumentRow row, Plan plan) {
        List<String> files = new ArrayList<>();
        if (row.rawPath() != null && plan.exists(row.rawPath())) {
            files.add(row.rawPath());
        }
        if (plan.exists(row.sourcePath())) {
            files.add(row.sourcePath());
        }
        files.addAll(Artifacts.of(kb, plan.registry(), row.docName()));
        return files;
    }

    @Override
    public String input(Target item) {
        return item.input();
    }
}
