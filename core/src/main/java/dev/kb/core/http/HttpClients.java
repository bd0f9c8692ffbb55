package dev.kb.core.http;

import dev.kb.core.Version;
import java.time.Duration;
import okhttp3.OkHttpClient;

/** The one place OkHttp clients are configured, so every remote call identifies itself alike. */
public final class HttpClients {
    private HttpClients() {
    }

    public static String userAgent() {
        return "kb/" + Version.get() + " (+https://github.com/kb-cli/kb)";
    }

    /**
     * A client with no cache; callers retry failed requests through {@link RetryPolicy}.
     * {@code callTimeout} bounds a whole call, connect through the last byte of the body, so a
     * server that trickles bytes still fails on time.
     *
     * <p>OkHttp's own retry stays on, for what it covers and kb's cannot: a pooled connection the
     * server closed while it sat idle (every connection of an HTTP/1.0 server without keep-alive,
     * which OkHttp pools all the same). For a failed connection it retries only on one that had already served a
     * request, or on another address of the host, never a request on a fresh connection to the one
     * address there is; without it each of kb's attempts drew the next dead connection from the
     * pool, and documents failed "after 3 attempts" from a server that answered every request. It
     * also repeats a request once, at once, after a 408 (the server timed the request out), so one
     * of kb's attempts at such a server may be two requests. kb sends only GETs, which may be sent
     * twice.
     */
    public static OkHttpClient.Builder builder(Duration callTimeout) {
        return new OkHttpClient.Builder()
                .retryOnConnectionFailure(true)
                .callTimeout(callTimeout)
                .connectTimeout(callTimeout)
                .readTimeout(callTimeout)
                .addNetworkInterceptor(chain -> chain.proceed(
                        chain.request().newBuilder().header("User-Agent", userAgent()).build()));
    }
}
