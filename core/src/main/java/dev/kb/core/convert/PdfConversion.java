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
     * Loads the PDF once, reads what the page's front matter needs (title, author, pages) and
     * checks it has text; the body is extracted page by page as it is written, from the same
     * loaded document, so only one page's text is held at a time (a PDF's text, held whole, can
     * be many times its file size: compressed content streams). The document stays open until
     * the body is written or the conversion is closed, and {@code scratchDir} must exist until then.
     *
     * <p>One load, not one for the front matter and one for the body: parsing the file and its
     * fonts again cost a fifth of a PDF's conversion. The first page is stripped once, for its
     * first line, its title and its part of the body alike.
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
        Loaded pdf = Loaded.load(file, scratchDir);
        boolean handedOver = false;
        try {
            Map<String, Object> metadata = new LinkedHashMap<>();
            String[] firstPage = new String[1];
            String title = pdf.read(document -> {
                int pages = document.getNumberOfPages();
                String firstLine = null;
                String largest = null;
                if (pages > 0) {
                    PdfTitle.RunsStripper first = new PdfTitle.RunsStripper();
                    firstPage[0] = pageText(first, document, 1);
                    largest = first.largestText();
                    firstLine = firstLine(firstPage[0]);
                }
                PDFTextStripper stripper = new PDFTextStripper();
                for (int page = 2; page <= pages && firstLine == null; page++) {
                    firstLine = firstLine(pageText(stripper, document, page));
                }
                if (firstLine == null) {
                    throw KbException.inputFailed("PDF has no extractable text (scanned images?)");
                }
                PDDocumentInformation info = document.getDocumentInformation();
                String infoTitle = ConverterText.normalizeSpace(info.getTitle());
                String t = !ConverterText.isBlank(infoTitle) ? infoTitle : largest;
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
            Conversion c = Conversion.closing(title, metadata, OwnFrontMatter.NONE, List.of(), out -> {
                try (pdf) {
                    pdf.read(document -> {
                        writeBody(document, firstPage[0], out);
                        return null;
                    });
                } catch (SinkFailure e) {
                    throw e.getCause(); // writing the page failed (a full disk), not reading the PDF
                }
            }, pdf);
            handedOver = true;
            return c;
        } finally {
            if (!handedOver) {
                pdf.close(); // whatever ended the front matter's pass, a StackOverflowError included
            }
        }
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
    }

    /** The page's writer failed: passed through {@link Loaded#read}, which would call it an unreadable PDF. */
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

    /**
     * Every page: its marker, then its text escaped, then a blank line before the next marker.
     * The first page's text is the one the front matter's pass already stripped.
     */
    private static void writeBody(PDDocument document, String firstPage, Appendable out) throws IOException {
        int pages = document.getNumberOfPages();
        PDFTextStripper stripper = new PDFTextStripper();
        StringBuilder b = new StringBuilder();
        for (int page = 1; page <= pages; page++) {
            String text = page == 1 && firstPage != null ? firstPage : pageText(stripper, document, page);
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

    /**
     * A loaded PDF, with its buffers in a private folder under the scratch directory: the folder
     * and the file handle go when it is closed, whatever happened.
     */
    private static final class Loaded implements AutoCloseable {
        private final Path scratch;
        private final RandomAccessReadBufferedFile in;
        private final PDDocument document;
        private boolean closed;

        private Loaded(Path scratch, RandomAccessReadBufferedFile in, PDDocument document) {
            this.scratch = scratch;
            this.in = in;
            this.document = document;
        }

        static Loaded load(Path file, Path scratchDir) {
            RuntimeSetup.ensure(); // PDFBox's font cache must go to kb's cache directory, not the home
            Path scratch;
            try {
                scratch = Files.createTempDirectory(scratchDir, "pdf-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a scratch folder in " + scratchDir, e);
            }
            RandomAccessReadBufferedFile in = null;
            Loaded loaded = null;
            try {
                MemoryUsageSetting cache = MemoryUsageSetting.setupTempFileOnly().setTempDir(scratch.toFile());
                in = new RandomAccessReadBufferedFile(file);
                RandomAccessReadBufferedFile source = in;
                PDDocument document = mapped(() -> Loader.loadPDF(source, "", cache.streamCache));
                loaded = new Loaded(scratch, in, document);
                return loaded;
            } catch (IOException e) {
                throw KbException.inputFailed("not a readable PDF: " + Causes.oneLine(e), e);
            } finally {
                if (loaded == null) { // an Error too (a parser's StackOverflowError): nothing stays open
                    closeQuietly(in);
                    deleteTree(scratch);
                }
            }
        }

        /** {@code work} on the document, PDFBox's failures made one-line input failures. */
        <T> T read(WithDocument<T> work) {
            return mapped(() -> work.apply(document));
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(document);
            closeQuietly(in);
            deleteTree(scratch);
        }

        private static void closeQuietly(AutoCloseable c) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // read only: nothing is lost, and the scratch folder goes with the staging area
                }
            }
        }
    }

    @FunctionalInterface
    private interface PdfWork<T> {
        T get() throws IOException;
    }

    private static <T> T mapped(PdfWork<T> work) {
        try {
            return work.get();
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
