package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fetch.FetchResult;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a URL's row records of its fetch ({@code fetch_fields}), and what it never records. */
class CachedUrlRecordTest {
    private static FetchResult fetched(String requested, String landed) {
        return new FetchResult(false, URI.create(requested), URI.create(landed), "text/html; charset=utf-8", "page",
                "\"e1\"", null, "00".repeat(32), 10, false);
    }

    @Test
    void aFetchIsRecordedWithWhereItLanded() {
        String direct = CachedUrl.record(fetched("https://example.org/page", "https://example.org/page"));
        assertNotNull(direct);
        assertTrue(direct.contains("\"final_url\":\"https://example.org/page\""), direct);
        String moved = CachedUrl.record(fetched("https://example.org/old", "https://example.org/new"));
        assertTrue(moved.contains("https://example.org/new"), moved);
        // the query the user gave is the user's own: the source_uri holds it already
        assertNotNull(CachedUrl.record(fetched("https://example.org/p?id=7", "https://example.org/q?id=7")));
    }

    @Test
    void aRedirectsQueryIsNeverRecorded() {
        // a presigned download: the signature is a credential the user never saw
        assertNull(CachedUrl.record(fetched("https://example.org/report.pdf",
                "https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Signature=abc123&X-Amz-Expires=300")));
        assertNull(CachedUrl.record(fetched("https://example.org/p?id=7", "https://cdn.example.org/p?token=s3cr3t")));
    }

    @Test
    void aRedirectToAnotherHostIsNeverRecorded() {
        // a file host's download link holds its token in the path
        assertNull(CachedUrl.record(fetched("https://example.org/share/x",
                "https://dl.files.example.net/cd/0/get/AbCdEf0123456789/report.pdf")));
        assertNotNull(CachedUrl.record(fetched("http://Example.org/x", "https://example.org/x/")));
    }

    @Test
    void aLandingWithUserinfoIsNeverRecorded() {
        assertNull(CachedUrl.record(fetched("https://example.org/x", "https://user:pw@example.org/x")));
    }
}
