package dev.kb.core.fetch;

import dev.kb.core.KbException;
import dev.kb.core.http.HttpClients;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.text.Durations;
import dev.kb.core.text.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Downloads one http(s) document into a file the caller owns. See the package documentation
 * for the protocol; in short: one deadline, a bound on decoded bytes, retries of transient
 * failures, and no file left behind unless the whole body arrived and was fsynced.
 *
 * <p>Thread-safe: one instance may serve concurrent fetches to different destinations.
 */
public final class UrlFetcher {

    /** A scheme of two or more letters, so a Windows drive letter ({@code C://x}) is not a URL. */
    private static final Pattern URL_LIKE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+://.*", Pattern.DOTALL);
    private static final Set<Integer> REDIRECTS = Set.of(300, 301, 302, 303, 307, 308);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int MAX_DETAIL = 200;

    private final FetchOptions options;
    private final OkHttpClient client;

    public UrlFetcher(FetchOptions options) {
        this(options, UnaryOperator.identity());
    }

    /** Test seam: lets a test substitute DNS or trust its own TLS certificate. */
    UrlFetcher(FetchOptions options, UnaryOperator<OkHttpClient.Builder> customize) {
        this.options = Objects.requireNonNull(options, "options");
        this.client = customize.apply(HttpClients.builder(options.timeout())
                        .followRedirects(false)
                        .followSslRedirects(false))
                .build();
    }

    /** True for anything shaped like {@code scheme://…}; whether the scheme is supported is {@link #parseUrl}'s call. */
    public static boolean isUrl(String arg) {
        return arg != null && URL_LIKE.matcher(arg.strip()).matches();
    }

    /**
     * {@code url} without its userinfo ({@code user:password@}), as given otherwise: what kb stores
     * as a URL's source and shows anywhere, so a password never reaches the registry, a page, the
     * log or the terminal, and the same document is found with or without credentials. Text that
     * is not URL-shaped comes back unchanged.
     */
    public static String withoutUserInfo(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        if (scheme < 0 || !isUrl(url)) {
            return url;
        }
        int authority = scheme + 3;
        int end = authority;
        // where OkHttp (and browsers) end the authority: the first '/', '\\', '?' or '#'
        while (end < url.length() && "/\\?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < authority ? url : url.substring(0, authority) + url.substring(at + 1);
    }

    /**
     * {@code url} as kb shows it anywhere: {@link #withoutUserInfo} for a URL OkHttp can read. For
     * one it cannot, where a '/', '?', '#' or '\\' in a password ends the authority early (so that
     * {@code http://alice:s3c/ret@host/} has no userinfo to remove, and "alice" reads as the host),
     * everything from the scheme to the last '@' that a ':' stands before is left out as well.
     */
    public static String shown(String url) {
        String w = withoutUserInfo(url);
        int scheme = w == null ? -1 : w.indexOf("://");
        HttpUrl parsed = scheme < 0 ? null : HttpUrl.parse(w);
        if (scheme < 0 || parsed != null && notAUri(parsed) == null) {
            return w;
        }
        int authority = scheme + 3;
        int at = w.lastIndexOf('@');
        return at > authority && w.substring(authority, at).indexOf(':') >= 0
                ? w.substring(0, authority) + "...@" + w.substring(at + 1)
                : w;
    }

    /**
     * Parses a command-line argument as an http or https URL. The userinfo, if any, stays in the
     * result: {@link #fetch} sends it as Basic authentication and strips it from everything else.
     *
     * @throws KbException of kind USAGE for other schemes ({@code ftp://}, {@code file://}) or a malformed URL
     */
    public static URI parseUrl(String arg) {
        String s = arg == null ? "" : arg.strip();
        if (!isUrl(s)) {
            throw new KbException(KbException.Kind.USAGE, "not a URL");
        }
        String scheme = s.substring(0, s.indexOf("://")).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new KbException(KbException.Kind.USAGE,
                    "unsupported URL scheme " + oneLine(scheme) + "://; only http:// and https:// are supported");
        }
        HttpUrl url;
        try {
            url = HttpUrl.get(s);
        } catch (IllegalArgumentException e) {
            // OkHttp's message quotes the part it could not read: with an '@' in the text, that
            // may be a password whose '/' ended the authority early ("Invalid URL port: "s3cret"")
            throw new KbException(KbException.Kind.USAGE, s.indexOf('@') < 0 ? "malformed URL: " + oneLine(e.getMessage())
                    : "malformed URL; a '/', '?', '#', ':' or '@' in its user name or password is written %-escaped"
                            + " ('/' as %2F)");
        }
        String bad = notAUri(url);
        if (bad != null) {
            throw new KbException(KbException.Kind.USAGE, "malformed URL: " + bad);
        }
        return url.uri();
    }

