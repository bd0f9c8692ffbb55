package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfConversionTest {

    private static final Pattern MARKER = Pattern.compile("(?m)^<!-- page (\\d+) -->$");

    @TempDir
    Path dir;

    Path scratch;

    @BeforeEach
    void makeScratch() throws IOException {
        scratch = Files.createDirectory(dir.resolve("scratch"));
    }

    /** Writes a PDF whose pages carry the given lines of text (an empty array: a blank page). */
    private Path textPdf(String name, String title, String[]... pages) throws IOException {
        Path file = dir.resolve(name);
        try (PDDocument doc = new PDDocument()) {
            for (String[] lines : pages) {
                PDPage page = new PDPage();
                doc.addPage(page);
                if (lines.length == 0) {
                    continue;
                }
                try (PDPageContentStream out = new PDPageContentStream(doc, page)) {
                    out.beginText();
                    out.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    out.setLeading(16);
                    out.newLineAtOffset(72, 700);
                    for (String line : lines) {
                        out.showText(line);
                        out.newLine();
                    }
                    out.endText();
                }
            }
            if (title != null) {
                doc.getDocumentInformation().setTitle(title);
            }
            doc.save(file.toFile());
        }
        return file;
    }

    private Converted convert(Path file) {
        return Converter.convert(ContentKind.PDF, file, "stem", null, scratch);
    }

    private KbException failure(Path file) {
        KbException e = assertThrows(KbException.class, () -> convert(file));
        assertEquals(KbException.Kind.INPUT_FAILED, e.kind());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private void assertScratchEmpty() throws IOException {
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList(), "nothing left in the scratch directory");
        }
    }

    private static List<Integer> markers(String markdown) {
        Matcher m = MARKER.matcher(markdown);
        List<Integer> pages = new java.util.ArrayList<>();
        while (m.find()) {
            pages.add(Integer.parseInt(m.group(1)));
        }
        return pages;
    }

    @Test
    void threePagesWithTitleMetadata() throws IOException {
        Path file = textPdf("three.pdf", "Report on Rivers",
                new String[] {"First page heading", "alpha text"},
                new String[] {"beta text"},
                new String[] {"gamma text"});
        assertEquals(ContentKind.PDF, Sniffer.sniff(file, "application/octet-stream", "three.bin").kind());

        Converted c = convert(file);

        assertEquals("Report on Rivers", c.title());
        assertEquals(3, c.metadata().get("pages"));
        assertEquals(List.of(1, 2, 3), markers(c.markdown()));
        String md = c.markdown();
        assertTrue(md.startsWith("<!-- page 1 -->\n\nFirst page heading\nalpha text\n\n<!-- page 2 -->\n\nbeta text\n"), md);
        assertTrue(md.indexOf("alpha") < md.indexOf("<!-- page 2 -->") && md.indexOf("gamma") > md.indexOf("<!-- page 3 -->"), md);
        assertEquals(List.of(), c.warnings());
        assertScratchEmpty();
    }

    @Test
    void titleFallsBackToTheFirstLineOfText() throws IOException {
        Converted c = convert(textPdf("untitled.pdf", "  ", new String[] {}, new String[] {"  Opening line", "more"}));
        assertEquals("Opening line", c.title());
        assertEquals(List.of(1, 2), markers(c.markdown()), "an empty page keeps its marker");
    }

    @Test
    void withoutInfoTitleTheLargestUprightTextOnPageOneIsTheTitle() throws IOException {
        Path file = dir.resolve("paper.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            try (PDPageContentStream out = new PDPageContentStream(doc, page)) {
                text(out, font, 9, 72, 740, "Permission notice in small print");
                text(out, font, 20, 72, 700, "A Large Title");
                text(out, font, 20, 72, 676, "Over Two Lines");
                text(out, font, 11, 72, 640, "Body text set in the ordinary size, long enough to be the body.");
                text(out, font, 11, 72, 626, "More body text in the ordinary size for the majority of characters.");
                // A rotated margin stamp in a bigger font must not win.
                out.beginText();
                out.setFont(font, 30);
                out.setTextMatrix(org.apache.pdfbox.util.Matrix.getRotateInstance(Math.PI / 2, 30, 200));
                out.showText("stamp 1234");
                out.endText();
            }
            doc.save(file.toFile());
        }
        Converted c = convert(file);
        assertEquals("A Large Title Over Two Lines", c.title());
        assertTrue(c.markdown().contains("Permission notice"), c.markdown());
    }

    private static void text(PDPageContentStream out, PDType1Font font, float size, float x, float y, String s) throws IOException {
        out.beginText();
        out.setFont(font, size);
        out.newLineAtOffset(x, y);
        out.showText(s);
        out.endText();
    }

    /**
     * One load serves the front matter and the body: the document (and the scratch folder its
     * buffers spill to) stays open between the two, and goes when the conversion is closed,
     * whether its body was written or not.
     */
    @Test
    void anOpenConversionHoldsItsScratchFolderUntilClosed() throws IOException {
        Path file = textPdf("two.pdf", "Two Pages", new String[] {"first page"}, new String[] {"second page"});
        String whole = convert(file).markdown();
        assertScratchEmpty();

        Conversion unwritten = PdfConversion.open(file, "stem", scratch);
        try (Stream<Path> held = Files.list(scratch)) {
            assertEquals(1, held.count(), "the loaded PDF's scratch folder");
        }
        unwritten.close();
        assertScratchEmpty();
        unwritten.close(); // twice is harmless

        StringBuilder body = new StringBuilder();
        try (Conversion c = PdfConversion.open(file, "stem", scratch)) {
            assertEquals("Two Pages", c.title());
            c.writeBody(body);
        }
        assertEquals(whole, body.toString(), "the body from the one load is the body a fresh load gives");
        assertScratchEmpty();
    }

    @Test
    void pdfBoxLogsNothing() {
        // PDFBox logs through commons-logging, which finds SLF4J and its no-op binding: warnings
        // about damaged files must never reach the user's stderr.
        assertFalse(org.apache.commons.logging.LogFactory.getLog("org.apache.pdfbox.pdfparser.COSParser").isWarnEnabled());
        assertFalse(org.apache.commons.logging.LogFactory.getLog("org.apache.fontbox.ttf.TTFParser").isErrorEnabled());
    }

    @Test
    void encryptedPdfNeedingAPasswordFails() throws IOException {
        Path file = textPdf("plain.pdf", "Secret", new String[] {"hidden text"});
        Path encrypted = dir.resolve("encrypted.pdf");
        try (PDDocument doc = org.apache.pdfbox.Loader.loadPDF(file.toFile())) {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-pw", "user-pw", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(encrypted.toFile());
        }
        assertEquals("PDF is encrypted", failure(encrypted).getMessage());
        assertScratchEmpty();
    }

    @Test
    void pdfWithOnlyAnOwnerPasswordStillConverts() throws IOException {
        Path file = textPdf("plain.pdf", null, new String[] {"readable text"});
        Path restricted = dir.resolve("restricted.pdf");
        try (PDDocument doc = org.apache.pdfbox.Loader.loadPDF(file.toFile())) {
            doc.protect(new StandardProtectionPolicy("owner-pw", "", new AccessPermission()));
            doc.save(restricted.toFile());
        }
        assertTrue(convert(restricted).markdown().contains("readable text"));
    }

    @Test
    void pdfWithoutTextFails() throws IOException {
        Path blank = textPdf("blank.pdf", "Blank", new String[] {}, new String[] {});
        assertEquals("PDF has no extractable text (scanned images?)", failure(blank).getMessage());

        Path scanned = dir.resolve("scanned.pdf");
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            BufferedImage image = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
            PDImageXObject xobject = LosslessFactory.createFromImage(doc, image);
            try (PDPageContentStream out = new PDPageContentStream(doc, page)) {
                out.drawImage(xobject, 72, 600, 200, 100);
            }
            doc.save(scanned.toFile());
        }
        assertEquals("PDF has no extractable text (scanned images?)", failure(scanned).getMessage());
        assertScratchEmpty();
    }

    @Test
    void garbageAfterAPdfHeaderFails() throws IOException {
        Path garbage = dir.resolve("garbage.pdf");
        byte[] noise = new byte[4096];
        new java.util.Random(42).nextBytes(noise);
        byte[] bytes = ("%PDF-1.7\n" + "x".repeat(10)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(garbage, bytes);
        Files.write(garbage, noise, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(failure(garbage).getMessage().startsWith("not a readable PDF: "));

        Path empty = Files.write(dir.resolve("empty.pdf"), new byte[0]);
        assertTrue(failure(empty).getMessage().startsWith("not a readable PDF: "));
        assertScratchEmpty();
    }

    @Test
    void truncatedPdfFailsOrRecoversButNeverEscapesAsAnotherException() throws IOException {
        Path whole = textPdf("whole.pdf", "Whole", new String[] {"some text on page one"}, new String[] {"page two"});
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("truncated.pdf"), Arrays.copyOf(bytes, bytes.length / 3));
        try {
            Converted c = convert(truncated);
            assertFalse(c.markdown().isBlank());
        } catch (KbException e) {
            assertEquals(KbException.Kind.INPUT_FAILED, e.kind());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertScratchEmpty();
    }

    @Test
    void theAttentionPaper() throws IOException {
        Path paper = Corpus.require("pdf", "PdfConversionTest.theAttentionPaper").resolve("attention-is-all-you-need.pdf");
        Converted c = convert(paper);
        assertEquals(15, c.metadata().get("pages"));
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 15).boxed().toList(), markers(c.markdown()));
        assertTrue(c.markdown().contains("Attention"));
        assertTrue(c.title().contains("Attention"), "title: " + c.title());
        assertScratchEmpty();
    }
}
