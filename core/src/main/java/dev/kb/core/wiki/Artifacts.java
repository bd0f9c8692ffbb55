package dev.kb.core.wiki;

import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A document's extra artifacts in {@code wiki/sources/}: files named {@code <name>.<ext…>} other
 * than its page (e.g. {@code <name>.tree.json}), and the folder {@code <name>/}. The contract's
 * "belongs to a row" rule, in one place for remove, show and verification.
 */
public final class Artifacts {
    private Artifacts() {
    }

    /**
     * The KB-relative paths of the artifacts of {@code name} that exist now, sorted. A file is not
     * one when a longer registered name owns it: {@code a.b.md} is the page of {@code a.b}, not an
     * artifact of {@code a}.
     */
    public static List<String> of(KnowledgeBase kb, Registry registry, String name) {
        List<String> out = new ArrayList<>();
        Path sources = kb.sourcesDir();
        if (!Files.isDirectory(sources, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        if (Files.exists(kb.resolve(KnowledgeBase.artifactDir(name)), LinkOption.NOFOLLOW_LINKS)) {
            out.add(KnowledgeBase.artifactDir(name));
        }
        String page = KnowledgeBase.sourcePath(name);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sources, glob(name) + ".*")) {
            for (Path p : ds) {
                String rel = kb.relative(p);
                boolean folder = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (!rel.equals(page) && ownerOf(p.getFileName().toString(), folder, registry, name).equals(name)) {
                    out.add(rel);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + sources + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /**
     * The longest registered name that {@code file} is {@code <name>.<ext…>} of, or, for a folder,
     * the folder {@code <name>/} of: without that, removing {@code a} took {@code a.b/}, the
     * folder of {@code a.b}, with it.
     */
    private static String ownerOf(String file, boolean folder, Registry registry, String shortest) {
        int from = folder ? file.length() : file.lastIndexOf('.');
        for (int dot = from; dot > shortest.length(); dot = file.lastIndexOf('.', dot - 1)) {
            String candidate = file.substring(0, dot);
            if (registry.byName(candidate).isPresent()) {
                return candidate;
            }
        }
        return shortest;
    }

    /** A glob matching exactly this name (names may hold glob metacharacters such as '[' or '{'). */
    private static String glob(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
