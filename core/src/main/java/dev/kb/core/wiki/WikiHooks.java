package dev.kb.core.wiki;

import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Inputs;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.journal.Journal;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * The post-commit hooks: {@code wiki/log.md} gets one block per committed journal, and
 * {@code wiki/index.md} one line per new document. Both only append, so their cost does not grow
 * with the size of the KB. The index is rebuilt from the registry only when an update changed a
 * title (its line must change) or a crash may have torn it (it is derived, so it can always be
 * rebuilt); an update that keeps its title leaves the index as it is.
 */
public final class WikiHooks implements CommitHooks {
    public static final String INDEX_HEADER = "# Index\n\nEvery document in this knowledge base, in the order it was added.\n\n";
    public static final String LOG_HEADER = "# Ingest log\n\n";

    /** How far back from the end of the log a repair looks for a journal's block. */
    private static final int LOG_TAIL_BYTES = 1 << 20;

    private final KnowledgeBase kb;
    private final Registry registry;
    private final FileOps ops;

    public WikiHooks(KnowledgeBase kb, Registry registry, FileOps ops) {
        this.kb = kb;
        this.registry = registry;
        this.ops = ops;
    }

    @Override
    public void afterCommit(Journal j, boolean repairing) throws IOException {
        if (repairing) {
            repairLog(j);
        } else {
            appendLog(j);
        }
        boolean titleChanged = j.docs().stream().anyMatch(d -> d.action().equals("update") && d.titleChanged());
        // a removed document's line must go: rewriting the index costs a pass over the registry,
        // which only removes pay (an add appends)
        boolean removed = j.docs().stream().anyMatch(d -> d.action().equals("remove"));
        if (repairing || titleChanged || removed || !Files.isRegularFile(kb.indexFile())) {
            rebuildIndex();
            return;
        }
        // An update keeps its name and, here, its title: its line is already right. Rebuilding
        // anyway would make every updating add cost a pass over every row of the registry.
        StringBuilder b = new StringBuilder();
        for (Journal.Doc d : j.docs()) {
            if (d.action().equals("add")) {
                b.append(indexLine(d.name(), d.title()));
            }
        }
        if (b.length() > 0) {
            ops.append(kb.indexFile(), withLeadingNewlineIfTorn(kb.indexFile(), b.toString()));
        }
    }

