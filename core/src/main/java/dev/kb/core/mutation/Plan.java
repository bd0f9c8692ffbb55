package dev.kb.core.mutation;

import dev.kb.core.journal.Journal;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.DocumentStore;
import dev.kb.core.store.FileStat;
import dev.kb.core.store.Registry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The group being planned, under the writer lock: a {@link Planner} reads the registry and the
 * document store as they are now, and says what changes. What it says becomes one {@link Mutation}.
 */
public final class Plan {
    private final Registry registry;
    private final DocumentStore documents;
    private final String id;
    private final String backupDir;
    private final List<Journal.Entry> entries = new ArrayList<>();
    private final List<Journal.Doc> docs = new ArrayList<>();
    private final List<DocumentRow> upserts = new ArrayList<>();
    private final List<String> removals = new ArrayList<>();
    private final List<FileStat> stats = new ArrayList<>();
    private final List<FileStat> hints = new ArrayList<>();
    private int backups;
    /**
     * What {@link #exists} found, by path: a new document's page and raw paths are each asked
     * about twice (is the name free, does the target need a backup), and on JDK 17 every answer
     * "no" costs an exception with its stack trace. Nothing is published while a group is being
     * planned, and the lock keeps other writers out, so an answer holds until the plan is built.
     */
    private final Map<String, Boolean> existing = new HashMap<>();

    Plan(Registry registry, DocumentStore documents, String id, String backupDir) {
        this.registry = registry;
        this.documents = documents;
        this.id = id;
        this.backupDir = backupDir;
    }

    /** The writer's registry: what is committed now (no other writer can change it meanwhile). */
    public Registry registry() {
        return registry;
    }

    /** Whether something is at this KB-relative path now. */
    public boolean exists(String path) {
        return existing.computeIfAbsent(path, documents::exists);
    }

    /**
     * Publishes a staged file onto {@code target}. Only a target that exists now (we hold the lock,
     * so it cannot appear later) gets a backup slot: rollback reads "no backup" as "the target is
     * new, remove it".
     */
    public void publish(String staged, String target) {
        entries.add(new Journal.Entry(staged, target, exists(target) ? nextBackup() : null));
    }

    /** Retires what is at {@code target} (a file or a folder): parked until the commit, then deleted. */
    public void retire(String target) {
        entries.add(new Journal.Entry(null, target, nextBackup()));
    }

    public void upsert(DocumentRow row) {
        upserts.add(row);
    }

    public void remove(String docName) {
        removals.add(docName);
    }

    /** The stat-cache entry of an upserted row, written in the commit point's transaction with it. */
    public void stat(FileStat entry) {
        stats.add(entry);
    }

    /**
     * The stat-cache entry of a row the group leaves as it is (a file read and found unchanged):
     * written after the group, under the same lock, and only while its row has its content.
     */
    public void hint(FileStat entry) {
        hints.add(entry);
    }

    List<FileStat> hints() {
        return hints;
    }

    /** What the log and index hooks are told about one document. */
    public void doc(Journal.Doc doc) {
        docs.add(doc);
    }

    boolean isEmpty() {
        return docs.isEmpty() && entries.isEmpty() && upserts.isEmpty() && removals.isEmpty();
    }

    Mutation build(String created, String command, String writer) {
        Journal j = new Journal(Journal.FORMAT, id, Journal.ACTIVE, created, command, backupDir, entries, docs, writer);
        return new Mutation(j, upserts, removals, stats);
    }

    private String nextBackup() {
        return backupDir + "/" + backups++;
    }
}
