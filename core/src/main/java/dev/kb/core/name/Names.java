package dev.kb.core.name;

import dev.kb.core.fs.Hashing;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Document names: the file names of {@code wiki/sources/<name>.md} and {@code raw/<name>.<ext>},
 * and the targets of Obsidian links. A name must be safe on every common file system and in a
 * wiki link, whatever the input (a hostile Content-Disposition, a Windows device name, a
 * 300-byte title), yet keep the letters of any script.
 */
public final class Names {
    /** Bytes, leaving room under the usual 255-byte limit for a suffix and an extension like {@code .tree.json}. */
    static final int MAX_BYTES = 120;

    /**
     * Windows opens the device, not a file, for any of these names followed by any extension
     * ({@code NUL.tar.md} is NUL), so the part before the first dot decides. The superscript
     * digits are on Microsoft's list too.
     */
    private static final Set<String> WINDOWS_DEVICES = Set.of("con", "prn", "aux", "nul",
            "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
            "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
            "com\u00b9", "com\u00b2", "com\u00b3", "lpt\u00b9", "lpt\u00b2", "lpt\u00b3");

    private Names() {
    }

    /**
     * A safe name from a hint (a file stem, a title, a URL segment): NFC; path separators, control
     * characters and characters that file systems or wiki links reserve become '-'; white space
     * runs become one '-'; no leading dots or dashes (no hidden files, no "..", no options); no
     * trailing dots or spaces (Windows); a Windows device name before the first dot gets a '_'
     * ({@code CON} → {@code CON_}, {@code nul.tar} → {@code nul_.tar}); at most
     * {@value #MAX_BYTES} UTF-8 bytes, cut at a character boundary. Never empty: "document".
     */
    public static String sanitize(String hint) {
        String s = hint == null ? "" : Normalizer.normalize(hint, Normalizer.Form.NFC);
        StringBuilder b = new StringBuilder(s.length());
        boolean dash = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean bad = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)
                    || "/\\:*?\"<>|#^[]{}%`".indexOf(cp) >= 0
                    || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                    || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.UNASSIGNED
                    || Character.getType(cp) == Character.PRIVATE_USE
                    || Character.getType(cp) == Character.SURROGATE;
            if (bad) {
                if (!dash && b.length() > 0) {
                    b.append('-');
                    dash = true;
                }
            } else {
                b.appendCodePoint(cp);
                dash = cp == '-';
            }
        }
        String out = trim(b.toString());
        if (out.isEmpty()) {
            return "document";
        }
        // Before the cut, so the '_' never pushes a name past the limit.
        out = avoidDevice(out);
        out = truncateUtf8(out, MAX_BYTES);
        return trim(out);
    }

    /**
     * {@code nul.tar} becomes {@code nul_.tar}: a '_' after the whole name ({@code nul.tar_}) would
     * still be the device NUL on Windows, and so would every file named after it.
     */
    private static String avoidDevice(String name) {
        int dot = name.indexOf('.');
        String first = dot < 0 ? name : name.substring(0, dot);
        if (!WINDOWS_DEVICES.contains(first.toLowerCase(Locale.ROOT))) {
            return name;
        }
        return first + "_" + name.substring(first.length());
    }

    private static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == '.' || s.charAt(start) == '-' || s.charAt(start) == '_')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(start, end);
    }

    static String truncateUtf8(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) {
                break;
            }
            b.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    /**
     * The comparison key: two names with the same key would be one file on macOS or Windows.
     * Upper-casing first folds what lower-casing alone keeps apart ("ß" and "SS", "ς" and "σ");
     * it may join a few names those systems keep apart, which only costs a suffix.
     */
    public static String key(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code name} is one that {@link #unique} can give for {@code base} and
     * {@code identity}: {@code base} itself, or it with one of its hash suffixes. Another KB's
     * name for a document thus tells whether it was named from the same hint.
     */
    public static boolean isUniqueNameOf(String name, String base, String identity) {
        if (name.equals(base)) {
            return true;
        }
        String stem = truncateUtf8(base, MAX_BYTES - 1 - 16) + "-";
        if (!name.startsWith(stem)) {
            return false;
        }
        String suffix = name.substring(stem.length());
        String hash = Hashing.sha256Hex(identity.getBytes(StandardCharsets.UTF_8));
        return suffix.length() >= 6 && suffix.length() % 2 == 0 && hash.startsWith(suffix);
    }

    /**
     * The first free name for {@code base}: {@code base} itself, else {@code base-<hex>} with a
     * suffix taken from the SHA-256 of {@code identity} (the source URI), 6 hex digits and longer
     * only while those collide too. The same document therefore always gets the same suffix.
     */
    public static String unique(String base, String identity, Predicate<String> taken) {
        if (!taken.test(base)) {
            return base;
        }
        String hash = Hashing.sha256Hex(identity.getBytes(StandardCharsets.UTF_8));
        String stem = truncateUtf8(base, MAX_BYTES - 1 - 16);
        for (int len = 6; len <= hash.length(); len += 2) {
            String candidate = stem + "-" + hash.substring(0, len);
            if (!taken.test(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free name for " + base + " after every suffix of its hash");
    }
}
