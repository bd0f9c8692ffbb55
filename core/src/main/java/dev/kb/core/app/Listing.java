package dev.kb.core.app;

import dev.kb.core.KbException;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.RemovePlanner;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.Registry;
import dev.kb.core.wiki.Artifacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code kb list} and {@code kb show}: reads of the registry that never wait for a writer (SQLite's
 * WAL lets them see the last commit while one runs) and never change anything.
 */
public final class Listing {
    /** The registry's {@code type} values. */
    public static final Set<String> TYPES = Set.of("markdown", "text", "html", "pdf", "pageindex-cloud");

    private Listing() {
    }

    /**
     * Streams every document in name order, optionally only those of one type: a KB of any size
     * is listed in constant memory.
     */
    public static void forEach(KnowledgeBase kb, String type, Consumer<DocumentRow> action) {
        if (type != null && !TYPES.contains(type)) {
            throw new KbException(KbException.Kind.USAGE, "unknown type '" + type + "' (one of "
                    + String.join(", ", new java.util.TreeSet<>(TYPES)) + ")");
        }
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            r.forEachByName(type, action);
        }
    }

    /** One of a document's files: its role ({@code raw}, {@code page}, {@code artifact}) and size, or -1 when missing. */
    public record File(String path, String role, long size) {
        public boolean missing() {
            return size < 0;
        }
    }

    /** One document's row and its files. */
    public record Shown(DocumentRow row, List<File> files) {
    }

    /** The document {@code arg} names (by name, else by its source), or empty when there is none. */
    public static Optional<Shown> show(KnowledgeBase kb, String arg, Path cwd) {
        try (Registry r = SqliteRegistry.openReadOnly(kb.registryFile())) {
            Optional<DocumentRow> row = RemovePlanner.find(r, RemovePlanner.Target.of(arg, cwd));
            if (row.isEmpty()) {
                return Optional.empty();
            }
            DocumentRow d = row.get();
            List<File> files = new ArrayList<>();
            if (d.rawPath() != null) {
                files.add(file(kb, d.rawPath(), "raw"));
            }
            files.add(file(kb, d.sourcePath(), "page"));
            for (String a : Artifacts.of(kb, r, d.docName())) {
                files.add(file(kb, a, "artifact"));
            }
            return Optional.of(new Shown(d, files));
        }
    }

    private static File file(KnowledgeBase kb, String rel, String role) {
        Path p = kb.resolve(rel);
        long size = -1;
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (var s = Files.walk(p)) {
                    size = s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
                }
            } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                size = Files.size(p);
            }
        } catch (IOException e) {
            size = -1;
        }
        return new File(rel, role, size);
    }
}
