package dev.kb.core.ingest;

import dev.kb.core.fs.FileOps;
import dev.kb.core.journal.CommitHooks;
import dev.kb.core.journal.Journal;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.registry.Registry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The post-commit hooks: {@code wiki/log.md} gets one block per committed journal, and
 * {@code wiki/index.md} one line per new document. Both only append, so their cost does not grow
 * with the size of the KB; the index is rebuilt from the registry when a title may have changed
 * or a crash may have torn it (it is derived, so it can always be rebuilt).
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
        if (!repairing || !logHasBlock(j)) {
            appendLog(j);
        }
        boolean onlyAdds = j.docs().stream().allMatch(d -> d.action().equals("add"));
        if (repairing || !onlyAdds || !Files.isRegularFile(kb.indexFile())) {
            rebuildIndex();
        } else {
            StringBuilder b = new StringBuilder();
            for (Journal.Doc d : j.docs()) {
                b.append(indexLine(d.name(), d.title()));
            }
            ops.append(kb.indexFile(), withLeadingNewlineIfTorn(kb.indexFile(), b.toString()));
        }
    }

    private void appendLog(Journal j) throws IOException {
        StringBuilder b = new StringBuilder();
        if (!Files.exists(kb.logFile())) {
            b.append(LOG_HEADER);
        }
        b.append("## ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(' ')
                .append(j.command() == null ? "kb" : j.command())
                .append(" · journal ").append(j.id()).append("\n\n");
        for (Journal.Doc d : j.docs()) {
            b.append(docLine(d)).append('\n');
        }
        b.append('\n');
        ops.append(kb.logFile(), withLeadingNewlineIfTorn(kb.logFile(), b.toString()));
    }

    /** Rewrites the index from the registry, atomically. */
    public void rebuildIndex() throws IOException {
        StringBuilder b = new StringBuilder(INDEX_HEADER);
        registry.forEach(r -> b.append(indexLine(r.docName(), r.title())));
        ops.writeAtomically(kb.indexFile(), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String indexLine(String name, String title) {
        String t = title == null ? "" : title.replaceAll("\\s+", " ").trim();
        return "- [[" + name + "]]" + (t.isEmpty() || t.equals(name) ? "" : " — " + t) + "\n";
    }

    /**
     * Whether the log already holds this journal's whole block: its heading line and, after it,
     * its last document line. An append cut short (a full disk, a crash) has the heading without
     * the end, and then gets the block again rather than keeping half of it.
     */
    private boolean logHasBlock(Journal j) throws IOException {
        String tail = logTail();
        int heading = tail.indexOf("journal " + j.id() + "\n");
        if (heading < 0) {
            return false;
        }
        if (j.docs().isEmpty()) {
            return true;
        }
        return tail.indexOf(docLine(j.docs().get(j.docs().size() - 1)) + "\n", heading) >= 0;
    }

    private String logTail() throws IOException {
        Path log = kb.logFile();
        if (!Files.isRegularFile(log)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - LOG_TAIL_BYTES);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }

    /**
     * "- added [[name]] from `source`". The name is safe by construction ({@code Names}); the
     * source is a path or URL as given, so a newline in it would end the line and the code span
     * mid-path, and a bidi override would show the rest of the line reversed.
     */
    private static String docLine(Journal.Doc d) {
        StringBuilder b = new StringBuilder("- ").append(d.action().equals("add") ? "added" : "updated").append(" [[")
                .append(d.name()).append("]]");
        if (d.source() != null) {
            b.append(" from `").append(Inputs.printable(d.source()).replace("`", "'")).append('`');
        }
        return b.toString();
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
