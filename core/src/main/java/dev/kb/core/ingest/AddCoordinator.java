package dev.kb.core.ingest;

import dev.kb.core.KbException;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.Halt;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.journal.Journal;
import dev.kb.core.journal.JournalStore;
import dev.kb.core.journal.Publisher;
import dev.kb.core.journal.Recovery;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.LockLostException;
import dev.kb.core.lock.WriterLock;
import dev.kb.core.name.Names;
import dev.kb.core.registry.DocumentRow;
import dev.kb.core.registry.Registry;
import dev.kb.core.staging.Sweeper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The serial commit of prepared documents: one group = one journal = one registry transaction
 * (see {@link dev.kb.core.journal} for the protocol). A group of one is a plain single add; a
 * larger group amortises the fsyncs of bulk ingest without weakening any guarantee, because the
 * whole group commits or none of it does.
 *
 * <p>Steps at which tests can halt the process ({@link Halt}): {@code before-journal},
 * {@code journal-written}, {@code published}, {@code committed}, {@code journal-marked},
 * {@code hooks-done}, {@code discarded}.
 */
public final class AddCoordinator {
    public static final List<String> STEPS = List.of("before-journal", "journal-written", "published", "committed",
            "journal-marked", "hooks-done", "discarded");

    private final KnowledgeBase kb;
    private final Registry registry;
    private final FileOps ops;
    private final CommitHooks hooks;
    private final Consumer<String> warn;
    private final String command;
    private final JournalStore journals;
    private final Publisher publisher;
    private final Recovery recovery;
    private final Set<String> failedRepairs;

    public AddCoordinator(KnowledgeBase kb, Registry registry, FileOps ops, CommitHooks hooks,
                          Consumer<String> warn, String command) {
        this(kb, registry, ops, hooks, warn, command, new HashSet<>());
    }

    /**
     * @param failedRepairs ids of committed journals whose post-commit hooks failed in this
     *                      process (see {@link Recovery}); a journal kept here is added, so the
     *                      next recovery of the same batch does not retry and warn again
     */
    public AddCoordinator(KnowledgeBase kb, Registry registry, FileOps ops, CommitHooks hooks,
                          Consumer<String> warn, String command, Set<String> failedRepairs) {
        this.failedRepairs = failedRepairs;
        this.kb = kb;
        this.registry = registry;
        this.ops = ops;
        this.hooks = hooks;
        this.warn = warn;
        this.command = command;
        this.journals = new JournalStore(kb, ops);
        this.publisher = new Publisher(kb, ops);
        this.recovery = new Recovery(kb, registry, ops, hooks, warn, failedRepairs);
    }

    /**
     * Commits a group, returning one outcome per document in order. A group whose commit fails is
     * rolled back whole and then retried one document at a time, so one bad document fails alone.
     * A rollback that fails throws {@link KbException.Kind#KB_UNUSABLE}: the batch must stop, and
     * so must a lock whose file was removed ({@link LockLostException}).
     */
    public List<Outcome> commit(WriterLock lock, List<Prepared> group) {
        lock.assertHeld();
        try {
            return commitOnce(lock, group);
        } catch (CommitFailed e) {
            if (group.size() == 1) {
                discardStaged(group); // rolled back: its staged files only hold disk space now
                return List.of(Outcome.failed(group.get(0).input(), e.getMessage()));
            }
            List<Outcome> out = new ArrayList<>();
            for (Prepared p : group) {
                try {
                    out.addAll(commitOnce(lock, List.of(p)));
                } catch (CommitFailed single) {
                    discardStaged(List.of(p));
                    out.add(Outcome.failed(p.input(), single.getMessage()));
                }
            }
            return out;
        }
    }

    /** One planned document: what it becomes and the rows and journal entries that make it so. */
    private record Plan(int index, Prepared doc, String name, boolean update, DocumentRow row) {
    }

