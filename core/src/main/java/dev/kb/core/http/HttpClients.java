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
     * A client with no cache and no automatic retries (callers retry through {@link RetryPolicy}).
     * {@code callTimeout} bounds a whole call, connect through the last byte of the body, so a
     * server that trickles bytes still fails on time.
     */
    public static OkHttpClient.Builder builder(Duration callTimeout) {
        return new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .callTimeout(callTimeout)
                .connectTimeout(callTimeout)
                .readTimeout(callTimeout)
                .addNetworkInterceptor(chain -> chain.proceed(
                        chain.request().newBuilder().header("User-Agent", userAgent()).build()));
    }
}
