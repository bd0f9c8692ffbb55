package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The state of a KB as the contract sees it, read from outside: the registry rows and the files.
 * The registry is read from a private copy (database plus WAL), so looking never changes the KB
 * — opening the live database could checkpoint its WAL and rewrite it.
 */
final class KbState {
    private KbState() {
    }

    /** The contract's minimum registry columns. */
    record Row(String docName, String sha256, String rawPath, String sourcePath, String sourceUri) {
    }

    /** Every file of the KB (.kb/ included) with its SHA-256, every directory, and the rows. */
    record Snapshot(Map<String, String> files, Set<String> dirs, List<Row> rows) {
    }

    /**
     * A running batch's progress for {@code kb status}: advisory, not part of the KB's state. It
     * changes by itself while a writer runs (rewritten every second), and the next writer removes
     * what a killed or halted one left, so a snapshot that must not change leaves it out.
     */
    static final String PROGRESS = ".kb/progress";

    static Snapshot snapshot(Path kb) {
        Snapshot files = snapshotFiles(kb);
        List<Row> rows = Files.exists(kb.resolve(".kb/registry.db")) ? rows(kb) : List.of();
        return new Snapshot(files.files(), files.dirs(), rows);
    }

    /** Files and directories only (for a KB whose registry cannot be read); rows are null. */
    static Snapshot snapshotFiles(Path kb) {
        Map<String, String> files = new TreeMap<>();
        Set<String> dirs = new TreeSet<>();
        try {
            // a tree walk that skips the progress folder whole: its temporary file comes and goes
            // several times a second, and a walk that listed it could fail to read it
            Files.walkFileTree(kb, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                        java.nio.file.attribute.BasicFileAttributes attrs) {
                    String rel = rel(kb, dir);
                    if (rel.equals(PROGRESS)) {
                        return java.nio.file.FileVisitResult.SKIP_SUBTREE; // advisory, see PROGRESS
                    }
                    dirs.add(rel);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file,
                        java.nio.file.attribute.BasicFileAttributes attrs) {
                    files.put(rel(kb, file), sha256(file));
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(files, dirs, null);
    }

    /** Byte for byte: the same files with the same contents, the same directories. */
    static void assertUnchanged(Snapshot before, Path kb) {
        Snapshot after = snapshotFiles(kb);
        assertEquals(before.dirs(), after.dirs(), "directories of the KB changed");
        assertEquals(before.files(), after.files(), "files of the KB changed");
    }

    static List<Row> rows(Path kb) {
        List<Row> rows = new ArrayList<>();
        for (Map<String, Object> r : allColumns(kb)) {
            rows.add(new Row((String) r.get("doc_name"), (String) r.get("sha256"), (String) r.get("raw_path"),
                    (String) r.get("source_path"), (String) r.get("source_uri")));
        }
        return rows;
    }

    /** Every column of every row, by column name, in doc_name order. */
    static List<Map<String, Object>> allColumns(Path kb) {
        Path copy;
        try {
            copy = Files.createTempDirectory("kb-e2e-registry");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path db = kb.resolve(".kb/registry.db");
            Files.copy(db, copy.resolve("registry.db"));
            Path wal = kb.resolve(".kb/registry.db-wal");
            if (Files.exists(wal)) {
                Files.copy(wal, copy.resolve("registry.db-wal"));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("registry.db"));
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM documents ORDER BY doc_name")) {
                while (rs.next()) {
                    Map<String, Object> row = new TreeMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the registry of " + kb + ": " + e.getMessage(), e);
        } finally {
            deleteTree(copy);
        }
    }

    static Row row(Path kb, String docName) {
        return rows(kb).stream().filter(r -> r.docName().equals(docName)).findFirst()
                .orElseThrow(() -> new AssertionError("no row named " + docName + " in " + rows(kb)));
    }

    static Set<String> names(List<Row> rows) {
        return rows.stream().map(Row::docName).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The contract's "at rest": every row's files exist and match its hash (of raw_path, or of
     * source_path without raw bytes); every file under raw/ and wiki/sources/ belongs to a row;
     * .kb/journal/ and .kb/staging/ are empty. Returns the rows.
     */
    static List<Row> assertAtRest(Path kb) {
        List<Row> rows = rows(kb);
        List<String> problems = new ArrayList<>();
        Set<String> owned = new TreeSet<>();
        Set<String> names = new TreeSet<>();
        for (Row r : rows) {
            if (!names.add(r.docName())) {
                problems.add("doc_name " + r.docName() + " occurs twice");
            }
            if (r.sourcePath() == null) {
                problems.add(r.docName() + ": source_path is NULL");
                continue;
            }
            owned.add(r.sourcePath());
            for (String rel : r.rawPath() == null ? List.of(r.sourcePath()) : List.of(r.rawPath(), r.sourcePath())) {
                if (!Files.isRegularFile(kb.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                    problems.add(r.docName() + ": " + rel + " is missing");
                }
            }
            if (r.rawPath() != null) {
                owned.add(r.rawPath());
            }
            Path hashed = kb.resolve(r.rawPath() != null ? r.rawPath() : r.sourcePath());
            if (Files.isRegularFile(hashed, LinkOption.NOFOLLOW_LINKS) && !sha256(hashed).equals(r.sha256())) {
                problems.add(r.docName() + ": " + rel(kb, hashed) + " does not match sha256 " + r.sha256());
            }
        }
        for (String dir : List.of("raw", "wiki/sources")) {
            Path d = kb.resolve(dir);
            if (!Files.isDirectory(d)) {
                problems.add(dir + "/ is missing");
                continue;
            }
            try (Stream<Path> walk = Files.walk(d)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    String rel = rel(kb, p);
                    if (!owned.contains(rel) && !isArtifact(kb, p, names)) {
                        problems.add(rel + " belongs to no row");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String dir : List.of(".kb/journal", ".kb/staging")) {
            List<String> left = list(kb.resolve(dir));
            if (!left.isEmpty()) {
                problems.add(dir + "/ is not empty: " + left);
            }
        }
        if (!problems.isEmpty()) {
            fail("KB " + kb + " is not at rest:\n  " + String.join("\n  ", problems) + "\nrows: " + rows);
        }
        return rows;
    }

    /** wiki/sources/<doc_name>/… or wiki/sources/<doc_name>.<ext> */
    private static boolean isArtifact(Path kb, Path p, Set<String> names) {
        Path sources = kb.resolve("wiki/sources");
        if (!p.startsWith(sources)) {
            return false;
        }
        Path rel = sources.relativize(p);
        if (rel.getNameCount() > 1) {
            return names.contains(rel.getName(0).toString());
        }
        String file = rel.toString();
        return names.stream().anyMatch(n -> file.startsWith(n + ".") && file.length() > n.length() + 1);
    }

    /** The names wiki/index.md lists ("- [[name]] — title" lines); a name listed twice fails. */
    static Set<String> indexNames(Path kb) {
        String index;
        try {
            index = Files.readString(kb.resolve("wiki/index.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> names = new TreeSet<>();
        index.lines().filter(l -> l.startsWith("- [[")).forEach(l -> {
            String name = l.substring(4, l.indexOf("]]"));
            if (!names.add(name)) {
                fail("the index lists " + name + " twice:\n" + index);
            }
        });
        return names;
    }

    static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String rel(Path kb, Path p) {
        return kb.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    static String sha256(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) != -1; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a whole tree (a KB may be moved or copied: its paths are relative). */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