    private List<Outcome> commitOnce(WriterLock lock, List<Prepared> group) throws CommitFailed {
        Outcome[] outcomes = new Outcome[group.size()];
        List<Plan> plans = new ArrayList<>();
        Set<String> namesInGroup = new HashSet<>();
        Map<String, String> shaInGroup = new HashMap<>();
        Set<String> urisInGroup = new HashSet<>();
        String now = Instant.now().toString();

        // Re-check under the lock: another writer may have added the same source or content
        // since this document was prepared.
        for (int i = 0; i < group.size(); i++) {
            Prepared p = group.get(i);
            DocumentRow existing = registry.bySourceUri(p.sourceUri()).orElse(null);
            if (existing != null && (existing.sha256().equals(p.sha256()) || !p.updates())) {
                outcomes[i] = Outcome.skipped(p.input(), existing.docName(),
                        p.updates() ? "unchanged" : "already in the knowledge base");
                continue;
            }
            if (urisInGroup.contains(p.sourceUri())) {
                outcomes[i] = Outcome.skipped(p.input(), null, "given more than once");
                continue;
            }
            String dupOf = shaInGroup.get(p.sha256());
            if (dupOf == null && existing == null) {
                dupOf = registry.bySha256(p.sha256()).map(DocumentRow::docName).orElse(null);
            }
            if (dupOf != null && existing == null) {
                outcomes[i] = Outcome.skipped(p.input(), dupOf, "same content as " + dupOf);
                continue;
            }
            String name;
            if (existing != null) {
                name = existing.docName();
            } else {
                String base = Names.sanitize(p.nameHint());
                name = Names.unique(base, p.sourceUri(), n -> namesInGroup.contains(Names.key(n))
                        || registry.nameTaken(n) || occupiedOnDisk(n, p));
            }
            String rawPath = p.stagedRaw() == null ? null : "raw/" + name + "." + p.rawExtension();
            String sourcePath = "wiki/sources/" + name + ".md";
            if (existing != null && rawPath != null && !rawPath.equals(existing.rawPath())
                    && Files.exists(kb.resolve(rawPath), LinkOption.NOFOLLOW_LINKS)) {
                // the update's raw file changes extension onto a file no document owns: replacing
                // it would throw away something a person put there
                outcomes[i] = Outcome.failed(p.input(), rawPath + " already exists and belongs to no document; "
                        + "move it away and add again");
                continue;
            }
            namesInGroup.add(Names.key(name));
            shaInGroup.put(p.sha256(), name);
            urisInGroup.add(p.sourceUri());
            DocumentRow row = new DocumentRow(name, p.sha256(), rawPath, sourcePath, p.sourceUri(), p.type(),
                    p.title(), p.size(), existing == null ? now : existing.addedAt(), now, p.etag(), p.lastModified());
            plans.add(new Plan(i, p, name, existing != null, row));
        }
        if (plans.isEmpty()) {
            discardStaged(group);
            return Arrays.asList(outcomes);
        }

        String id = UUID.randomUUID().toString();
        String backupDir = kb.relative(kb.stagingDir().resolve(Sweeper.backupDirName(id)));
        List<Journal.Entry> entries = new ArrayList<>();
        List<Journal.Doc> docs = new ArrayList<>();
        int[] backups = {0};
        for (Plan plan : plans) {
            Prepared p = plan.doc();
            DocumentRow old = plan.update() ? registry.byName(plan.name()).orElseThrow() : null;
            if (p.stagedRaw() != null) {
                entries.add(entry(kb.relative(p.stagedRaw()), plan.row().rawPath(), backupDir, backups));
            }
            if (old != null && old.rawPath() != null && !old.rawPath().equals(plan.row().rawPath())) {
                // the new raw file has another extension: retire the old one, keeping a backup
                entries.add(new Journal.Entry(null, old.rawPath(), backupDir + "/" + backups[0]++));
            }
            entries.add(entry(kb.relative(p.stagedSource()), plan.row().sourcePath(), backupDir, backups));
            for (Prepared.Artifact a : p.extras()) {
                entries.add(entry(kb.relative(a.staged()), "wiki/sources/" + plan.name() + a.suffix(), backupDir, backups));
            }
            docs.add(new Journal.Doc(plan.name(), plan.update() ? "update" : "add", p.title(), p.sourceUri(),
                    old == null || !Objects.equals(old.title(), p.title())));
        }
        Journal journal = new Journal(Journal.FORMAT, id, Journal.ACTIVE, now, command, backupDir, entries, docs);

        try {
            Halt.at("before-journal");
            journals.write(journal);
            Halt.at("journal-written");
            publisher.publish(journal);
            Halt.at("published");
            // Publishing a large group takes a while: if the lock file was removed meanwhile,
            // another writer may be at work, and a commit now could name files it replaces.
            lock.assertHeld();
            List<DocumentRow> rows = plans.stream().map(Plan::row).toList();
            registry.commit(id, rows); // ===== THE COMMIT POINT =====
        } catch (LockLostException e) {
            // Undoing needs the lock as much as committing does: the journal stays, as after a
            // crash here, for the next recovery under a lock that holds.
            throw e;
        } catch (IOException | SQLException | RuntimeException e) {
            if (!committedDespite(id, e)) {
                recovery.rollBack(journal); // throws KB_UNUSABLE when the undo itself fails
                throw new CommitFailed(cause(e));
            }
        }
        Halt.at("committed");

        // Past the commit point nothing may undo the mutation: failures below are warnings, and
        // whatever is left over is finished by the next recovery.
        try {
            journals.write(journal.committed());
            Halt.at("journal-marked");
        } catch (IOException e) {
            warn.accept("could not mark journal " + id + " committed (" + cause(e) + "); recovery will finish it");
        }
        boolean hooksDone = false;
        try {
            hooks.afterCommit(journal, false);
            hooksDone = true;
        } catch (Exception e) {
            // Once in repair mode (appends only what is missing, rebuilds the index); if that fails
            // too, keep the committed journal: discarding it would lose the log block for good,
            // while the next recovery finishes the journal and repairs both files.
            try {
                hooks.afterCommit(journal, true);
                hooksDone = true;
            } catch (Exception again) {
                failedRepairs.add(id);
                warn.accept("post-commit update of wiki/log.md or wiki/index.md failed (" + cause(again)
                        + "); the documents are committed, the next command repairs the log and index");
            }
        }
        if (hooksDone) {
            Halt.at("hooks-done");
            try {
                publisher.discardBackups(journal);
                journals.delete(id);
                registry.forgetCommits(List.of(id));
                Halt.at("discarded");
            } catch (IOException e) {
                warn.accept("could not discard journal " + id + " (" + cause(e) + "); the next command finishes it");
            }
        }

        for (Plan plan : plans) {
            outcomes[plan.index()] = new Outcome(plan.doc().input(),
                    plan.update() ? Outcome.Status.UPDATED : Outcome.Status.ADDED, plan.name(), null,
                    plan.doc().warnings());
        }
        discardStaged(group);
        return Arrays.asList(outcomes);
    }

