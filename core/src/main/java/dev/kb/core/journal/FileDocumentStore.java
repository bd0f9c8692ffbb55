package dev.kb.core.journal;

import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.Sweeper;
import dev.kb.core.store.DocumentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The document store on the local file system: a journal's entries are renames within the KB, each
 * made durable by an fsync of the directories it touched. Only under the writer lock.
 */
public final class FileDocumentStore implements DocumentStore {
    private final KnowledgeBase kb;
    private final FileOps ops;

    public FileDocumentStore(KnowledgeBase kb, FileOps ops) {
        this.kb = kb;
        this.ops = ops;
    }

    @Override
    public FileOps.Pending beginDurable(java.util.Collection<Path> staged) {
        return staged.isEmpty() ? FileOps.Pending.NONE : ops.startFsyncAll(staged);
    }

    @Override
    public void makeDurable(Journal j, FileOps.Pending begun) throws IOException {
        Set<Path> covered = new java.util.HashSet<>();
        for (Path p : begun.await()) {
            covered.add(p.toAbsolutePath().normalize());
        }
        List<Path> staged = new ArrayList<>(j.entries().size());
        for (Journal.Entry e : j.entries()) {
            Path p = e.staged() == null ? null : kb.resolve(e.staged());
            if (p != null && !covered.contains(p.toAbsolutePath().normalize())) {
                staged.add(p); // staged after the group was formed, or the begun one was not for this journal
            }
        }
        ops.fsyncAll(staged);
    }

    /** Publishes every entry in order, then forces the directories whose entries changed. */
    @Override
    public void publish(Journal j) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        if (hasBackups(j)) {
            ops.createDirectories(kb.resolve(j.backupDir()));
        }
        Set<Path> made = new java.util.HashSet<>();
        for (Journal.Entry e : j.entries()) {
            publish(e, dirs, made);
        }
        // fsync the directories, or a crash can lose a rename and leave the registry pointing at nothing
        for (Path d : dirs) {
            ops.fsyncDirectory(d);
        }
    }

    /**
     * One entry, a method of its own so that it is compiled (see SqliteRegistry.bindRow); adds
     * the folders it changed to {@code dirs}. {@code made}: the target folders known to exist,
     * asked once per journal rather than once per entry (two stats per document).
     */
    private void publish(Journal.Entry e, Set<Path> dirs, Set<Path> made) throws IOException {
        Path target = kb.resolve(e.target());
        if (e.backup() != null && exists(target)) {
            Path backup = kb.resolve(e.backup());
            ops.move(target, backup);
            dirs.add(backup.getParent());
        }
        if (e.staged() != null) {
            Path staged = kb.resolve(e.staged());
            if (made.add(target.getParent())) {
                ops.createDirectories(target.getParent());
            }
            ops.move(staged, target);
            dirs.add(staged.getParent());
        }
        dirs.add(target.getParent());
    }

    /**
     * Undoes whatever part of {@link #publish} happened, in reverse order. Idempotent: running it
     * again, after a crash in the middle of it, finishes the job.
     */
    @Override
    public void rollback(Journal j) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        List<Journal.Entry> reversed = new ArrayList<>(j.entries());
        java.util.Collections.reverse(reversed);
        for (Journal.Entry e : reversed) {
            Path target = kb.resolve(e.target());
            Path backup = e.backup() == null ? null : kb.resolve(e.backup());
            Path staged = e.staged() == null ? null : kb.resolve(e.staged());
            // The staged file was renamed onto the target when it is gone and the target is there
            // (and, for a replaced target, the old one sits in its backup: else the target is the
            // untouched old file). Rename it back while its staging folder exists, or the caller's
            // one-by-one retry of a failed group finds its staged files gone and fails documents
            // that had nothing wrong with them; with the folder gone (a dead writer), remove it.
            if (staged != null && !exists(staged) && exists(target) && (backup == null || exists(backup))) {
                if (Files.isDirectory(staged.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                    ops.move(target, staged);
                    dirs.add(staged.getParent());
                } else {
                    ops.delete(target);
                }
                dirs.add(target.getParent());
            }
            if (backup != null && exists(backup)) {
                ops.move(backup, target);
                dirs.add(target.getParent());
                dirs.add(backup.getParent());
            }
            // no backup file: either never moved (target untouched) or already restored
        }
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                ops.fsyncDirectory(d);
            }
        }
    }

    @Override
    public boolean publishMayHaveFinished(Journal j) {
        for (Journal.Entry e : j.entries()) {
            // not yet moved onto its target, or (a retirement) not yet parked
            boolean pending = e.staged() != null ? exists(kb.resolve(e.staged())) : exists(kb.resolve(e.target()));
            if (pending) {
                return false;
            }
        }
        return true;
    }

    /** After the commit: the backups are no longer needed. */
    @Override
    public void discardBackups(Journal j) throws IOException {
        Path dir = kb.resolve(j.backupDir());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        for (Journal.Entry e : j.entries()) {
            if (e.backup() != null) {
                Path backup = kb.resolve(e.backup());
                if (Files.isDirectory(backup, LinkOption.NOFOLLOW_LINKS)) {
                    Sweeper.deleteTree(backup, ops); // a retired wiki/sources/<doc>/ folder
                } else {
                    ops.delete(backup);
                }
            }
        }
        Sweeper.deleteTree(dir, ops);
        // fsync before the caller deletes the journal, or a power cut can keep that deletion and
        // bring the backups back, owned by no journal: the next sweep would quarantine them and
        // warn about a commit that went fine
        ops.fsyncDirectory(dir.getParent());
    }

    @Override
    public boolean exists(String path) {
        return exists(kb.resolve(path));
    }

    private static boolean hasBackups(Journal j) {
        return j.entries().stream().anyMatch(e -> e.backup() != null);
    }

    private static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
