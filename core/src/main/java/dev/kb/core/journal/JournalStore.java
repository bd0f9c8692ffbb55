package dev.kb.core.journal;

import dev.kb.core.fs.FileOps;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.Sweeper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code .kb/journal/} directory: one {@code <id>.json} per mutation in flight. */
public final class JournalStore {
    private final KnowledgeBase kb;
    private final FileOps ops;

    public JournalStore(KnowledgeBase kb, FileOps ops) {
        this.kb = kb;
        this.ops = ops;
    }

    /** The id of the journal in {@code file} ({@code <id>.json}). */
    public static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(KnowledgeBase.JOURNAL_SUFFIX)
                ? name.substring(0, name.length() - KnowledgeBase.JOURNAL_SUFFIX.length()) : name;
    }

    public Path file(String id) {
        return kb.journalDir().resolve(id + KnowledgeBase.JOURNAL_SUFFIX);
    }

    /** Writes the journal atomically and durably: after this returns it survives a crash. */
    public void write(Journal j) throws IOException {
        ops.writeAtomically(file(j.id()), j.toJson());
    }

    public void delete(String id) throws IOException {
        ops.delete(file(id));
        // fsync, or a crash can resurrect a discarded journal whose backups are already gone
        ops.fsyncDirectory(kb.journalDir());
    }

    /** The journal files present, oldest name first; temporaries of interrupted writes are not journals. */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(kb.journalDir())) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(kb.journalDir())) {
            for (Path p : ds) {
                if (p.getFileName().toString().endsWith(KnowledgeBase.JOURNAL_SUFFIX) && !p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Leftover temporaries of atomic writes that a crash interrupted. */
    public List<Path> temporaries() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(kb.journalDir())) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(kb.journalDir())) {
            for (Path p : ds) {
                if (!(p.getFileName().toString().endsWith(KnowledgeBase.JOURNAL_SUFFIX) && !p.getFileName().toString().startsWith("."))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * How many journals {@link #quarantine} has moved to {@code .kb/quarantine/} and a person has
     * not yet dealt with (their backups folders, and staging quarantined by the sweeper, are not
     * journals). Counted from the folder each time: recovery quarantines without a commit, so no
     * revision could say that a count kept elsewhere is out of date.
     */
    public static int countQuarantined(KnowledgeBase kb) throws IOException {
        Path dir = kb.quarantineDir();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.contains(KnowledgeBase.JOURNAL_SUFFIX + ".") && !name.endsWith(BACKUPS_SUFFIX)
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Suffix of a quarantined journal's backups folder, beside it. */
    private static final String BACKUPS_SUFFIX = ".backups";

    /** Where {@link #quarantine} put a journal and, when it had any, its backups folder (else null). */
    public record Quarantined(Path journal, Path backups) {
    }

    /**
     * Moves an untrustworthy journal to {@code .kb/quarantine/} so a person can look at it; it is
     * never deleted, and it no longer blocks the KB. Its backups folder, when it exists, may hold
     * the only copy of a replaced file, so it goes too, beside it.
     *
     * <p>The backups move first, durably, and the journal last. The other order lets a crash (or a
     * power cut that keeps the journal's rename and loses the other) leave the backups in
     * {@code .kb/staging/} owned by no journal; this order leaves at worst the journal in place,
     * and the next recovery quarantines it again.
     */
    public Quarantined quarantine(Path journalFile, Path backups) throws IOException {
        String name = journalFile.getFileName() + "." + Sweeper.stamp();
        Path movedBackups = null;
        if (Files.isDirectory(backups, LinkOption.NOFOLLOW_LINKS)) {
            movedBackups = Sweeper.quarantine(kb, ops, backups, name + BACKUPS_SUFFIX);
        }
        Path movedJournal = Sweeper.quarantine(kb, ops, journalFile, name);
        return new Quarantined(movedJournal, movedBackups);
    }
}
