package dev.kb.core.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kb.core.KbException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnifferTest {

    private static Sniffed sniff(String text, String declared, String name) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Sniffer.sniff(bytes, bytes.length, declared, name);
    }

    private static Sniffed sniff(byte[] bytes, String declared, String name) {
        return Sniffer.sniff(bytes, bytes.length, declared, name);
    }

    @Test
    void pdfMagicWinsOverDeclaredTypeAndName() {
        assertEquals(ContentKind.PDF, sniff("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj", "application/octet-stream", "download.bin").kind());
        assertEquals(ContentKind.PDF, sniff("%PDF-1.4\n", "text/html", "page.html").kind());
    }

    @Test
    void markupWinsOverDeclaredPdf() {
        assertEquals(ContentKind.HTML, sniff("<!DOCTYPE html><html><body>x</body></html>", "application/pdf", "paper.pdf").kind());
        assertEquals(ContentKind.HTML, sniff("\uFEFF  \n<html lang=en>", null, "x.pdf").kind());
        assertEquals(ContentKind.HTML, sniff("<!-- saved page -->\n<div>hi</div>", "application/pdf", null).kind());
        assertEquals(ContentKind.HTML, sniff("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">", null, null).kind());
    }

    @Test
    void markdownNameKeepsAFragmentStartingWithATagMarkdown() {
        assertEquals(ContentKind.MARKDOWN, sniff("<p align=\"center\"><img src=logo.png></p>\n\n# Project", null, "README.md").kind());
        assertEquals(ContentKind.HTML, sniff("<p align=\"center\"><img src=logo.png></p>", null, "fragment").kind());
        // A full document is HTML even under a Markdown name: the bytes decide.
        assertEquals(ContentKind.HTML, sniff("<!doctype html><title>t</title>", "text/markdown", "notes.md").kind());
    }

    @Test
    void jsonByContentOrByDeclaredType() {
        assertEquals(ContentKind.JSON, sniff("{\"a\": [1, 2, {\"b\": null}]}", null, "data.md").kind());
        assertEquals(ContentKind.JSON, sniff("  [1, 2, 3]", "text/plain", null).kind());
        assertEquals(ContentKind.JSON, sniff("just words", "application/json; charset=utf-8", null).kind());
        assertEquals(ContentKind.JSON, sniff("words", "application/ld+json", null).kind());
        // Markdown that happens to open with a bracket is not JSON.
        assertEquals(ContentKind.MARKDOWN, sniff("[link](http://example.com) and text", null, null).kind());
        assertEquals(ContentKind.MARKDOWN, sniff("[1, 2] are numbers", null, "list.md").kind());
    }

    @Test
    void jsonCutOffByTheHeadIsStillJson() {
        StringBuilder big = new StringBuilder("{\"items\": [");
        while (big.length() < Sniffer.HEAD_SIZE * 2) {
            big.append("\"some value\", ");
        }
        byte[] all = big.toString().getBytes(StandardCharsets.UTF_8);
        assertEquals(ContentKind.JSON, Sniffer.sniff(all, Sniffer.HEAD_SIZE, null, null).kind());
    }

    @Test
    void imagesByMagicWhateverTheyAreCalled() {
        assertEquals(new Sniffed(ContentKind.IMAGE, "PNG"),
                sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0}, "text/html", "a.html"));
        assertEquals(new Sniffed(ContentKind.IMAGE, "JPEG"),
                sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10}, "text/markdown", "a.md"));
        assertEquals(new Sniffed(ContentKind.IMAGE, "GIF"), sniff("GIF89a\u0001\u0000", null, "a.txt"));
        assertEquals(new Sniffed(ContentKind.IMAGE, "WebP"), sniff("RIFF\u0024\u0000\u0000\u0000WEBPVP8 ", null, null));
        assertEquals(new Sniffed(ContentKind.IMAGE, "SVG"), sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", null, null));
        assertEquals("png", sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, null, null).extension());
    }

    @Test
    void binaryWhenNulBytesOrInvalidUtf8() {
        assertEquals(ContentKind.BINARY, sniff(new byte[] {'a', 'b', 0, 'c'}, "text/plain", "a.txt").kind());
        assertEquals(new Sniffed(ContentKind.BINARY, "not UTF-8"), sniff(new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'x'}, "text/markdown", "a.md"));
        assertEquals(new Sniffed(ContentKind.BINARY, "gzip"), sniff(new byte[] {0x1F, (byte) 0x8B, 8, 0}, null, "a.md"));
        assertEquals(new Sniffed(ContentKind.BINARY, "ZIP"), sniff(new byte[] {'P', 'K', 3, 4, 20, 0}, null, "a.md"));
    }

    @Test
    void utf16TextWithAByteOrderMarkIsTextTieBrokenByName() {
        byte[] le = "\uFEFF# Notes from PowerShell\r\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] be = "\uFEFFplain".getBytes(StandardCharsets.UTF_16BE);
        assertEquals(ContentKind.MARKDOWN, sniff(le, null, "notes.md").kind());
        assertEquals(ContentKind.TEXT, sniff(be, null, "notes.txt").kind());
        assertEquals(ContentKind.MARKDOWN, sniff(be, null, null).kind());
        assertEquals(ContentKind.HTML, sniff("\uFEFF<html><body>x".getBytes(StandardCharsets.UTF_16LE), null, "a.md").kind());
        byte[] nul = {(byte) 0xFF, (byte) 0xFE, 0, 0, 'a', 0};
        assertEquals(ContentKind.BINARY, sniff(nul, null, "a.txt").kind(), "a NUL character is not text");
    }

    @Test
    void utf8CutMidCharacterAtTheEndOfTheHeadIsStillText() {
        byte[] euro = "price: 5 €".getBytes(StandardCharsets.UTF_8);
        assertEquals(ContentKind.TEXT, Sniffer.sniff(euro, euro.length - 1, null, "a.txt").kind());
    }

    @Test
    void textKindsAreTieBrokenByNameThenDeclaredType() {
        assertEquals(ContentKind.MARKDOWN, sniff("# Title\n\ntext", null, "notes.md").kind());
        assertEquals(ContentKind.MARKDOWN, sniff("plain", null, "NOTES.MARKDOWN").kind());
        assertEquals(ContentKind.MARKDOWN, sniff("plain", "text/markdown", null).kind());
        // A raw .md served as text/plain is still Markdown.
        assertEquals(ContentKind.MARKDOWN, sniff("# x", "text/plain", "README.md").kind());
        assertEquals(ContentKind.TEXT, sniff("plain", null, "notes.txt").kind());
        assertEquals(ContentKind.TEXT, sniff("plain", "text/plain; charset=UTF-8", null).kind());
        assertEquals(ContentKind.HTML, sniff("Some text before any tag <b>x</b>", "text/html", null).kind());
        assertEquals(ContentKind.MARKDOWN, sniff("no hints at all", null, null).kind());
        assertEquals(ContentKind.MARKDOWN, sniff("", null, null).kind());
    }

    @Test
    void unsupportedKindsRefuseWithTheDetectedType() {
        KbException e = assertThrows(KbException.class, () -> new Sniffed(ContentKind.IMAGE, "PNG").requireSupported());
        assertEquals("unsupported content: image (PNG)", e.getMessage());
        assertEquals(KbException.Kind.INPUT_FAILED, e.kind());
        assertEquals("unsupported content: JSON",
                assertThrows(KbException.class, () -> sniff("{}", null, null).requireSupported()).getMessage());
        assertEquals(ContentKind.PDF, sniff("%PDF-1.1", null, null).requireSupported().kind());
    }

    @Test
    void sniffsAFileByItsHead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("page");
        Files.writeString(file, "<html><body>" + "x".repeat(100_000) + "</body></html>");
        assertEquals(ContentKind.HTML, Sniffer.sniff(file, null, null).kind());
        Path empty = Files.createFile(dir.resolve("empty.txt"));
        assertEquals(ContentKind.TEXT, Sniffer.sniff(empty, null, "empty.txt").kind());
    }
}
