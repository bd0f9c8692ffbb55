package dev.kb.core.input;

import dev.kb.core.KbException;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.staging.StagingArea;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.wiki.FrontMatter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code kb recover --repair}: a registered document's wiki page made again from its raw bytes,
 * staged for the coordinator to publish. The raw file is trusted only when it still matches the
 * row's hash; a document without raw bytes (a cloud import) is not regenerated, because nothing
 * kb keeps could say what its page was.
 */
public final class PageRegeneration {
    private PageRegeneration() {
    }

    /**
     * Stages the page of {@code row}. For a local file it is byte for byte what adding that file
     * made (the same converter, file name, source and {@code added}); for a URL the page is
     * converted from the same bytes, with links resolved against the URL as given (the final URL
     * after redirects and the server's declared type are not kept).
     *
     * @throws KbException (input failed) naming why the page cannot be made again
     */
    public static Path stage(KnowledgeBase kb, DocumentRow row, StagingArea staging) throws IOException {
        if (row.rawPath() == null) {
            throw KbException.inputFailed("it has no raw bytes to regenerate its page from"
                    + (row.sourceUri().startsWith(CloudSource.SCHEME) ? "; remove it and import it again" : ""));
        }
        Path raw = staging.newPath(".raw");
        try {
            Files.copy(kb.resolve(row.rawPath()), raw, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw KbException.inputFailed(row.rawPath() + " is missing: nothing to regenerate its page from");
        }
        try {
            if (!Hashing.sha256Hex(raw).equals(row.sha256())) {
                throw KbException.inputFailed(row.rawPath() + " does not match its sha256 (changed outside kb?);"
                        + " its page is not regenerated from bytes that are not the document's");
            }
            String added = FrontMatter.added(Optional.of(row));
            if (isUrl(row.sourceUri())) {
                String fileName = Path.of(row.rawPath()).getFileName().toString();
                return RawConversion.stage(raw, fileName, null, row.sourceUri(), row.docName(), staging,
                        c -> FrontMatter.render(c.title(), row.sourceUri(), row.sha256(), c.type(), added,
                                c.metadata(), c.ownFrontMatter())).staged();
            }
            String fileName = Path.of(row.sourceUri()).getFileName().toString();
            return FileSource.stagePage(staging, raw, fileName, row.sourceUri(), row.sha256(), added).staged();
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    private static boolean isUrl(String uri) {
        try {
            String scheme = URI.create(uri).getScheme();
            return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
