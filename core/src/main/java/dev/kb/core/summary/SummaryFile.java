package dev.kb.core.summary;

import dev.kb.core.fs.Halt;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.RegistrySnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cached summary on disk, {@code .kb/}{@value KnowledgeBase#SUMMARY_FILE}: a few lines of
 * tab-separated text, not JSON, because {@code kb status} reads it on every poll and must not load
 * a JSON library for it (start-up is most of what a status costs). Its format, version 1:
 * <pre>
 * kb-summary  1
 * revision    42
 * built_at    1764583200123                     (milliseconds since the epoch)
 * type        markdown  7420  31415926          (documents, bytes; one line per type)
 * commit      42  2026-12-01T10:00:00Z  add  3  1  0  0   (revision, time, command, added,
 *                                                          updated, removed, repaired; newest first)
 * files       2049:81:5865472:…,-  1c291ca3             (optional: the registry's {@link RegistryStamp}
 *                                                          when the summary was verified, and the
 *                                                          CRC-32 of every line above it)
 * end
 * </pre>
 * Fields are separated by one tab; a tab, newline, carriage return or backslash inside a field is
 * written {@code \t}, {@code \n}, {@code \r}, {@code \\}. Lines of an unknown kind are skipped (a
 * later kb may add some); anything else that is not so is a corrupt file.
 *
 * <p>It is advisory, never a second source of truth: written by atomic rename of a temporary
 * sibling (so a reader sees the old file or the new one, never half of one) but never forced to
 * disk; a power cut can leave it empty or short, and the {@code end} line tells a reader that it
 * is. A reader that finds it missing or corrupt rebuilds the summary from the registry.
 */
public final class SummaryFile {
    static final String MAGIC = "kb-summary";
    static final int FORMAT = 1;
    /** The optional line of the registry stamp; a kb that predates it skips the line, as any unknown one. */
    static final String STAMP = "files";
    /** Tells apart the temporaries of one process's writes. */
    private static final java.util.concurrent.atomic.AtomicLong WRITES = new java.util.concurrent.atomic.AtomicLong();

    private SummaryFile() {
    }

    /**
     * What reading the file found: a summary, nothing (no file), or why it cannot be used; and the
     * registry stamp stored with the summary, if one was and the lines it vouches for are intact.
     */
    public record Read(Optional<Summary> summary, String problem, Optional<RegistryStamp> stamp) {
        static Read absent() {
            return new Read(Optional.empty(), null, Optional.empty());
        }

        static Read corrupt(String why) {
            return new Read(Optional.empty(), why, Optional.empty());
        }
    }

    public static Read read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Read.absent();
        } catch (IOException e) {
            return Read.corrupt("cannot be read (" + e.getMessage() + ")");
        }
        try {
            String text = new String(bytes, StandardCharsets.UTF_8);
            Summary summary = parse(text);
            return new Read(Optional.of(summary), null, stamp(text));
        } catch (Corrupt e) {
            return Read.corrupt(e.getMessage());
        }
    }

    /**
     * Replaces the file with {@code s}: a temporary sibling written, then renamed over it. Not
     * forced: losing the newest summary in a power cut costs one rebuild, while an fsync after
     * every committed group would cost a bulk ingest real time.
     */
    public static void write(Path file, Summary s) throws IOException {
        write(file, s, Optional.empty());
    }

    /** {@link #write(Path, Summary)}, with the registry stamp the summary was verified against. */
    public static void write(Path file, Summary s, Optional<RegistryStamp> stamp) throws IOException {
        // pid and clock, not a random UUID: SecureRandom's start-up would cost every status that stores
        Path tmp = file.resolveSibling(tempPrefix(file) + ProcessHandle.current().pid() + "-" + System.nanoTime() + "-"
                + WRITES.incrementAndGet() + KnowledgeBase.TEMP_SUFFIX);
        try {
            Files.write(tmp, format(s, stamp).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Halt.at("summary-staged");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The glob of the temporaries {@link #write} makes beside {@code file}: a writer killed between
     * writing one and renaming it leaves it behind, for recovery to remove.
     */
    public static String temporaryGlob(Path file) {
        return tempPrefix(file) + "*" + KnowledgeBase.TEMP_SUFFIX;
    }

    private static String tempPrefix(Path file) {
        return "." + file.getFileName() + ".";
    }

    static String format(Summary s) {
        return format(s, Optional.empty());
    }

    static String format(Summary s, Optional<RegistryStamp> stamp) {
        StringBuilder b = new StringBuilder();
        line(b, MAGIC, String.valueOf(FORMAT));
        line(b, "revision", String.valueOf(s.revision()));
        line(b, "built_at", String.valueOf(s.builtAt().toEpochMilli()));
        s.registry().byType().forEach((type, t) ->
                line(b, "type", type, String.valueOf(t.documents()), String.valueOf(t.bytes())));
        for (RegistrySnapshot.Commit c : s.registry().recent()) {
            CommitNote n = c.note();
            line(b, "commit", String.valueOf(c.revision()), c.at(), n.command(), String.valueOf(n.added()),
                    String.valueOf(n.updated()), String.valueOf(n.removed()), String.valueOf(n.repaired()));
        }
        if (stamp.isPresent()) {
            line(b, STAMP, stamp.get().text(), crc(b));
        }
        line(b, "end");
        return b.toString();
    }

    private static void line(StringBuilder b, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                b.append('\t');
            }
            escape(b, fields[i]);
        }
        b.append('\n');
    }

    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\\' -> b.append("\\\\");
                default -> b.append(c);
            }
        }
    }

    /**
     * The stamp line's stamp, when there is one and the CRC-32 in it is that of the lines above it:
     * a stamp vouches that the registry has not changed since the summary was verified, so a
     * summary edited or damaged since must not ride on it (the numbers would be served as they
     * are, without a look at the registry). A file with a bad stamp is still a summary, which a
     * status checks against the registry's revision as it would one without.
     */
    private static Optional<RegistryStamp> stamp(String text) {
        int at = text.indexOf("\n" + STAMP + "\t") + 1; // never the first line, the magic one
        if (at == 0) {
            return Optional.empty();
        }
        int end = text.indexOf('\n', at);
        String[] f = text.substring(at, end).split("\t", -1);
        // the last line before the end line: the CRC covers everything else the file says
        if (f.length != 3 || !f[2].equals(crc(text.substring(0, at))) || !text.substring(end + 1).equals("end\n")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RegistryStamp(f[1]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String crc(CharSequence lines) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(lines.toString().getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    /** What makes a summary file unusable, said for {@code --verbose}. */
    static final class Corrupt extends Exception {
        Corrupt(String message) {
            super(message);
        }
    }

    static Summary parse(String text) throws Corrupt {
        if (text.isEmpty()) {
            throw new Corrupt("is empty");
        }
        if (!text.endsWith("\n")) {
            throw new Corrupt("is cut short (no end line)");
        }
        String[] lines = text.split("\n", -1);
        long revision = -1;
        Instant builtAt = null;
        TreeMap<String, RegistrySnapshot.TypeTotals> byType = new TreeMap<>();
        List<RegistrySnapshot.Commit> recent = new ArrayList<>();
        boolean ended = false;
        for (int i = 0; i < lines.length - 1; i++) {
            String[] f = fields(lines[i], i + 1);
            if (i == 0) {
                if (f.length != 2 || !f[0].equals(MAGIC) || !f[1].equals(String.valueOf(FORMAT))) {
                    throw new Corrupt("is not a kb summary of format " + FORMAT + " (line 1)");
                }
                continue;
            }
            if (ended) {
                throw new Corrupt("goes on after its end line (line " + (i + 1) + ")");
            }
            switch (f[0]) {
                case "revision" -> revision = number(f, 1, 2, i + 1);
                // milliseconds, not ISO-8601: parsing an instant loads java.time's parser into every status
                case "built_at" -> builtAt = Instant.ofEpochMilli(number(f, 1, 2, i + 1));
                case "type" -> byType.put(field(f, 1, 4, i + 1),
                        new RegistrySnapshot.TypeTotals(number(f, 2, 4, i + 1), number(f, 3, 4, i + 1)));
                case "commit" -> recent.add(commit(f, i + 1));
                case "end" -> ended = true;
                default -> {
                    // a line a later kb added: not ours to judge
                }
            }
        }
        if (!ended) {
            throw new Corrupt("is cut short (no end line)");
        }
        if (revision < 0 || builtAt == null) {
            throw new Corrupt("lacks its " + (revision < 0 ? "revision" : "built_at") + " line");
        }
        return new Summary(new RegistrySnapshot(revision, byType, recent), builtAt);
    }

    private static RegistrySnapshot.Commit commit(String[] f, int line) throws Corrupt {
        try {
            return new RegistrySnapshot.Commit(number(f, 1, 8, line), field(f, 2, 8, line),
                    new CommitNote(field(f, 3, 8, line), (int) number(f, 4, 8, line), (int) number(f, 5, 8, line),
                            (int) number(f, 6, 8, line), (int) number(f, 7, 8, line)));
        } catch (IllegalArgumentException e) {
            throw new Corrupt("has a bad commit line (line " + line + ": " + e.getMessage() + ")");
        }
    }

    private static String field(String[] f, int i, int expected, int line) throws Corrupt {
        if (f.length != expected) {
            throw new Corrupt("has " + f.length + " fields where " + expected + " belong (line " + line + ")");
        }
        return f[i];
    }

    private static long number(String[] f, int i, int expected, int line) throws Corrupt {
        String v = field(f, i, expected, line);
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Corrupt("has '" + v + "' where a count belongs (line " + line + ")");
        }
    }

    private static String[] fields(String line, int number) throws Corrupt {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                out.add(b.toString());
                b.setLength(0);
            } else if (c == '\\') {
                if (++i == line.length()) {
                    throw new Corrupt("ends a field with a lone backslash (line " + number + ")");
                }
                char e = line.charAt(i);
                switch (e) {
                    case 't' -> b.append('\t');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case '\\' -> b.append('\\');
                    default -> throw new Corrupt("has an unknown escape \\" + e + " (line " + number + ")");
                }
            } else {
                b.append(c);
            }
        }
        out.add(b.toString());
        return out.toArray(String[]::new);
    }
}
