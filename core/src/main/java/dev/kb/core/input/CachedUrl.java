package dev.kb.core.input;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fetch.FetchResult;
import dev.kb.core.fetch.Validators;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Fetched URLs in the source caches ({@link CacheKey.Kind#URL}): keyed by the URL normalised as
 * OkHttp sends it (scheme and host lower case, default port dropped) without its userinfo or
 * fragment; blob {@code raw} is the bytes, and the fields are what kb keeps of the response: the
 * final URL after redirects, Content-Type, the name hint and the validators (ETag,
 * Last-Modified). A 200 stores it again, so a changed document replaces its entry.
 */
final class CachedUrl {
    static final String RAW = "raw";
    /** The layout of these entries' fields: another one is a miss. */
    static final String LAYOUT = "url-1";

    private CachedUrl() {
    }

    /** The key of {@code uri} (credentials and fragment left out), or null when it is not http(s). */
    static CacheKey key(URI uri) {
        HttpUrl u = HttpUrl.get(uri);
        if (u == null) {
            return null;
        }
        return new CacheKey(CacheKey.Kind.URL, u.newBuilder().username("").password("").fragment(null).build().toString(),
                LAYOUT);
    }

    /** Whether {@code e} may be used without asking the server ({@code --cache-max-age}). */
    static boolean fresh(CacheEntry e, SourceCaches caches) {
        long maxAge = caches.options().maxAge().toMillis();
        long age = caches.now() - e.storedAt();
        return maxAge > 0 && age >= 0 && age < maxAge;
    }

    /** The validators for a conditional request, or null when the entry has none. */
    static Validators validators(CacheEntry e) {
        String etag = e.text("etag");
        String lastModified = e.text("last_modified");
        return etag == null && lastModified == null ? null : new Validators(etag, lastModified);
    }

    /**
     * The fetch the entry stands for, with the given validators (those of a 304 that confirmed it,
     * else its own); null when its fields are not those of a URL entry.
     */
    static FetchResult result(CacheEntry e, URI requested, Validators confirmed) {
        String finalUrl = e.text("final_url");
        String nameHint = e.text("name_hint");
        CacheEntry.Blob raw = e.blob(RAW).orElse(null);
        if (finalUrl == null || nameHint == null || nameHint.isEmpty() || raw == null
                || !(e.fields().get("name_is_host") instanceof Boolean nameIsHost)) {
            return null;
        }
        URI finalUri;
        try {
            finalUri = URI.create(finalUrl);
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        Validators v = confirmed != null ? confirmed : validators(e);
        return new FetchResult(false, requested, finalUri, e.text("content_type"), nameHint,
                v == null ? null : v.etag(), v == null ? null : v.lastModified(), raw.sha256(), raw.size(), nameIsHost);
    }

    /**
     * What of fetch {@code r} an entry holds besides the bytes and the validators: all that decides
     * what the bytes become (the name, the type where the bytes leave it open, an HTML page's
     * charset and the URL its links are resolved against, and so the conversion's key).
     */
    static Map<String, Object> fetchFields(FetchResult r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("final_url", r.finalUri().toString());
        fields.put("content_type", r.contentType());
        fields.put("name_hint", r.nameHint());
        fields.put("name_is_host", r.nameIsHost());
        return fields;
    }

    /**
     * {@link #fetchFields} as the JSON object a KB commits with the URL's row ({@code fetch_fields},
     * registry schema 5), so that another KB reading this one as a cache ({@code kb:PATH}) hands
     * out the entry this fetch would have stored, not one guessed from the URL. Null when a value
     * is not one JSON holds as it is (not for a fetch's text): then nothing is recorded.
     *
     * <p>Nor when a redirect led to another host, or to a URL with a query the user never gave: a
     * presigned download (S3's {@code X-Amz-Signature}) or a file host's link carries its credential
     * in the query or the path of where it sends you, and a registry may be shared where the user's
     * own cache is not. That page is then converted again by a KB that reads this one, which is
     * all the record saves.
     */
    static String record(FetchResult r) {
        java.net.URI target = r.finalUri();
        java.net.URI asked = r.requestedUri();
        if (target.getRawUserInfo() != null || target.getHost() == null
                || !target.getHost().equalsIgnoreCase(String.valueOf(asked.getHost()))
                || target.getRawQuery() != null && !target.getRawQuery().equals(asked.getRawQuery())) {
            return null;
        }
        return PageOrigins.json(fetchFields(r));
    }

    /** Stores (or refreshes) what fetching {@code key} gave: {@code r}, whose bytes are {@code raw}. */
    static void store(SourceCaches caches, CacheKey key, FetchResult r, Path raw) {
        Map<String, Object> fields = fetchFields(r);
        fields.put("etag", r.etag());
        fields.put("last_modified", r.lastModified());
        CacheEntry e = new CacheEntry(key, caches.now(), fields, List.of(new CacheEntry.Blob(RAW, r.sha256Hex(), r.size())));
        caches.store(e, Map.of(RAW, raw));
    }
}
