package dev.kb.core.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Decides what a file is from its first bytes. The bytes decide; a declared type (an HTTP
 * Content-Type, which servers often get wrong) and a file name only break ties between kinds
 * the bytes cannot tell apart, such as Markdown and plain text.
 */
public final class Sniffer {

    /** How many leading bytes {@link #sniff(Path, String, String)} reads. */
    public static final int HEAD_SIZE = 8192;

    private static final JsonFactory JSON = new JsonFactory();

    /** Markup that only an HTML document starts with: HTML whatever the name says. */
    private static final List<String> STRONG_MARKUP = List.of("<!doctype html", "<html", "<head", "<body");

    /**
     * Tags a page fragment may start with. A Markdown file may start with them too (a README
     * opening with {@code <p align="center">}), so a Markdown name or type keeps it Markdown.
     */
    private static final List<String> WEAK_MARKUP = List.of(
            "<!doctype", "<!--", "<p", "<div", "<title", "<meta", "<link", "<script", "<style",
            "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<table", "<ul", "<ol", "<a ", "<br", "<span",
            "<article", "<section", "<main", "<header", "<nav", "<img", "<pre", "<form", "<iframe",
            "<center", "<font", "<b>", "<i>", "<em>", "<strong>");

    private Sniffer() {
    }

    /** Sniffs a file by its first {@link #HEAD_SIZE} bytes. */
    public static Sniffed sniff(Path file, String declaredContentType, String fileName) throws IOException {
        byte[] head = new byte[HEAD_SIZE];
        int length;
        try (InputStream in = Files.newInputStream(file)) {
            length = in.readNBytes(head, 0, head.length);
        }
        return sniff(head, length, declaredContentType, fileName);
    }

    /**
     * Sniffs the first {@code length} bytes of some content.
     *
     * @param declaredContentType e.g. "text/html; charset=utf-8", or null
     * @param fileName            the name or URL path the content came under, or null
     */
    public static Sniffed sniff(byte[] head, int length, String declaredContentType, String fileName) {
        String declared = mediaType(declaredContentType);
        String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);

        if (indexOf(head, length, "%PDF-", 1024) >= 0) {
            return Sniffed.of(ContentKind.PDF);
        }
        Sniffed magic = magic(head, length);
        if (magic != null) {
            return magic;
        }