    private void appendLog(Journal j) throws IOException {
        StringBuilder b = new StringBuilder();
        if (!Files.exists(kb.logFile())) {
            b.append(LOG_HEADER);
        }
        b.append("## ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(headingEnd(j)).append('\n');
        b.append(blockBody(j));
        ops.append(kb.logFile(), withLeadingNewlineIfTorn(kb.logFile(), b.toString()));
    }

    /** A block's heading after its timestamp, without the newline: " kb add · journal <id>". */
    private static String headingEnd(Journal j) {
        return " " + (j.command() == null ? "kb" : j.command()) + " · journal " + j.id();
    }

    /** A block after its heading line: a blank line, one line per document, a blank line. */
    private static String blockBody(Journal j) {
        StringBuilder b = new StringBuilder("\n");
        for (Journal.Doc d : j.docs()) {
            b.append(docLine(d)).append('\n');
        }
        return b.append('\n').toString();
    }

    /** Rewrites the index from the registry, atomically. */
    public void rebuildIndex() throws IOException {
        StringBuilder b = new StringBuilder(INDEX_HEADER);
        registry.forEach(r -> b.append(indexLine(r.docName(), r.title())));
        ops.writeAtomically(kb.indexFile(), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String indexLine(String name, String title) {
        // one line per document, and no bidi override turning the rest of it around
        String t = title == null ? "" : Inputs.printable(title.replaceAll("\\s+", " ").trim());
        return "- [[" + name + "]]" + (t.isEmpty() || t.equals(name) ? "" : " — " + t) + "\n";
    }

    /**
     * Makes the log hold this journal's block whole, exactly once. The block may be there whole (the
     * crash came after the append), missing, or cut short by a full disk or a crash mid-write. A
     * piece cut short at the end of the log is cut off before the block is appended again, or the
     * log would keep a stray heading or "- add" beside the whole block. Writes are serial under
     * the writer lock, so a torn append is normally the last thing in the log; when something was
     * appended after it (a later group after a failed repair), the fragment stays, because
     * cutting there would take others' blocks with it.
     *
     * <p>Works on bytes, not characters: the tail read may start inside a UTF-8 sequence, a cut
     * can fall inside one (names keep any script), and the offset handed to truncate is in bytes.
     * UTF-8 never matches a whole character inside another one, so searching bytes is exact.
     */
    private void repairLog(Journal j) throws IOException {
        Path log = kb.logFile();
        if (!Files.isRegularFile(log)) {
            appendLog(j);
            return;
        }
        long from;
        byte[] tail;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            from = Math.max(0, len - LOG_TAIL_BYTES);
            tail = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(tail);
        }
        int fragment = -1; // where our torn piece starts in tail, when it runs to the end of the log
        byte[] headingEnd = utf8(headingEnd(j) + "\n");
        int heading = lastIndexOf(tail, headingEnd);
        if (heading >= 0) {
            int body = heading + headingEnd.length;
            byte[] whole = utf8(blockBody(j));
            // whole once its last document line is there, trailing blank line or not
            int needed = j.docs().isEmpty() ? 0 : whole.length - 1;
            if (occursAt(whole, 0, needed, tail, body)) {
                return;
            }
            // everything after the heading is the start of our block, so nothing else follows it
            int line = lineStart(tail, heading, from);
            if (line >= 0 && occursAt(utf8("## "), 0, 3, tail, line)
                    && occursAt(tail, body, tail.length, whole, 0)) {
                fragment = line;
            }
        }
        if (fragment < 0) {
            // cut inside the heading line itself: the last line has no newline and reads as the
            // start of our heading
            int line = lineStart(tail, tail.length, from);
            if (line >= 0 && line < tail.length && isTornHeading(j, tail, line)) {
                fragment = line;
            }
        }
        if (fragment >= 0) {
            ops.truncate(log, from + fragment);
        }
        appendLog(j);
    }

    /**
     * Whether {@code tail[line..]} (one line, no newline) can be the start of this journal's
     * heading "## <instant> <command> · journal <id>". The instant is not known, so a cut inside it
     * is taken on its shape; such a piece may belong to another journal of the same crash, but it
     * holds no document line, and that journal, not yet discarded, gets its whole block on its own
     * repair.
     */
    private static boolean isTornHeading(Journal j, byte[] tail, int line) {
        byte[] open = utf8("## ");
        int n = tail.length - line;
        if (n <= open.length) {
            return occursAt(tail, line, tail.length, open, 0);
        }
        if (!occursAt(open, 0, open.length, tail, line)) {
            return false;
        }
        int i = line + open.length;
        while (i < tail.length && "0123456789-:.+TZ".indexOf(tail[i]) >= 0) {
            i++;
        }
        if (i == tail.length) {
            return true;
        }
        return i > line + open.length && occursAt(tail, i, tail.length, utf8(headingEnd(j)), 0);
    }

    /**
     * The start of the line holding {@code tail[at]}, or -1 when that line starts before the tail
     * that was read (a line over 1 MiB long: not a kb block, so leave it).
     */
    private static int lineStart(byte[] tail, int at, long from) {
        for (int i = at - 1; i >= 0; i--) {
            if (tail[i] == '\n') {
                return i + 1;
            }
        }
        return from == 0 ? 0 : -1;
    }

    /** Whether the bytes {@code p[from..to)} are there in {@code a} at {@code at}. */
    private static boolean occursAt(byte[] p, int from, int to, byte[] a, int at) {
        int n = to - from;
        return a.length - at >= n && Arrays.equals(p, from, to, a, at, at + n);
    }

    private static int lastIndexOf(byte[] a, byte[] needle) {
        for (int i = a.length - needle.length; i >= 0; i--) {
            if (Arrays.equals(a, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * "- added [[name]] from `source`". The name is safe by construction ({@code Names}); the
     * source is a path or URL as given, so a newline in it would end the line and the code span
     * mid-path, and a bidi override would show the rest of the line reversed. A removed document's
     * name is plain text: a wiki link to it would point at a page that is gone.
     */
    private static String docLine(Journal.Doc d) {
        boolean removed = d.action().equals("remove");
        StringBuilder b = new StringBuilder("- ").append(pastTense(d.action())).append(removed ? " " : " [[")
                .append(d.name()).append(removed ? "" : "]]");
        if (d.source() != null) {
            b.append(" from `").append(Inputs.printable(d.source()).replace("`", "'")).append('`');
        }
        return b.toString();
    }

    /** "added", "updated", "removed", "repaired": the log's word for a journal's action. */
    private static String pastTense(String action) {
        return switch (action) {
            case "add" -> "added";
            case "remove" -> "removed";
            case "repair" -> "repaired";
            default -> "updated";
        };
    }

    /** A crash mid-append can leave a line without its newline; start ours on a fresh line. */
    private static byte[] withLeadingNewlineIfTorn(Path file, String text) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                f.seek(f.length() - 1);
                if (f.read() != '\n') {
                    text = "\n" + text;
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
