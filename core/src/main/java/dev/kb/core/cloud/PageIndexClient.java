package dev.kb.core.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kb.core.KbException;
import dev.kb.core.cloud.CloudResponses.Metadata;
import dev.kb.core.cloud.CloudResponses.Readiness;
import dev.kb.core.http.HttpClients;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.http.Sleeper;
import dev.kb.core.text.Durations;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads one processed document from PageIndex Cloud; see the package documentation for the
 * protocol. Thread-safe; one instance may serve many fetches.
 */
public final class PageIndexClient {
    public static final String DEFAULT_BASE_URL = "https://api.pageindex.ai";

    /** First pause between status polls under {@code --wait-ready}; doubles up to {@link #MAX_POLL_DELAY}. */
    static final Duration FIRST_POLL_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_POLL_DELAY = Duration.ofSeconds(30);
    /** How much of an error body is read for its message; error pages can be large HTML. */
    private static final long ERROR_BODY_PEEK = 4096;
    private static final int DETAIL_MAX_CHARS = 160;

    private final HttpUrl baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final Clock clock;
    private final long maxResponseBytes;
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public PageIndexClient(URI baseUrl, String apiKey, Duration timeout, RetryPolicy retry, Sleeper sleeper,
                           Clock clock) {
        this(baseUrl, apiKey, timeout, retry, sleeper, clock, Long.MAX_VALUE);
    }

    /**
     * @param baseUrl          the service root, normally {@link #DEFAULT_BASE_URL}; may carry a path prefix
     * @param apiKey           the {@code PAGEINDEX_API_KEY}; surrounding whitespace is ignored
     * @param timeout          bounds the network work of one document as a whole: all its requests,
     *                         retries and pauses between retries (the contract's {@code --timeout});
     *                         pauses while waiting for readiness ({@code --wait-ready}) come on top
     * @param maxResponseBytes the most bytes one response body may have ({@code --max-size}); a larger
     *                         body fails the document without being held in memory
     * @throws KbException (USAGE) when the key is missing or unusable in a header, or the base URL is
     *                     not an https URL (plain http only to a loopback host, for local fakes)
     */
    public PageIndexClient(URI baseUrl, String apiKey, Duration timeout, RetryPolicy retry, Sleeper sleeper,
                           Clock clock, long maxResponseBytes) {
        this.baseUrl = checkBaseUrl(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.apiKey = checkApiKey(apiKey);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
        }
        this.maxResponseBytes = maxResponseBytes;
        // Redirects are not followed: OkHttp drops Authorization on a cross-host redirect but
        // would resend our custom api_key header to wherever the Location points.
        this.http = HttpClients.builder(timeout).followRedirects(false).followSslRedirects(false).build();
    }

