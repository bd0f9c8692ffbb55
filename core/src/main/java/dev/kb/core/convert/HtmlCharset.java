package dev.kb.core.convert;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The character encoding of an HTML page, decided in the order browsers use (the WHATWG
 * encoding-sniffing algorithm): a byte-order mark; the charset of the HTTP Content-Type; a
 * {@code <meta charset>}, {@code <meta http-equiv="Content-Type">} or XML declaration in the
 * first {@link #PRESCAN} bytes; then detection from the bytes themselves by Mozilla's universal
 * charset detector (juniversalchardet). Without this, a windows-1252 page that declares nothing
 * was read as UTF-8 and every accented letter became U+FFFD.
 *
 * <p>Labels are read as browsers read them: "iso-8859-1", "latin1" and "us-ascii" mean
 * windows-1252 (its superset, which pages labelled so really use), and a {@code <meta>} that
 * claims UTF-16 means UTF-8 (a page whose bytes were UTF-16 would have had a byte-order mark).
 */
final class HtmlCharset {

    /** How much of the page the {@code <meta>} prescan reads (browsers: 1024; jsoup: 5,120). */
    static final int PRESCAN = 8192;

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** WHATWG labels whose Java meaning differs from what browsers decode. */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("iso-8859-1", "windows-1252"), Map.entry("iso8859-1", "windows-1252"),
            Map.entry("iso_8859-1", "windows-1252"), Map.entry("latin1", "windows-1252"),
            Map.entry("l1", "windows-1252"), Map.entry("us-ascii", "windows-1252"),
            Map.entry("ascii", "windows-1252"), Map.entry("ansi_x3.4-1968", "windows-1252"),
            Map.entry("cp819", "windows-1252"), Map.entry("ibm819", "windows-1252"),
            Map.entry("x-user-defined", "windows-1252"), Map.entry("unicode-1-1-utf-8", "UTF-8"),
            Map.entry("utf8", "UTF-8"), Map.entry("iso-8859-9", "windows-1254"),
            Map.entry("latin5", "windows-1254"), Map.entry("tis-620", "windows-874"),
            Map.entry("iso-8859-11", "windows-874"), Map.entry("gb2312", "GBK"),
            Map.entry("x-gbk", "GBK"), Map.entry("ks_c_5601-1987", "EUC-KR"));

    private static final Pattern CHARSET_PARAM = Pattern.compile("(?i)charset\\s*=\\s*[\"']?\\s*([^\"';\\s]+)");
    private static final Pattern XML_ENCODING = Pattern.compile("\\A\\s*<\\?xml[^>]*?encoding\\s*=\\s*[\"']([^\"']+)");

    /** What was decided, and from what: "byte-order mark", "HTTP header", "meta", "detected", "default". */
    record Decision(Charset charset, String from) {
    }

    private HtmlCharset() {
    }

    /**
     * @param bytes       the page (only its head is read unless detection is needed)
     * @param contentType the HTTP Content-Type as sent, or null (a local file)
     */
    static Decision of(byte[] bytes, String contentType) {
        Charset bom = byBom(bytes);
        if (bom != null) {
            return new Decision(bom, "byte-order mark");
        }
        Charset header = contentType == null ? null : label(charsetParam(contentType), false);
        if (header != null) {
            return new Decision(header, "HTTP header");
        }
        Charset meta = prescan(bytes);
        if (meta != null) {
            return new Decision(meta, "meta");
        }
        Charset detected = ContentCharset.detect(bytes);
        if (detected != null) {
            return new Decision(detected, "detected");
        }
        return new Decision(validUtf8(bytes) ? StandardCharsets.UTF_8 : WINDOWS_1252, "default");
    }

    static Charset byBom(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            return StandardCharsets.UTF_8;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        return null;
    }

    static String charsetParam(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = CHARSET_PARAM.matcher(value);
        return m.find() ? m.group(1) : null;
    }

    /**
     * The Java charset of an encoding label, as a browser reads it; null for a label nobody knows.
     *
     * @param fromMeta a {@code <meta>} naming UTF-16 (or UTF-32) is taken to mean UTF-8
     */
    static Charset label(String label, boolean fromMeta) {
        if (label == null || label.isBlank()) {
            return null;
        }
        String key = label.strip().toLowerCase(Locale.ROOT);
        if (fromMeta && (key.startsWith("utf-16") || key.startsWith("utf-32") || key.equals("x-user-defined"))) {
            return key.equals("x-user-defined") ? WINDOWS_1252 : StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(LABELS.getOrDefault(key, key));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }

    /**
     * The first charset declared in the page's head. All the encodings a page may declare this
     * way agree with ASCII on tag syntax, so the head is read as Latin-1 for the search.
     */
    private static Charset prescan(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, PRESCAN), StandardCharsets.ISO_8859_1);
        Matcher xml = XML_ENCODING.matcher(head);
        if (xml.find()) {
            Charset c = label(xml.group(1), true);
            if (c != null) {
                return c;
            }
        }
        Document doc = Jsoup.parse(head);
        for (Element meta : doc.getElementsByTag("meta")) {
            Charset c = null;
            if (meta.hasAttr("charset")) {
                c = label(meta.attr("charset"), true);
            } else if (meta.attr("http-equiv").equalsIgnoreCase("content-type")) {
                c = label(charsetParam(meta.attr("content")), true);
            }
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The detector library, in a class of its own so that its classes are loaded only for a page
     * that declares no charset: most pages do, and kb's start-up should not pay for it.
     */
    static final class ContentCharset {
        private static final int CHUNK = 64 * 1024;

        private ContentCharset() {
        }

        /** The detected charset (US-ASCII reported as UTF-8, its superset), or null when undecided. */
        static Charset detect(byte[] bytes) {
            org.mozilla.universalchardet.UniversalDetector detector = new org.mozilla.universalchardet.UniversalDetector();
            for (int off = 0; off < bytes.length && !detector.isDone(); off += CHUNK) {
                detector.handleData(bytes, off, Math.min(CHUNK, bytes.length - off));
            }
            detector.dataEnd();
            String name = detector.getDetectedCharset();
            if (name == null) {
                return null;
            }
            if (name.equalsIgnoreCase("US-ASCII")) {
                return StandardCharsets.UTF_8;
            }
            return label(name, false);
        }
    }
}