    /**
     * Why {@code url} has no {@link java.net.URI} form, or null when it has one. OkHttp accepts a
     * '%' that begins no escape in the userinfo ({@code http://u:pa%ss@host/}) and leaves it there,
     * so its {@code uri()} then throws a RuntimeException whose message holds the whole URL: kb
     * ended with "internal error" (exit 70) and printed the password. The reason alone is kept.
     */
    static String notAUri(HttpUrl url) {
        try {
            url.uri();
            return null;
        } catch (RuntimeException e) {
            String reason = e.getCause() instanceof java.net.URISyntaxException u ? u.getReason() : "not a valid URI";
            return reason.toLowerCase(Locale.ROOT).contains("escape")
                    ? "a '%' in it begins no %XX escape (write a literal % as %25)"
                    : oneLine(reason);
        }
    }

    /**
     * Fetches {@code uri} into {@code dest}, replacing whatever is there. On return the file is
     * complete and fsynced, or (on 304 Not Modified) absent; on any exception it is absent.
     *
     * @param previous validators of an earlier fetch for a conditional request, or null
     * @throws KbException of kind INPUT_FAILED with a one-line cause (the caller names the input)
     * @throws IllegalArgumentException when {@code uri} is not http(s): a caller that skipped {@link #parseUrl}
     */
    public FetchResult fetch(URI uri, Path dest, Validators previous) {
        HttpUrl given = HttpUrl.get(Objects.requireNonNull(uri, "uri"));
        if (given == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + uri);
        }
        Objects.requireNonNull(dest, "dest");
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Login login = Login.of(given);
        HttpUrl start = Login.strip(given);
        try {
            return fetchWithin(deadline, start.uri(), start, login, dest, previous);
        } catch (RuntimeException | Error e) {
            // A partial file would look like a document to whoever scans the staging folder next.
            try {
                Files.deleteIfExists(dest);
            } catch (IOException deleteFailed) {
                e.addSuppressed(deleteFailed);
            }
            throw e;
        }
    }

    /** The limits this fetcher was made with ({@code --timeout} also bounds converting what it fetched). */
    public FetchOptions options() {
        return options;
    }

    /** Cancels every request in flight (their fetches fail); the fetcher stays usable. */
    public void abort() {
        client.dispatcher().cancelAll();
    }

    /**
     * Credentials from a URL's userinfo, bound to the origin they were given for. Like curl, kb
     * sends them (as HTTP Basic authentication) only to that scheme, host and port: a redirect to
     * another host must not hand it the password. A redirect target with userinfo of its own
     * brings new credentials for its origin.
     */
    private record Login(String header, String origin) {
        static Login of(HttpUrl url) {
            if (url.username().isEmpty() && url.password().isEmpty()) {
                return null;
            }
            return new Login(Credentials.basic(url.username(), url.password(), StandardCharsets.UTF_8), origin(url));
        }

        static HttpUrl strip(HttpUrl url) {
            return url.newBuilder().username("").password("").build();
        }

        static String origin(HttpUrl url) {
            return url.scheme() + "://" + url.host() + ":" + url.port();
        }

        String headerFor(HttpUrl url) {
            return origin.equals(origin(url)) ? header : null;
        }
    }

    private FetchResult fetchWithin(long deadline, URI requested, HttpUrl start, Login login, Path dest,
                                    Validators previous) {
        HttpUrl url = start;
        Set<HttpUrl> seen = new HashSet<>();
        seen.add(url);
        int redirects = 0;
        int attempt = 1;
        String failure = null;
        IOException failureCause = null;
        while (true) {
            String retryAfter = null;
            Call call = client.newCall(request(url, previous, login == null ? null : login.headerFor(url)));
            // Only the time left: a fresh full timeout per call would let redirects and retries
            // multiply the user's --timeout.
            call.timeout().timeout(remaining(deadline, failure), TimeUnit.NANOSECONDS);
            try (Response response = call.execute()) {
                int code = response.code();
                if (REDIRECTS.contains(code)) {
                    HttpUrl target = redirectTarget(response, url);
                    Login carried = Login.of(target);
                    if (carried != null) {
                        login = carried;
                    }
                    url = Login.strip(target);
                    if (!seen.add(url)) {
                        throw KbException.inputFailed("redirect loop: " + url + " was reached twice");
                    }
                    if (++redirects > options.maxRedirects()) {
                        throw KbException.inputFailed("too many redirects (max " + options.maxRedirects() + ")");
                    }
                    attempt = 1;
                    failure = null;
                    failureCause = null;
                    continue;
                }
                if (code == 304 && previous != null) {
                    deleteDestination(dest);
                    return new FetchResult(true, requested, url.uri(), response.header("Content-Type"),
                            NameHint.of(response.header("Content-Disposition"), url),
                            orElse(response.header("ETag"), previous.etag()),
                            orElse(response.header("Last-Modified"), previous.lastModified()), null, -1,
                            NameHint.isHost(response.header("Content-Disposition"), url));
                }
                if (RetryPolicy.isRetryableStatus(code)) {
                    failure = status(response);
                    failureCause = null;
                    retryAfter = response.header("Retry-After");
                } else if (!response.isSuccessful()) {
                    throw KbException.inputFailed(status(response));
                } else {
                    return save(response, requested, url, dest);
                }
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw KbException.inputFailed("interrupted", e);
                }
                if (e instanceof InterruptedIOException || deadline - System.nanoTime() <= 0) {
                    // the call had all the time left, so whatever ended it, the deadline has come
                    throw KbException.inputFailed(timedOut(null).getMessage(), e);
                }
                failure = describe(e, url);
                failureCause = e;
                if (!RetryPolicy.isRetryable(call, e)) {
                    throw KbException.inputFailed(failure, e);
                }
            }
            if (attempt >= options.retry().maxAttempts()) {
                // the last network error stays the cause, for --verbose
                throw KbException.inputFailed(failure + (attempt > 1 ? " after " + attempt + " attempts" : ""),
                        failureCause);
            }
            attempt++;
            sleepBeforeRetry(options.retry().delayBefore(attempt, retryAfter, Instant.now()), deadline, failure);
        }
    }

    private static Request request(HttpUrl url, Validators previous, String authorization) {
        // No Accept-Encoding: OkHttp then asks for gzip itself and decodes it, so the bytes we
        // count and hash are the document's, and a gzip bomb meets the size bound decoded.
        Request.Builder b = new Request.Builder().url(url).get().header("Accept", "*/*");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (previous != null) {
            if (isHeaderSafe(previous.etag())) {
                b.header("If-None-Match", previous.etag());
            }
            if (isHeaderSafe(previous.lastModified())) {
                b.header("If-Modified-Since", previous.lastModified());
            }
        }
        return b.build();
    }

    private static boolean isHeaderSafe(String value) {
        return value != null && !value.isBlank() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static HttpUrl redirectTarget(Response response, HttpUrl from) {
        String location = response.header("Location");
        if (location == null || location.isBlank()) {
            throw KbException.inputFailed(status(response) + " without a Location header");
        }
        HttpUrl next = from.resolve(location.strip());
        if (next == null) {
            throw KbException.inputFailed("redirect to an unsupported or malformed URL: "
                    + oneLine(withoutUserInfo(location)));
        }
        return next.newBuilder().fragment(null).build();
    }

    /**
     * Streams the body to {@code dest}, hashing as it goes, and fsyncs it. A network error comes
     * out as IOException (so it may be retried); anything about the limit or the local file as
     * KbException (so it is not).
     */
    private FetchResult save(Response response, URI requested, HttpUrl url, Path dest) throws IOException {
        ResponseBody body = response.body();
        long announced = body.contentLength();
        if (announced > options.maxBytes()) {
            throw tooLarge(": the server announced " + Sizes.format(announced));
        }
        MessageDigest sha256 = sha256();
        long size = 0;
        FileChannel out = openDestination(dest);
        try (InputStream in = body.byteStream()) {
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int n; (n = in.read(buffer)) != -1; ) {
                size += n;
                // Checked before writing, so neither the disk nor the inflater gets further than
                // one buffer past the limit, whatever the compression ratio.
                if (size > options.maxBytes()) {
                    throw tooLarge("");
                }
                sha256.update(buffer, 0, n);
                write(out, buffer, n, dest);
            }
            // The caller publishes the file by rename; without this a crash after the rename can
            // leave a registered document whose bytes never reached the disk.
            force(out, dest);
        } finally {
            closeQuietly(out);
        }
        return new FetchResult(false, requested, url.uri(), response.header("Content-Type"),
                NameHint.of(response.header("Content-Disposition"), url),
                response.header("ETag"), response.header("Last-Modified"),
                HexFormat.of().formatHex(sha256.digest()), size,
                NameHint.isHost(response.header("Content-Disposition"), url));
    }

    private KbException tooLarge(String detail) {
        return KbException.inputFailed("larger than " + Sizes.format(options.maxBytes()) + " (--max-size)" + detail);
    }

    private static FileChannel openDestination(Path dest) {
        try {
            // TRUNCATE: a retry after a broken body must not keep the first attempt's bytes.
            return FileChannel.open(dest, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw cannotWrite(dest, e);
        }
    }

    private static void write(FileChannel out, byte[] buffer, int length, Path dest) {
        ByteBuffer bb = ByteBuffer.wrap(buffer, 0, length);
        try {
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        } catch (IOException e) {
            throw cannotWrite(dest, e);
        }
    }

    private static void force(FileChannel out, Path dest) {
        try {
            out.force(true);
        } catch (IOException e) {
            throw cannotWrite(dest, e);
        }
    }

    private static void deleteDestination(Path dest) {
        try {
            Files.deleteIfExists(dest);
        } catch (IOException e) {
            throw cannotWrite(dest, e);
        }
    }

    private static void closeQuietly(FileChannel out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // Either the data was forced already, or an earlier failure is on its way out.
        }
    }

    private static KbException cannotWrite(Path dest, IOException e) {
        return KbException.inputFailed("cannot write " + dest + ": " + oneLine(String.valueOf(e.getMessage())), e);
    }

    /** Nanoseconds left before the deadline; a KbException when none are. */
    private long remaining(long deadline, String lastFailure) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(lastFailure);
        }
        return left;
    }

    private void sleepBeforeRetry(Duration delay, long deadline, String lastFailure) {
        // Sleeping past the deadline would only postpone the same timeout.
        if (delay.toNanos() >= remaining(deadline, lastFailure)) {
            throw timedOut(lastFailure);
        }
        try {
            options.sleeper().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KbException.inputFailed("interrupted while waiting to retry " + lastFailure, e);
        }
    }

    private KbException timedOut(String lastFailure) {
        return KbException.inputFailed("timed out after " + Durations.format(options.timeout())
                + (lastFailure == null ? "" : " (last attempt: " + lastFailure + ")"));
    }

    /** One line naming the cause of a network failure that is not a timeout. */
    private static String describe(IOException e, HttpUrl url) {
        if (e instanceof UnknownHostException) {
            return "cannot resolve host " + url.host();
        }
        String hostPort = (url.host().contains(":") ? "[" + url.host() + "]" : url.host()) + ":" + url.port();
        if (e instanceof ConnectException) {
            // OkHttp's own message only names the address; the reason is in the cause.
            String reason = causeMentions(e, "refused") ? "connection refused" : message(e, true);
            return "cannot connect to " + hostPort + ": " + reason;
        }
        if (e instanceof SSLException) {
            return "TLS failure with " + hostPort + ": " + message(e, false);
        }
        // Reset, early end of stream, a broken status line: the server or a proxy dropped us.
        return "connection to " + hostPort + " failed: " + message(e, false);
    }

    private static boolean causeMentions(Throwable t, String word) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().toLowerCase(Locale.ROOT).contains(word)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The outermost (or, with {@code deepest}, innermost) message of a failure chain, on one line,
     * without OkHttp's trailing " on http://…" (the caller names the input already).
     */
    private static String message(Throwable t, boolean deepest) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
                if (!deepest) {
                    break;
                }
            }
        }
        if (message == null) {
            return t.getClass().getSimpleName();
        }
        String flat = oneLine(message.replaceFirst("\\s+on\\s+https?://\\S*$", ""));
        boolean capitalisedWord = flat.length() > 1 && Character.isUpperCase(flat.charAt(0))
                && Character.isLowerCase(flat.charAt(1));
        return capitalisedWord ? Character.toLowerCase(flat.charAt(0)) + flat.substring(1) : flat;
    }

    private static String status(Response response) {
        String reason = oneLine(response.message());
        return "HTTP " + response.code() + (reason.isEmpty() ? "" : " " + reason);
    }

    /** A server-chosen text made safe for a one-line message: no control characters, bounded length. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]+", " ").strip();
        return flat.length() <= MAX_DETAIL ? flat : flat.substring(0, MAX_DETAIL) + "…";
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
