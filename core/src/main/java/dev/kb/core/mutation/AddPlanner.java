package dev.kb.core.mutation;

import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.journal.Journal;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.name.Names;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adds and updates: decides, under the lock, which prepared documents are new, which update a
 * document of the same source, which are skips (the same source unchanged, the same content under
 * another source, the same source twice in one group), and which name each new one gets.
 */
public final class AddPlanner implements Planner<Prepared> {
    private final KnowledgeBase kb;
    /** The documents the last {@link #plan} publishes (by identity): once committed, nothing of theirs is staged. */
    private final Set<Prepared> published = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    public AddPlanner(KnowledgeBase kb) {
        this.kb = kb;
    }

    /** What the group holds so far, so two documents of one group never clash with each other. */
    private static final class Group {
        final Set<String> nameKeys = new HashSet<>();
        final Map<String, String> nameBySha = new HashMap<>();
        final Set<String> uris = new HashSet<>();
    }

    /**
     * The registry's answers for the whole group, asked before its first document is planned, in
     * one query each ({@link Registry#bySourceUris}): planning changes nothing in the registry
     * until the commit, so they are the answers each document's own query would get.
     */
    private static final class Ahead {
        final Map<String, DocumentRow> bySource;
        final Map<String, String> nameBySha;
        /** The names asked (each new document's first choice), and those of them taken. */
        final Set<String> asked = new HashSet<>();
        final Set<String> taken;
        final Registry registry;

        Ahead(Registry registry, List<Prepared> docs) {
            this.registry = registry;
            List<String> keys = new ArrayList<>();
            for (Prepared p : docs) {
                keys.addAll(p.sourceKeys());
            }
            bySource = registry.bySourceUris(keys);
            List<String> shas = new ArrayList<>();
            for (Prepared p : docs) {
                if (bySource(p) == null) {
                    shas.add(p.sha256());
                    asked.add(Names.sanitize(p.nameHint()));
                }
            }
            nameBySha = registry.namesBySha256(shas);
            taken = registry.namesTaken(asked);
        }

        /** The row of {@code p}'s source: under its identity, else under an older spelling of it (the update then rewrites the row's {@code source_uri} to the identity). */
        DocumentRow bySource(Prepared p) {
            for (String key : p.sourceKeys()) {
                DocumentRow r = bySource.get(key);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }

        boolean nameTaken(String name) {
            return asked.contains(name) ? taken.contains(name) : registry.nameTaken(name);
        }
    }

    @Override
    public List<Outcome> plan(List<Prepared> docs, Plan plan) {
        List<Outcome> out = new ArrayList<>();
        Group group = new Group();
        String now = Instant.now().toString();
        Ahead ahead = new Ahead(plan.registry(), docs);
        published.clear();
        for (Prepared p : docs) {
            out.add(planOne(p, plan, group, ahead, now));
        }
        return out;
    }

    /**
     * Re-checks under the lock (another writer may have added the same source or content since
     * this document was prepared), then plans its files and row.
     */
    private Outcome planOne(Prepared p, Plan plan, Group group, Ahead ahead, String now) {
        DocumentRow existing = ahead.bySource(p);
        if (existing != null && (existing.sha256().equals(p.sha256()) || !p.updates())) {
            if (!p.updates()) {
                return Outcome.skipped(p.input(), existing.docName(), "already in the knowledge base");
            }
            if (p.stat() != null) {
                plan.hint(p.stat().under(existing.sourceUri(), existing.docName()));
            }
            return Outcome.unchanged(p.input(), existing.docName(), Outcome.BY_CONTENT);
        }
        if (group.uris.contains(p.sourceUri())) {
            return Outcome.skipped(p.input(), null, "given more than once");
        }
        if (existing == null) {
            String dupOf = group.nameBySha.get(p.sha256());
            if (dupOf == null) {
                dupOf = ahead.nameBySha.get(p.sha256());
            }
            if (dupOf != null) {
                return Outcome.skipped(p.input(), dupOf, "same content as " + dupOf);
            }
        }
        String name = existing != null ? existing.docName() : Names.unique(Names.sanitize(p.nameHint()), p.sourceUri(),
                n -> group.nameKeys.contains(Names.key(n)) || ahead.nameTaken(n) || occupied(plan, n, p));
        String rawPath = p.stagedRaw() == null ? null : KnowledgeBase.rawPath(name, p.rawExtension());
        if (existing != null && rawPath != null && !rawPath.equals(existing.rawPath()) && plan.exists(rawPath)) {
            // the update's raw file changes extension onto a file no document owns: replacing it
            // would throw away something a person put there
            return Outcome.failed(p.input(), rawPath + " already exists and belongs to no document; "
                    + "move it away and add again");
        }
        group.nameKeys.add(Names.key(name));
        group.nameBySha.put(p.sha256(), name);
        group.uris.add(p.sourceUri());
        DocumentRow row = new DocumentRow(name, p.sha256(), rawPath, KnowledgeBase.sourcePath(name), p.sourceUri(),
                p.type(), p.title(), p.size(), addedAt(existing, p, now), now, p.etag(), p.lastModified(), p.origin(),
                p.fetch());
        planFiles(p, row, existing, plan);
        published.add(p);
        plan.upsert(row);
        if (p.stat() != null) {
            plan.stat(p.stat().under(row.sourceUri(), name)); // in the commit's transaction, with the row
        }
        plan.doc(new Journal.Doc(name, existing == null ? "add" : "update", p.title(), p.sourceUri(),
                existing == null || !Objects.equals(existing.title(), p.title())));
        return new Outcome(p.input(), existing == null ? Outcome.Status.ADDED : Outcome.Status.UPDATED, name, null,
                p.warnings());
    }

