package dev.kb.core.convert;

import dev.kb.core.KbException;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Sizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.RandomAccessReadBufferedFile;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * PDF: text page by page with PDFBox, each page led by a {@code <!-- page N -->} marker.
 *
 * <p>Memory stays bounded on large files: the file is read through a buffered random-access
 * window rather than loaded whole, and PDFBox's decoded-stream cache lives in temporary files in
 * a private folder under the scratch directory, which is deleted whatever happens.
 */
final class PdfConversion {

    /**
     * The largest PDF converted (README, "Large files"). PDFBox keeps the document's object tree
     * and the extracted text in heap (the text is one string, then the page body): past this,
     * a PDF of text-heavy pages could exhaust a default heap instead of failing with one line.
     */
    static final long MAX_BYTES = 256L * 1024 * 1024;

    private PdfConversion() {
    }

    static Converted convert(Path file, String stem, Path scratchDir) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw KbException.inputFailed("PDF of " + Sizes.format(size) + " is larger than kb converts ("
                        + Sizes.format(MAX_BYTES) + ")");
            }
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read PDF: " + Causes.oneLine(e), e);
        }
        Path scratch;
        try {
            scratch = Files.createTempDirectory(scratchDir, "pdf-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder in " + scratchDir, e);
        }
        try {
            return extract(file, stem, scratch);
        } finally {
            deleteTree(scratch);
        }
    }

    private static Converted extract(Path file, String stem, Path scratch) {
        MemoryUsageSetting cache = MemoryUsageSetting.setupTempFileOnly().setTempDir(scratch.toFile());
        try (RandomAccessReadBufferedFile in = new RandomAccessReadBufferedFile(file);
             PDDocument document = Loader.loadPDF(in, "", cache.streamCache)) {
            int pages = document.getNumberOfPages();
            PDFTextStripper stripper = new PDFTextStripper();
            StringBuilder markdown = new StringBuilder();
            String firstLine = null;
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(document).replace("\r\n", "\n").strip();
                if (firstLine == null) {
                    firstLine = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
                }
                if (page > 1) {
                    markdown.append('\n');
                }
                markdown.append("<!-- page ").append(page).append(" -->\n\n");
                if (!text.isEmpty()) {
                    markdown.append(PlainText.toMarkdown(text)).append('\n');
                }
            }
            if (firstLine == null) {
                throw KbException.inputFailed("PDF has no extractable text (scanned images?)");
            }

            PDDocumentInformation info = document.getDocumentInformation();
            String infoTitle = ConverterText.normalizeSpace(info.getTitle());
            String title = !ConverterText.isBlank(infoTitle) ? infoTitle : PdfTitle.largestTextOnFirstPage(document);
            if (ConverterText.isBlank(title)) {
                title = firstLine;
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            String author = ConverterText.normalizeSpace(info.getAuthor());
            if (!ConverterText.isBlank(author)) {
                metadata.put("author", author);
            }
            metadata.put("pages", pages);
            List<String> warnings = new ArrayList<>();
            return new Converted(title, markdown.toString(), metadata, warnings);
        } catch (InvalidPasswordException e) {
            throw KbException.inputFailed("PDF is encrypted", e);
        } catch (IOException e) {
            throw KbException.inputFailed("not a readable PDF: " + Causes.oneLine(e), e);
        } catch (RuntimeException e) {
            if (e instanceof KbException) {
                throw e;
            }
            // PDFBox on a damaged file can fail with unchecked exceptions from deep in a parser.
            throw KbException.inputFailed("not a readable PDF: " + Causes.oneLine(e), e);
        }
    }

    /** Best effort: a scratch file PDFBox still holds open must not turn success into failure. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left for the caller's cleanup of the whole scratch directory
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