    /**
     * Whether the transaction went through although the commit reported {@code failure} (an I/O
     * error after SQLite wrote its commit record, say). Rolling back such a commit would leave
     * rows pointing at files that were removed, so the registry is asked again; when it cannot
     * answer, nothing is undone here: the journal stays, and the next command's recovery decides
     * from the registry as it reopens it.
     */
    private boolean committedDespite(String id, Exception failure) {
        try {
            return registry.isCommitted(id);
        } catch (RuntimeException unknown) {
            throw new KbException(KbException.Kind.KB_UNUSABLE, "the registry could not say whether journal " + id
                    + " was committed (" + cause(failure) + "); run 'kb recover'", failure);
        }
    }

    /**
     * An entry that publishes {@code staged} onto {@code target}. Only a target that exists now
     * (we hold the lock, so it cannot appear later) gets a backup slot: rollback reads "no backup"
     * as "the target is new, remove it".
     */
    private Journal.Entry entry(String staged, String target, String backupDir, int[] backups) {
        boolean exists = Files.exists(kb.resolve(target), LinkOption.NOFOLLOW_LINKS);
        return new Journal.Entry(staged, target, exists ? backupDir + "/" + backups[0]++ : null);
    }

    /**
     * A name is also taken when a file the registry does not know sits where the document would
     * go (a note a person wrote by hand): publishing over it would destroy it.
     */
    private boolean occupiedOnDisk(String name, Prepared p) {
        if (Files.exists(kb.sourcesDir().resolve(name + ".md"), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        for (Prepared.Artifact a : p.extras()) {
            if (Files.exists(kb.sourcesDir().resolve(name + a.suffix()), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return p.stagedRaw() != null
                && Files.exists(kb.rawDir().resolve(name + "." + p.rawExtension()), LinkOption.NOFOLLOW_LINKS);
    }

    /** Staged files of skipped documents would otherwise wait for the end of the batch. */
    private static void discardStaged(List<Prepared> group) {
        for (Prepared p : group) {
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

    static String cause(Throwable e) {
        String m = e instanceof SQLException se ? se.getMessage() : e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.FileSystemException) {
            java.nio.file.FileSystemException fse = (java.nio.file.FileSystemException) e;
            m = (fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason()) + ": " + fse.getFile();
        }
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ").trim();
    }

    /** The group could not be committed and was rolled back cleanly. */
    private static final class CommitFailed extends Exception {
        CommitFailed(String message) {
            super(message);
        }
    }
}
