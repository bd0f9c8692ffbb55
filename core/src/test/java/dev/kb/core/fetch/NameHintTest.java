package dev.kb.core.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class NameHintTest {
    private static final HttpUrl URL = HttpUrl.get("https://example.com/files/report%202024.pdf");
    private static final HttpUrl ROOT = HttpUrl.get("https://example.com/");

    @Test
    void quotedFilename() {
        assertEquals("a b.pdf", NameHint.of("attachment; filename=\"a b.pdf\"", ROOT));
    }

    @Test
    void quotedFilenameWithEscapesAndSemicolon() {
        assertEquals("say \"hi\"; now.txt", NameHint.of("attachment; filename=\"say \\\"hi\\\"; now.txt\"; size=3", ROOT));
    }

    @Test
    void unquotedFilename() {
        assertEquals("a.pdf", NameHint.of("attachment; filename=a.pdf", ROOT));
        assertEquals("a.pdf", NameHint.of("inline;FILENAME = a.pdf ;size=12", ROOT));
    }

    @Test
    void extendedFilenameWinsWhicheverComesFirst() {
        assertEquals("naïve file.pdf",
                NameHint.of("attachment; filename*=UTF-8''na%C3%AFve%20file.pdf; filename=\"naive.pdf\"", ROOT));
        assertEquals("naïve file.pdf",
                NameHint.of("attachment; filename=\"naive.pdf\"; filename*=utf-8'en'na%C3%AFve%20file.pdf", ROOT));
        assertEquals("café.txt", NameHint.of("attachment; filename*=ISO-8859-1''caf%E9.txt", ROOT));
    }

    @Test
    void malformedExtendedFilenameFallsBackToFilename() {
        assertEquals("plain.pdf", NameHint.of("attachment; filename*=UTF-8''bad%ZZ; filename=plain.pdf", ROOT));
        assertEquals("plain.pdf", NameHint.of("attachment; filename*=KOI8-R''x; filename=plain.pdf", ROOT));
        assertEquals("plain.pdf", NameHint.of("attachment; filename*=UTF-8''%C3%28; filename=plain.pdf", ROOT));
        assertEquals("plain.pdf", NameHint.of("attachment; filename*=noquotes; filename=plain.pdf", ROOT));
    }

    @Test
    void withoutDispositionTheLastNonEmptyUrlSegmentIsUsedDecoded() {
        assertEquals("report 2024.pdf", NameHint.of(null, URL));
        assertEquals("report 2024.pdf", NameHint.of("inline", URL));
        assertEquals("docs", NameHint.of(null, HttpUrl.get("https://example.com/docs/")));
        assertEquals("b", NameHint.of(null, HttpUrl.get("https://example.com/a%2Fb")));
    }

    @Test
    void withoutAnyPathTheHostIsUsed() {
        assertEquals("example.com", NameHint.of(null, ROOT));
        assertEquals("example.com", NameHint.of(null, HttpUrl.get("https://example.com")));
        assertEquals("example.com", NameHint.of(null, HttpUrl.get("https://example.com/%2E%2E/")));
    }

    @Test
    void theHostIsTheWholeNameNotAStemAndAnExtension() {
        for (String u : List.of("http://127.0.0.1:8080/", "http://127.0.0.1", "http://[::1]:8080/", "https://example.com/%2E%2E/",
                "http://localhost:9000/")) {
            HttpUrl url = HttpUrl.get(u);
            assertEquals(url.host(), NameHint.of(null, url), u);
            assertTrue(NameHint.isHost(null, url), u);
        }
        assertFalse(NameHint.isHost(null, HttpUrl.get("http://127.0.0.1:8080/report.pdf")));
        assertFalse(NameHint.isHost("attachment; filename=a.pdf", HttpUrl.get("http://127.0.0.1:8080/")));
    }

    @Test
    void hostileNamesAreReducedToOneSegment() {
        assertEquals("passwd", NameHint.safeSegment("../../etc/passwd"));
        assertEquals("path", NameHint.safeSegment("/abs/path"));
        assertEquals("win", NameHint.safeSegment("..\\win"));
        assertEquals("evil", NameHint.safeSegment("C:\\Windows\\evil"));
        assertEquals("abc", NameHint.safeSegment("a\u0000b\nc\r"));
        assertEquals("exe.pdf", NameHint.safeSegment("exe\u202E.pdf"));
        assertEquals(".bashrc", NameHint.safeSegment(".bashrc"), "leading dots are the caller's to handle");
        assertNull(NameHint.safeSegment(".."));
        assertNull(NameHint.safeSegment("."));
        assertNull(NameHint.safeSegment(" .. "));
        assertNull(NameHint.safeSegment("..\u0000"));
        assertNull(NameHint.safeSegment("dir/"));
        assertNull(NameHint.safeSegment("\u0007\u001b"));
        assertNull(NameHint.safeSegment(""));
    }

    @Test
    void noHostileDispositionEverComesBackAsMoreThanOneSafeSegment() {
        List<String> hostile = List.of("../../etc/passwd", "/abs/path", "..\\win", "..", ".", "a/../..", "..\\..\\",
                "x\u0000/..", "\u0085\u2028", "%2e%2e", "name\u0000with\u001fcontrols");
        for (String h : hostile) {
            for (String header : List.of("attachment; filename=\"" + h.replace("\\", "\\\\") + "\"",
                    "attachment; filename=" + h,
                    "attachment; filename*=UTF-8''" + h)) {
                String name = NameHint.of(header, HttpUrl.get("https://example.com/"));
                assertFalse(name.isEmpty(), header);
                assertFalse(name.contains("/") || name.contains("\\"), header + " -> " + name);
                assertFalse(name.chars().anyMatch(Character::isISOControl), header + " -> " + name);
                assertNotEquals(".", name, header);
                assertNotEquals("..", name, header);
            }
        }
    }

    @Test
    void parsesParametersLeniently() {
        assertEquals("x", NameHint.dispositionParams("attachment; filename=\"x\"").get("filename"));
        assertNull(NameHint.dispositionParams("attachment").get("filename"));
        assertNull(NameHint.dispositionParams("attachment; filename").get("filename"));
        assertEquals("", NameHint.dispositionParams("attachment; filename=\"unterminated").get("filename")
                .replace("unterminated", ""));
    }
}