    /**
     * Checks that {@code id} can be sent as one path segment and returns it without surrounding
     * whitespace.
     *
     * @throws KbException (USAGE) {@code invalid document id…} when it is empty, contains '/' or a
     *                     control character, or is "." or ".." (which a URL would resolve away)
     */
    public static String validateDocId(String id) {
        String s = id == null ? "" : id.strip();
        if (s.isEmpty()) {
            throw new KbException(KbException.Kind.USAGE, "invalid document id: empty");
        }
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new KbException(KbException.Kind.USAGE, "invalid document id: contains control characters");
        }
        if (s.indexOf('/') >= 0 || s.equals(".") || s.equals("..")) {
            throw new KbException(KbException.Kind.USAGE, "invalid document id \"" + s + "\": must be one path segment");
        }
        return s;
    }

    /** Cancels every request in flight (their fetches fail); the client stays usable. */
    public void abort() {
        http.dispatcher().cancelAll();
    }

    /**
     * Fetches a document: metadata, then its tree, then all its pages, one request each (plus
     * retries and, under {@code waitReady}, status polls).
     *
     * @param waitReady how long to wait for a document still processing; {@link Duration#ZERO} fails at once
     * @throws KbException (INPUT_FAILED) with a one-line cause; (USAGE) for an invalid id
     */
    public CloudDocument fetch(String docId, Duration waitReady) {
        String id = validateDocId(docId);
        if (waitReady.isNegative()) {
            throw new IllegalArgumentException("waitReady must not be negative: " + waitReady);
        }
        try {
            Budget budget = new Budget();
            return fetchValidated(id, new ReadyWait(waitReady, budget), budget);
        } catch (KbException e) {
            throw redacted(e);
        }
    }

    private CloudDocument fetchValidated(String id, ReadyWait wait, Budget budget) {
        HttpUrl docUrl = baseUrl.newBuilder().addPathSegment("doc").addPathSegment(id).addPathSegment("").build();
        HttpUrl metadataUrl = baseUrl.newBuilder().addPathSegment("doc").addPathSegment(id)
                .addPathSegment("metadata").addPathSegment("").build();
        HttpUrl treeUrl = docUrl.newBuilder().addQueryParameter("type", "tree").addQueryParameter("summary", "true").build();
        HttpUrl ocrUrl = docUrl.newBuilder().addQueryParameter("type", "ocr").addQueryParameter("format", "page").build();

        // Metadata first: its status tells a processing or failed document apart before the
        // large requests, and its pageNum ends the last tree node.
        Metadata m = CloudResponses.metadata(awaitReady(id, metadataUrl, wait, budget, body -> {
            String status = CloudResponses.metadata(body, id).status();
            return new Poll(CloudResponses.readinessOfStatus(status), status);
        }), id);
        JsonNode treeBody = awaitReady(id, treeUrl, wait, budget, body -> contentPoll(body, CloudResponses.treeResult(body), "tree"));
        // The whole OCR result comes in this one request, however many pages (OpenKB re-downloaded
        // it once per 1000-page window).
        JsonNode ocrBody = awaitReady(id, ocrUrl, wait, budget, body -> contentPoll(body, CloudResponses.ocrResult(body), "pages"));

        List<Page> pages = CloudResponses.pages(CloudResponses.ocrResult(ocrBody));
        if (pages.isEmpty()) {
            throw KbException.inputFailed("PageIndex Cloud returned no pages for document " + id);
        }
        int lastPage = m.pageNum() != null ? m.pageNum() : pages.get(pages.size() - 1).index();
        List<TreeNode> tree = CloudResponses.tree(CloudResponses.treeResult(treeBody), lastPage);
        return new CloudDocument(m.id(), m.name(), m.description(), m.status(), m.createdAt(), m.pageNum(), tree, pages);
    }

    /**
     * GETs {@code url} until its body is ready, polling with growing pauses while the document is
     * processing and {@code wait} has budget left.
     */
    private JsonNode awaitReady(String id, HttpUrl url, ReadyWait wait, Budget budget, Function<JsonNode, Poll> poll) {
        while (true) {
            Instant asked = clock.instant();
            JsonNode body = get(url, id, budget);
            Poll p = poll.apply(body);
            String s = p.status();
            switch (p.readiness()) {
                case READY:
                    return body;
                case FAILED:
                    throw KbException.inputFailed("document processing failed on PageIndex Cloud (status: " + s + ")");
                case PROCESSING:
                default:
                    // a poll that says "not yet" is part of waiting, not of fetching: it gives
                    // its time back to --timeout, or a long --wait-ready would use it all up
                    budget.extend(Duration.between(asked, clock.instant()));
                    if (wait.budget.isZero()) {
                        throw KbException.inputFailed("document is still processing on PageIndex Cloud (status: " + s
                                + "); try again later or use --wait-ready");
                    }
                    if (!wait.pause()) {
                        throw KbException.inputFailed("document is still processing on PageIndex Cloud after "
                                + Durations.format(wait.budget) + " (status: " + s + ")");
                    }
            }
        }
    }

    /** A tree/OCR body that names no unfinished status but has no result is not ready either. */
    private static Poll contentPoll(JsonNode body, JsonNode result, String what) {
        Readiness r = CloudResponses.readinessOfContent(body, result);
        String status = CloudResponses.statusOf(body);
        boolean saysDone = body.isObject() && body.hasNonNull("status")
                && CloudResponses.readinessOfStatus(status) == Readiness.READY;
        return new Poll(r, r == Readiness.PROCESSING && (saysDone || !body.hasNonNull("status"))
                ? status + ", no " + what + " yet" : status);
    }

    /** What one response says about the document: readable, processing or failed, and the status it named. */
    private record Poll(Readiness readiness, String status) {
    }

    /**
     * The --timeout of one document: what its requests, retries and retry pauses may take in all.
     * Pauses spent waiting for readiness (--wait-ready) push the end back by their length.
     */
    private final class Budget {
        private Instant end = clock.instant().plus(timeout);

        Duration remaining() {
            return Duration.between(clock.instant(), end);
        }

        boolean spent() {
            Duration r = remaining();
            return r.isNegative() || r.isZero();
        }

        void extend(Duration paused) {
            end = end.plus(paused);
        }
    }

    /** The --wait-ready budget shared by all polls of one fetch, and the growing pause between them. */
    private final class ReadyWait {
        final Duration budget;
        final Instant deadline;
        final Budget network;
        Duration next = FIRST_POLL_DELAY;

        ReadyWait(Duration budget, Budget network) {
            this.budget = budget;
            this.deadline = clock.instant().plus(budget);
            this.network = network;
        }

        /** Sleeps before the next poll; false when the budget is spent (a pause never overruns it). */
        boolean pause() {
            Duration remaining = Duration.between(clock.instant(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                return false;
            }
            Duration pause = next.compareTo(remaining) < 0 ? next : remaining;
            sleep(pause);
            network.extend(pause);
            Duration doubled = next.multipliedBy(2);
            next = doubled.compareTo(MAX_POLL_DELAY) < 0 ? doubled : MAX_POLL_DELAY;
            return true;
        }
    }

    /** One GET, retried as {@link RetryPolicy} says; returns the parsed 2xx body. */
    private JsonNode get(HttpUrl url, String id, Budget budget) {
        Request request = new Request.Builder().url(url).header("api_key", apiKey)
                .header("Accept", "application/json").get().build();
        String lastFailure = null;
        for (int attempt = 1; ; attempt++) {
            if (budget.spent()) {
                throw outOfTime(id, lastFailure);
            }
            String retryAfter = null;
            Duration left = budget.remaining();
            // earlier requests of this document used part of the budget: a timeout now is the document's
            boolean partial = left.compareTo(timeout) < 0;
            Call call = http.newCall(request);
            call.timeout().timeout(left.toNanos(), TimeUnit.NANOSECONDS);
            try (Response response = call.execute()) {
                int code = response.code();
                if (code >= 200 && code < 300) {
                    return parse(response, id);
                }
                if (!RetryPolicy.isRetryableStatus(code) || attempt >= retry.maxAttempts()) {
                    throw httpFailure(response, id, attempt);
                }
                retryAfter = response.header("Retry-After");
                lastFailure = "HTTP " + code;
            } catch (IOException e) {
                if (e instanceof InterruptedIOException && partial && budget.spent()
                        && !Thread.currentThread().isInterrupted()) {
                    throw outOfTime(id, "no answer to the last request");
                }
                if (!RetryPolicy.isRetryable(call, e) || attempt >= retry.maxAttempts()) {
                    throw ioFailure(e, attempt);
                }
                lastFailure = e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
            }
            Duration delay = retry.delayBefore(attempt + 1, retryAfter, clock.instant());
            if (delay.compareTo(budget.remaining()) >= 0) {
                // sleeping past the deadline would only postpone the same failure
                throw outOfTime(id, lastFailure);
            }
            sleep(delay);
        }
    }

    private JsonNode parse(Response response, String id) throws IOException {
        byte[] bytes = readCapped(response.body(), id);
        if (response.code() == 202 && bytes.length == 0) {
            // 202 Accepted (unconfirmed) means still processing, body or not
            return json.createObjectNode().put("status", "processing");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw CloudResponses.unexpected("empty body (HTTP " + response.code() + ")");
            }
            if (response.code() == 202 && node.isObject() && !node.has("status")) {
                ((ObjectNode) node).put("status", "processing");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw KbException.inputFailed("unexpected response from PageIndex Cloud: body is not valid JSON ("
                    + shorten(oneLine(e.getOriginalMessage())) + ")", e);
        }
    }

    private byte[] readCapped(ResponseBody body, String id) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        BufferedSource source = body.source();
        if (maxResponseBytes < Long.MAX_VALUE && source.request(maxResponseBytes + 1)) {
            throw KbException.inputFailed("PageIndex Cloud response for document " + id + " is larger than the limit of "
                    + maxResponseBytes + " bytes");
        }
        return source.readByteArray();
    }

    private KbException httpFailure(Response response, String id, int attempts) {
        int code = response.code();
        String detail = errorDetail(response);
        String suffix = detail == null ? "" : ": " + detail;
        if (code == 401) {
            return KbException.inputFailed("PageIndex Cloud refused the API key (check PAGEINDEX_API_KEY)");
        }
        if (code == 404) {
            return KbException.inputFailed("document " + id + " not found on PageIndex Cloud");
        }
        if (code >= 300 && code < 400) {
            return KbException.inputFailed("PageIndex Cloud answered with a redirect (HTTP " + code
                    + "), which kb does not follow so the API key goes nowhere else");
        }
        if (RetryPolicy.isRetryableStatus(code)) {
            return KbException.inputFailed("HTTP " + code + " from PageIndex Cloud after " + attempts
                    + (attempts == 1 ? " attempt" : " attempts") + suffix);
        }
        return KbException.inputFailed("HTTP " + code + " from PageIndex Cloud" + suffix);
    }

    /** {@code errorCode: error} from a JSON error body, or a short plain-text body; null if neither. */
    private String errorDetail(Response response) {
        String text;
        try {
            text = response.peekBody(ERROR_BODY_PEEK).string().strip();
        } catch (IOException e) {
            return null;
        }
        if (text.isEmpty()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(text);
            if (node != null && node.isObject()) {
                String code = node.hasNonNull("errorCode") ? node.get("errorCode").asText() : null;
                String error = node.hasNonNull("error") ? node.get("error").asText()
                        : node.hasNonNull("message") ? node.get("message").asText()
                        : node.hasNonNull("detail") ? node.get("detail").asText() : null;
                String joined = code != null && error != null ? code + ": " + error : code != null ? code : error;
                return joined == null ? null : shorten(oneLine(joined));
            }
        } catch (JsonProcessingException notJson) {
            // fall through to plain text
        }
        // HTML error pages say nothing useful in one line
        return text.startsWith("<") ? null : shorten(oneLine(text));
    }

    private KbException ioFailure(IOException e, int attempts) {
        String where = baseUrl.host() + ":" + baseUrl.port();
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
        String tries = attempts > 1 ? " after " + attempts + " attempts" : "";
        if (e instanceof UnknownHostException) {
            return KbException.inputFailed("cannot resolve the PageIndex Cloud host " + baseUrl.host(), e);
        }
        if (Thread.currentThread().isInterrupted()) {
            return KbException.inputFailed("interrupted while waiting for PageIndex Cloud", e);
        }
        if (e instanceof InterruptedIOException) {
            return KbException.inputFailed("PageIndex Cloud did not answer within " + Durations.format(timeout)
                    + " (" + where + ")", e);
        }
        if (e instanceof SSLException) {
            return KbException.inputFailed("TLS connection to PageIndex Cloud at " + where + " failed: "
                    + shorten(reason), e);
        }
        if (e instanceof ConnectException) {
            return KbException.inputFailed("could not connect to PageIndex Cloud at " + where + tries + ": "
                    + shorten(reason), e);
        }
        return KbException.inputFailed("connection to PageIndex Cloud at " + where + " failed" + tries + ": "
                + shorten(reason), e);
    }

    /** The document's --timeout ran out across its requests and retries. */
    private KbException outOfTime(String id, String lastFailure) {
        return KbException.inputFailed("PageIndex Cloud did not deliver document " + id + " within "
                + Durations.format(timeout) + " (--timeout)" + (lastFailure == null ? "" : "; last: " + lastFailure));
    }

    private void sleep(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KbException.inputFailed("interrupted while waiting for PageIndex Cloud", e);
        }
    }

    /**
     * The shortest key {@link #redacted} masks. Masking replaces the key's text wherever it occurs,
     * and a key of a few characters occurs inside ordinary words: PAGEINDEX_API_KEY=x made "could
     * not connect to PageInde*** Cloud", and dropped every cause whose message has an "x". Such a
     * key is not a secret worth that (PageIndex keys are long random tokens; a short value is a
     * placeholder or a typo, which the server refuses), so it is left in messages. A key of this
     * length or more is masked everywhere, inside words too ("key=...", "Bearer..." echoes).
     */
    static final int MIN_MASKED_KEY_LENGTH = 8;

    /**
     * The key must never reach a message: a server may echo it in an error body, Jackson quotes
     * the start of a body it cannot parse, and {@code --verbose} prints the whole cause chain. So
     * the message is masked, and a cause that mentions the key anywhere in its chain is dropped;
     * a key shorter than {@link #MIN_MASKED_KEY_LENGTH} is not treated as a secret.
     */
    private KbException redacted(KbException e) {
        if (apiKey.length() < MIN_MASKED_KEY_LENGTH) {
            return e;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        boolean causeLeaks = false;
        for (Throwable t = e.getCause(); t != null && !causeLeaks; t = t.getCause()) {
            causeLeaks = t.getMessage() != null && t.getMessage().contains(apiKey);
        }
        if (!message.contains(apiKey) && !causeLeaks) {
            return e;
        }
        KbException clean = new KbException(e.kind(), message.replace(apiKey, "***"), causeLeaks ? null : e.getCause());
        clean.setStackTrace(e.getStackTrace());
        return clean;
    }

    private static HttpUrl checkBaseUrl(URI uri) {
        HttpUrl url = HttpUrl.parse(uri.toString());
        if (url == null) {
            throw new KbException(KbException.Kind.USAGE, "invalid PageIndex Cloud base URL: "
                    + dev.kb.core.fetch.UrlFetcher.shown(uri.toString()));
        }
        if (!url.isHttps() && !isLoopback(url.host())) {
            throw new KbException(KbException.Kind.USAGE, "refusing to send the PageIndex API key over plain http to "
                    + url.host() + "; use an https base URL");
        }
        return url.newBuilder().query(null).fragment(null).username("").password("").build();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static String checkApiKey(String key) {
        String k = key == null ? "" : key.strip();
        if (k.isEmpty()) {
            throw new KbException(KbException.Kind.USAGE, "PAGEINDEX_API_KEY is not set");
        }
        // OkHttp would reject other characters with a message that quotes the whole header value
        if (!k.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new KbException(KbException.Kind.USAGE,
                    "PAGEINDEX_API_KEY contains characters that cannot be sent in an HTTP header");
        }
        return k;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    private static String shorten(String s) {
        return s.length() <= DETAIL_MAX_CHARS ? s : s.substring(0, DETAIL_MAX_CHARS - 1) + "...";
    }

    /** Names the service it talks to, never the key. */
    @Override
    public String toString() {
        return "PageIndexClient[" + baseUrl + "]";
    }
}
