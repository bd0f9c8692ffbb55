package dev.kb.core.fetch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Suggests a file name for a downloaded document. The result is one path segment at most: a
 * server can send {@code filename="../../.bashrc"}, and a name that still carried a separator
 * could make the caller write outside its folder.
 *
 * <p>Hand-written because neither OkHttp nor the JDK parses Content-Disposition, and the three
 * forms needed (quoted, token, RFC 5987 {@code filename*}) fit in a page.
 */
public final class NameHint {

    private NameHint() {
    }

    /**
     * The first usable of: Content-Disposition {@code filename*}, its {@code filename}, the final
     * URL's last non-empty path segment (percent-decoded), the host.
     */
    public static String of(String contentDisposition, HttpUrl finalUrl) {
        return choose(contentDisposition, finalUrl)[0];
    }

    /** Whether {@link #of} falls back to the host for this response: then the whole hint is the name. */
    public static boolean isHost(String contentDisposition, HttpUrl finalUrl) {
        return choose(contentDisposition, finalUrl)[1] != null;
    }

    /** The hint, and (second) non-null when it is the host. */
    private static String[] choose(String contentDisposition, HttpUrl finalUrl) {
        Map<String, String> params = dispositionParams(contentDisposition);
        String name = safeSegment(decodeExtValue(params.get("filename*")));
        if (name == null) {
            name = safeSegment(params.get("filename"));
        }
        if (name == null) {
            name = safeSegment(lastNonEmptySegment(finalUrl.pathSegments()));
        }
        if (name == null) {
            name = safeSegment(finalUrl.host());
            if (name != null) {
                return new String[] {name, "host"};
            }
        }
        return new String[] {name != null ? name : "download", null};
    }

    /**
     * Reduces {@code raw} to its last path segment without control or invisible formatting
     * characters (a right-to-left override can disguise {@code exe.pdf}); null when nothing
     * usable is left, or only dots, which would name the folder itself or its parent.
     */
    static String safeSegment(String raw) {
        if (raw == null) {
            return null;
        }
        int cut = Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\'));
        String last = raw.substring(cut + 1);
        StringBuilder kept = new StringBuilder(last.length());
        last.codePoints().filter(cp -> !isHidden(cp)).forEach(kept::appendCodePoint);
        String s = kept.toString().strip();
        if (s.isEmpty() || s.chars().allMatch(c -> c == '.')) {
            return null;
        }
        return s;
    }

    private static boolean isHidden(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp) || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static String lastNonEmptySegment(List<String> segments) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (!segments.get(i).isEmpty()) {
                return segments.get(i);
            }
        }
        return null;
    }

    /** Parameters of a Content-Disposition value, names lower-cased, first occurrence wins. */
    static Map<String, String> dispositionParams(String header) {
        Map<String, String> params = new HashMap<>();
        if (header == null) {
            return params;
        }
        int i = header.indexOf(';');
        int n = header.length();
        while (i >= 0 && i < n) {
            while (i < n && (header.charAt(i) == ';' || Character.isWhitespace(header.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';') {
                i++;
            }
            String name = header.substring(nameStart, i).strip().toLowerCase(Locale.ROOT);
            if (i >= n || header.charAt(i) == ';') {
                continue;
            }
            i++; // '='
            while (i < n && Character.isWhitespace(header.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && header.charAt(i) == '"') {
                i++;
                while (i < n && header.charAt(i) != '"') {
                    char c = header.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = header.charAt(i++);
                    }
                    value.append(c);
                }
                i++; // closing quote
                while (i < n && header.charAt(i) != ';') {
                    i++;
                }
            } else {
                int valueStart = i;
                while (i < n && header.charAt(i) != ';') {
                    i++;
                }
                value.append(header, valueStart, i);
            }
            if (!name.isEmpty()) {
                params.putIfAbsent(name, value.toString().strip());
            }
        }
        return params;
    }

    /** An RFC 5987 value {@code charset'language'pct-encoded}; null when malformed or of an unknown charset. */
    static String decodeExtValue(String value) {
        if (value == null) {
            return null;
        }
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) {
            return null;
        }
        Charset charset;
        String charsetName = value.substring(0, first).strip();
        if (charsetName.equalsIgnoreCase("UTF-8")) {
            charset = StandardCharsets.UTF_8;
        } else if (charsetName.equalsIgnoreCase("ISO-8859-1")) {
            charset = StandardCharsets.ISO_8859_1;
        } else {
            return null;
        }
        String encoded = value.substring(second + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    return null;
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                return null;
            }
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
