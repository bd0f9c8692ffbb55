package dev.kb.core.convert;

import dev.kb.core.KbException;
import dev.kb.core.fs.RuntimeSetup;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Sizes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The whole conversion in memory: for tests. */
    static Converted convert(Path file, String stem, Path scratchDir) {
        return open(file, stem, scratchDir).toConverted();
    }

    /**
     * Reads what the page's front matter needs (title, author, pages) and checks the PDF has
     * text; the body is extracted again, page by page, when it is written, so only one page's
     * text is held at a time: a PDF's text, held whole, can be many times its file size
     * (compressed content streams). {@code scratchDir} must still exist then.
     */
    static Conversion open(Path file, String stem, Path scratchDir) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw KbException.inputFailed("PDF of " + Sizes.format(size) + " is larger than kb converts ("
                        + Sizes.format(MAX_BYTES) + ")");
            }
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read PDF: " + Causes.oneLine(e), e);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        String title = withDocument(file, scratchDir, document -> {
            int pages = document.getNumberOfPages();
            PDFTextStripper stripper = new PDFTextStripper();
            String firstLine = null;
            for (int page = 1; page <= pages && firstLine == null; page++) {
                firstLine = pageText(stripper, document, page).lines().map(String::strip).filter(l -> !l.isEmpty())
                        .findFirst().orElse(null);
            }
            if (firstLine == null) {
                throw KbException.inputFailed("PDF has no extractable text (scanned images?)");
            }
            PDDocumentInformation info = document.getDocumentInformation();
            String infoTitle = ConverterText.normalizeSpace(info.getTitle());
            String t = !ConverterText.isBlank(infoTitle) ? infoTitle : PdfTitle.largestTextOnFirstPage(document);
            if (ConverterText.isBlank(t)) {
                t = firstLine;
            }
            String author = ConverterText.normalizeSpace(info.getAuthor());
            if (!ConverterText.isBlank(author)) {
                metadata.put("author", author);
            }
            metadata.put("pages", pages);
            return t;
        });
        return new Conversion(title, metadata, OwnFrontMatter.NONE, List.of(), out -> {
            try {
                withDocument(file, scratchDir, document -> {
                    writeBody(document, out);
                    return null;
                });
            } catch (SinkFailure e) {
                throw e.getCause(); // writing the page failed (a full disk), not reading the PDF
            }
        });
    }

    /** The page's writer failed: passed through withDocument, which would call it an unreadable PDF. */
    private static final class SinkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SinkFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Every page: its marker, then its text escaped, then a blank line before the next marker. */
    private static void writeBody(PDDocument document, Appendable out) throws IOException {
        int pages = document.getNumberOfPages();
        PDFTextStripper stripper = new PDFTextStripper();
        StringBuilder b = new StringBuilder();
        for (int page = 1; page <= pages; page++) {
            String text = pageText(stripper, document, page);
            b.setLength(0);
            if (page > 1) {
                b.append('\n');
            }
            b.append("<!-- page ").append(page).append(" -->\n\n");
            if (!text.isEmpty()) {
                b.append(PlainText.toMarkdown(text)).append('\n');
            }
            // PlainText leaves no bracket or tag unescaped; the pass is what every kind gets
            try {
                out.append(ActiveLinks.neutralise(b.toString()));
            } catch (IOException e) {
                throw new SinkFailure(e);
            }
        }
    }

    private static String pageText(PDFTextStripper stripper, PDDocument document, int page) throws IOException {
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        return stripper.getText(document).replace("\r\n", "\n").strip();
    }

    @FunctionalInterface
    private interface WithDocument<T> {
        T apply(PDDocument document) throws IOException;
    }

    /** Loads the PDF with its buffers in a private folder under {@code scratchDir}, removed after. */
    private static <T> T withDocument(Path file, Path scratchDir, WithDocument<T> work) {
        RuntimeSetup.ensure(); // PDFBox's font cache must go to kb's cache directory, not the home
        Path scratch;
        try {
            scratch = Files.createTempDirectory(scratchDir, "pdf-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder in " + scratchDir, e);
        }
        MemoryUsageSetting cache = MemoryUsageSetting.setupTempFileOnly().setTempDir(scratch.toFile());
        try (RandomAccessReadBufferedFile in = new RandomAccessReadBufferedFile(file);
             PDDocument document = Loader.loadPDF(in, "", cache.streamCache)) {
            return work.apply(document);
        } catch (InvalidPasswordException e) {
            throw KbException.inputFailed("PDF is encrypted", e);
        } catch (IOException e) {
            throw KbException.inputFailed("not a readable PDF: " + Causes.oneLine(e), e);
        } catch (RuntimeException e) {
            if (e instanceof KbException || e instanceof SinkFailure) {
                throw e;
            }
            // PDFBox on a damaged file can fail with unchecked exceptions from deep in a parser.
            throw KbException.inputFailed("not a readable PDF: " + Causes.oneLine(e), e);
        } finally {
            deleteTree(scratch);
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
