/**
 * Fetching remote documents for {@code kb add <url>}, in the prepare phase: outside the writer
 * lock, touching nothing of the knowledge base but one destination file inside the caller's
 * private staging folder.
 *
 * <h2>Protocol of {@link dev.kb.core.fetch.UrlFetcher#fetch}</h2>
 * <ol>
 *   <li><b>One deadline per document.</b> {@code --timeout} is turned into a deadline when the
 *       fetch starts. Every HTTP call (each redirect hop, each retry) gets only the time left as
 *       its call timeout, which covers connect, headers and the whole body; a server that
 *       trickles one byte a second still fails on time. A retry whose wait would end after the
 *       deadline is not waited for: the fetch fails with the timeout at once.</li>
 *   <li><b>Redirects</b> are followed here, not by OkHttp, so each hop shares the deadline and
 *       is checked: only http and https (either way), relative locations resolved, at most
 *       {@code maxRedirects}, and a URL reached twice is a loop.</li>
 *   <li><b>Retries</b> follow {@link dev.kb.core.http.RetryPolicy}, the rule the PageIndex Cloud
 *       client follows too: 429, 500, 502, 503, 504, refused and dropped connections (reset,
 *       early end of stream, also in the middle of the body) are retried up to
 *       {@code maxAttempts()}, waiting {@code delayBefore}, which honours Retry-After. Everything
 *       else fails at once: other statuses, DNS failure, TLS failure, timeout, a call cancelled
 *       by {@code abort()}.</li>
 *   <li><b>Size bound.</b> {@code --max-size} bounds the decoded bytes. A Content-Length above it
 *       fails before the body is read; otherwise bytes are counted while streaming, and the
 *       fetch stops within one buffer of the limit. OkHttp asks for gzip and decodes it itself,
 *       so a small gzip bomb is stopped by the same count.</li>
 *   <li><b>No partial files.</b> The body streams into the destination while its SHA-256 is
 *       computed (one pass), and the file is fsynced before the fetch returns, because the caller
 *       publishes it by rename. Any failure, at any step, deletes the destination; a 304 Not
 *       Modified leaves none either. So the destination exists after {@code fetch} exactly when
 *       a complete, durable body was returned.</li>
 * </ol>
 *
 * <h2>Errors</h2>
 * Every failure is a {@link dev.kb.core.KbException} of kind {@code INPUT_FAILED} whose message is
 * one line naming the cause only ("HTTP 404 Not Found", "timed out after 1m", "larger than
 * 512 MiB (--max-size)", "cannot resolve host example.invalid"); the caller prefixes the input.
 * A URL argument with another scheme or a malformed one is a {@code USAGE} error from
 * {@link dev.kb.core.fetch.UrlFetcher#parseUrl}.
 *
 * <p>The document type is not decided here: the Content-Type header is passed on as a hint, and
 * the name hint is one path segment that the caller still sanitises.
 */
package dev.kb.core.fetch;