    /** An update keeps the first add's time; a new row takes the one its front matter shows. */
    private static String addedAt(DocumentRow existing, Prepared p, String now) {
        if (existing != null) {
            return existing.addedAt();
        }
        return p.added() != null ? p.added() : now;
    }

    private void planFiles(Prepared p, DocumentRow row, DocumentRow old, Plan plan) {
        if (p.stagedRaw() != null) {
            plan.publish(kb.relative(p.stagedRaw()), row.rawPath());
        }
        if (old != null && old.rawPath() != null && !old.rawPath().equals(row.rawPath())) {
            plan.retire(old.rawPath()); // the new raw file has another extension: the old one goes
        }
        plan.publish(kb.relative(p.stagedSource()), row.sourcePath());
        for (Prepared.Artifact a : p.extras()) {
            plan.publish(kb.relative(a.staged()), KnowledgeBase.artifactPath(row.docName(), a.suffix()));
        }
    }

    /**
     * A name is also taken when a file the registry does not know sits where the document would
     * go (a note a person wrote by hand): publishing over it would destroy it.
     */
    private static boolean occupied(Plan plan, String name, Prepared p) {
        if (plan.exists(KnowledgeBase.sourcePath(name))) {
            return true;
        }
        for (Prepared.Artifact a : p.extras()) {
            if (plan.exists(KnowledgeBase.artifactPath(name, a.suffix()))) {
                return true;
            }
        }
        return p.stagedRaw() != null && plan.exists(KnowledgeBase.rawPath(name, p.rawExtension()));
    }

    @Override
    public List<java.nio.file.Path> staged(List<Prepared> group) {
        List<java.nio.file.Path> out = new ArrayList<>(group.size() * 2);
        for (Prepared p : group) {
            if (p.stagedRaw() != null) {
                out.add(p.stagedRaw());
            }
            out.add(p.stagedSource());
            for (Prepared.Artifact a : p.extras()) {
                out.add(a.staged());
            }
        }
        return out;
    }

    @Override
    public String input(Prepared item) {
        return item.input();
    }

    /** Staged files of skipped documents would otherwise wait for the end of the batch. */
    @Override
    public void release(List<Prepared> group) {
        for (Prepared p : group) {
            release(p);
        }
    }

    /** Two unlinks per document fewer: a committed document's staged files were renamed into place. */
    @Override
    public void releaseCommitted(List<Prepared> group) {
        for (Prepared p : group) {
            if (!published.contains(p)) {
                release(p);
            }
        }
        published.clear();
    }

    /** One document's staged files (a method of its own so that it is compiled: see SqliteRegistry.bindRow). */
    private static void release(Prepared p) {
        try {
            if (p.stagedRaw() != null) {
                Files.deleteIfExists(p.stagedRaw());
            }
            Files.deleteIfExists(p.stagedSource());
            for (Prepared.Artifact a : p.extras()) {
                Files.deleteIfExists(a.staged());
            }
        } catch (IOException ignored) {
            // the staging folder goes away with the process, or with the next sweep
        }
    }
}