        int start = startsWith(head, length, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}) ? 3 : 0;
        String text;
        boolean utf16 = false;
        if (startsWith(head, length, 0, new byte[] {(byte) 0xFE, (byte) 0xFF})
                || startsWith(head, length, 0, new byte[] {(byte) 0xFF, (byte) 0xFE})) {
            // UTF-16 is full of NULs, but jsoup reads UTF-16 HTML by its BOM, so look at the text.
            text = new String(head, 0, length, StandardCharsets.UTF_16);
            utf16 = true;
        } else {
            text = new String(head, start, length - start, StandardCharsets.ISO_8859_1);
        }
        // Only markup is matched without regard to case; lower-casing the whole head (8 KB) of
        // every other file was a third of the time sniffing took (perf, corpus add).
        String lead = text.stripLeading();
        if (lead.startsWith("<")) {
            lead = lead.toLowerCase(Locale.ROOT);
        }
        boolean markdownNamed = name.endsWith(".md") || name.endsWith(".markdown")
                || declared.equals("text/markdown") || declared.equals("text/x-markdown");

        if (lead.startsWith("<")) {
            if (STRONG_MARKUP.stream().anyMatch(lead::startsWith) || isXhtml(lead)) {
                return Sniffed.of(ContentKind.HTML);
            }
            if (lead.startsWith("<svg") || (lead.startsWith("<?xml") && lead.contains("<svg"))) {
                return Sniffed.of(ContentKind.IMAGE, "SVG");
            }
            if (!markdownNamed && WEAK_MARKUP.stream().anyMatch(lead::startsWith)) {
                return Sniffed.of(ContentKind.HTML);
            }
        }
        if (utf16) {
            // Text with a UTF-16 byte-order mark (what Windows tools such as PowerShell 5 write):
            // text if it decodes to characters, never NULs; the name breaks the tie as below.
            if (text.indexOf('\0') >= 0) {
                return Sniffed.of(ContentKind.BINARY);
            }
            if (markdownNamed) {
                return Sniffed.of(ContentKind.MARKDOWN);
            }
            if (name.endsWith(".html") || name.endsWith(".htm") || declared.equals("text/html")) {
                return Sniffed.of(ContentKind.HTML);
            }
            return name.endsWith(".txt") || name.endsWith(".text") || declared.equals("text/plain")
                    ? Sniffed.of(ContentKind.TEXT) : Sniffed.of(ContentKind.MARKDOWN);
        }
        if (indexOf(head, length, "\0", length) >= 0) {
            return Sniffed.of(ContentKind.BINARY);
        }
        boolean htmlNamed = declared.equals("text/html") || declared.equals("application/xhtml+xml")
                || name.endsWith(".html") || name.endsWith(".htm") || name.endsWith(".xhtml");
        if (!validUtf8(head, start, length)) {
            // An HTML page may be in any charset (windows-1252, Shift_JIS, ...): the HTML
            // converter finds it as browsers do. Other text must be UTF-8.
            return htmlNamed && !markdownNamed ? Sniffed.of(ContentKind.HTML) : Sniffed.of(ContentKind.BINARY, "not UTF-8");
        }
        if ((lead.startsWith("{") || lead.startsWith("[")) && looksLikeJson(head, start, length)) {
            return Sniffed.of(ContentKind.JSON);
        }
        if (declared.equals("application/json") || declared.endsWith("+json")) {
            return Sniffed.of(ContentKind.JSON);
        }
        if (markdownNamed) {
            return Sniffed.of(ContentKind.MARKDOWN);
        }
        if (htmlNamed) {
            return Sniffed.of(ContentKind.HTML);
        }
        if (name.endsWith(".txt") || name.endsWith(".text") || declared.equals("text/plain")) {
            return Sniffed.of(ContentKind.TEXT);
        }
        // Text with nothing to break the tie: Markdown is a superset of plain text for our purposes.
        return Sniffed.of(ContentKind.MARKDOWN);
    }

    private static Sniffed magic(byte[] h, int n) {
        if (startsWith(h, n, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) {
            return Sniffed.of(ContentKind.IMAGE, "PNG");
        }
        if (startsWith(h, n, 0, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return Sniffed.of(ContentKind.IMAGE, "JPEG");
        }
        if (startsWith(h, n, 0, ascii("GIF87a")) || startsWith(h, n, 0, ascii("GIF89a"))) {
            return Sniffed.of(ContentKind.IMAGE, "GIF");
        }
        if (startsWith(h, n, 0, ascii("RIFF")) && startsWith(h, n, 8, ascii("WEBP"))) {
            return Sniffed.of(ContentKind.IMAGE, "WebP");
        }
        if (startsWith(h, n, 0, new byte[] {'P', 'K', 3, 4})) {
            return Sniffed.of(ContentKind.BINARY, "ZIP");
        }
        if (startsWith(h, n, 0, new byte[] {0x1F, (byte) 0x8B})) {
            return Sniffed.of(ContentKind.BINARY, "gzip");
        }
        return null;
    }

    private static boolean isXhtml(String lead) {
        return lead.startsWith("<?xml") && lead.contains("<html");
    }

    /**
     * Whether the head is the start of a JSON value: it tokenizes without error, or runs out of
     * input (the head may cut a document short). Markdown such as "[link](x)" fails at once.
     */
    private static boolean looksLikeJson(byte[] head, int start, int length) {
        try (JsonParser parser = JSON.createParser(head, start, length - start)) {
            while (parser.nextToken() != null) {
                // tokenize to the end
            }
            return true;
        } catch (JsonEOFException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Valid UTF-8, allowing an incomplete sequence at the very end where the head was cut. */
    private static boolean validUtf8(byte[] head, int start, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(head, start, length - start);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, out, false);
        return !result.isError() && in.remaining() < 4;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        String type = semicolon >= 0 ? contentType.substring(0, semicolon) : contentType;
        return type.strip().toLowerCase(Locale.ROOT);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] h, int n, int offset, byte[] prefix) {
        if (offset + prefix.length > n) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (h[offset + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] h, int n, String needle, int within) {
        byte[] b = ascii(needle);
        int last = Math.min(n, within) - b.length;
        for (int i = 0; i <= last; i++) {
            if (startsWith(h, n, i, b)) {
                return i;
            }
        }
        return -1;
    }
}
