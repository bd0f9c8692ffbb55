package dev.kb.core.input;

import dev.kb.core.KbException;
import dev.kb.core.cloud.Page;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.text.Sizes;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A local file: copied once into staging while hashed, then converted from that private copy. */
public final class FileSource implements Source {
    private final Path file;
    private final String input;
    private final long maxBytes;

    /** @param maxBytes the contract's {@code --max-size}: a larger file fails and nothing of it is kept */
    public FileSource(Path file, String input, long maxBytes) {
        this.file = file;
        this.input = input;
        this.maxBytes = maxBytes;
    }

    @Override
    public String input() {
        return input;
    }

    @Override
    public String knownNameHint() {
        return stem(file.getFileName().toString());
    }

    @Override
    public Prep prepare(PrepareContext ctx) throws IOException {
        List<String> keys = SourcePaths.spellings(file);
        String uri = keys.get(0);
        Path raw = ctx.staging().newPath(".raw");
        Hashing.Copy copy;
        try {
            // The size the file system knows refuses a large file before a byte of it is copied.
            long size = java.nio.file.Files.size(file);
            if (size > maxBytes) {
                throw tooLarge(": the file has " + Sizes.format(size));
            }
            copy = Hashing.copyAndHash(file, raw, maxBytes);
        } catch (Hashing.LimitExceeded e) {
            throw tooLarge(""); // it grew while being read; the staged part goes with the failure
        } catch (java.nio.file.NoSuchFileException e) {
            throw KbException.inputFailed("no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw KbException.inputFailed("permission denied");
        }
        Optional<Outcome> known = ctx.knownContent(input, keys, copy.sha256());
        if (known.isPresent()) {
            java.nio.file.Files.deleteIfExists(raw);
            return Prep.done(known.get());
        }
        String fileName = file.getFileName().toString();
        String added = FrontMatter.added(ctx.bySource(keys)); // present: an update of that row
        Page page = stagePage(ctx.staging(), raw, fileName, uri, copy.sha256(), added);
        RawConversion.Result c = page.conversion();
        String ext = extension(fileName);
        String rawExt = ext.isEmpty() ? c.extension() : ext.toLowerCase(Locale.ROOT);
        return Prep.of(new Prepared(input, uri, stem(fileName), c.type(), c.title(), copy.sha256(), copy.size(), raw,
                rawExt, page.staged(), List.of(), null, null, true, new ArrayList<>(c.warnings()), added,
                keys.subList(1, keys.size())));
    }

    /** A wiki page staged from raw bytes, and what the conversion found. */
    record Page(Path staged, RawConversion.Result conversion) {
    }

    /**
     * Converts the staged raw bytes of a local file named {@code fileName} and stages its page with
     * front matter. The page depends on nothing else, so {@code kb recover --repair} regenerates
     * a lost page byte for byte from {@code raw/} with the same arguments.
     */
    static Page stagePage(StagingArea staging, Path raw, String fileName, String uri, String sha256, String added)
            throws IOException {
        RawConversion.Result c = RawConversion.convert(raw, fileName, null, null, stem(fileName), staging);
        String fm = FrontMatter.render(c.title(), uri, sha256, c.type(), added, c.metadata(), c.ownFrontMatter());
        Path md = staging.write(KnowledgeBase.PAGE_EXTENSION,
                FrontMatter.document(fm, c.markdown()).getBytes(StandardCharsets.UTF_8));
        return new Page(md, c);
    }

    /** The file name without its last extension: what the document's name is derived from. */
    static String stem(String fileName) {
        String ext = extension(fileName);
        return ext.isEmpty() ? fileName : fileName.substring(0, fileName.length() - ext.length() - 1);
    }

    private KbException tooLarge(String detail) {
        return KbException.inputFailed("larger than " + Sizes.format(maxBytes) + " (--max-size)" + detail);
    }

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 || dot == fileName.length() - 1 ? "" : fileName.substring(dot + 1);
    }

    /** The types a local file may have, by extension; directories skip the rest. */
    public static boolean supportedExtension(String fileName) {
        return RawConversion.SUPPORTED_EXTENSIONS.contains(extension(fileName).toLowerCase(Locale.ROOT));
    }
}
