/**
 * Reading documents from PageIndex Cloud for {@code kb import --cloud <doc_id>}: the HTTP client
 * ({@link dev.kb.core.cloud.PageIndexClient}) and the Markdown rendering
 * ({@link dev.kb.core.cloud.CloudMarkdown}). Skipping already-imported ids, locking, naming and
 * committing belong to the caller; nothing here touches the knowledge base.
 *
 * <h2>Requests</h2>
 * Three GETs per document, in this order, each carrying the header {@code api_key: <key>} and the
 * id as one percent-encoded path segment:
 * <ol>
 *   <li>{@code /doc/{id}/metadata/} — its {@code status} decides whether to go on:
 *       {@code completed} goes on; {@code failed} fails the document; anything else
 *       ({@code processing}, {@code queued}, {@code pending}) fails with "still processing, try
 *       again later or use --wait-ready", unless a wait budget was given.</li>
 *   <li>{@code /doc/{id}/?type=tree&summary=true} — the section tree.</li>
 *   <li>{@code /doc/{id}/?type=ocr&format=page} — every page, in one response however long the
 *       document (the older OpenKB tool re-downloaded it per 1000-page window).</li>
 * </ol>
 * A tree or OCR answer with an unfinished status or without a result (or a 202) counts as
 * "still processing" too, so a half-ready document never turns into a vague "no content" error.
 * Older response shapes are accepted: the tree under {@code tree} or {@code structure}, OCR pages
 * keyed {@code page}/{@code content}, summaries under {@code prefix_summary}.
 *
 * <h2>Waiting and retrying</h2>
 * Under {@code --wait-ready D} the client re-polls whichever request said "processing" after
 * 1 s, 2 s, 4 s … (at most 30 s), through the injected {@code Sleeper} and {@code Clock}; no pause
 * runs past the deadline fixed when the fetch began, and reaching it fails with "still processing
 * after D". Independently, each request is retried as the shared
 * {@link dev.kb.core.http.RetryPolicy} says, the rule URL fetching follows too: 429, 500, 502, 503,
 * 504, refused and dropped connections, honouring {@code Retry-After}; a timeout, an unknown host
 * or a TLS failure is not retried. The contract's {@code --timeout} is one budget for the whole document:
 * each request may take only what earlier requests, retries and retry pauses have left of it (the
 * pauses of {@code --wait-ready} come on top), and a retry pause that would outlast it fails the
 * document at once. Errors are one line with the cause only (the caller names the input):
 * 401 names {@code PAGEINDEX_API_KEY}, 404 says the document was not found, other statuses carry
 * the service's {@code errorCode: error} when it sent one, a body that is not the expected JSON is
 * "unexpected response from PageIndex Cloud: <reason>".
 *
 * <h2>Key hygiene</h2>
 * The key lives in one private field of the client and in the request header, nowhere else:
 * redirects are not followed (OkHttp would resend a custom header to the new host), plain http is
 * refused except to a loopback host (local fakes), every failure message is scrubbed of the key in
 * case a server echoes it, a key with characters OkHttp would reject (quoting the value in its
 * exception) is refused up front, and {@code toString()} of the client and of every record here
 * leaves it out. Nothing in this package logs.
 */
package dev.kb.core.cloud;
