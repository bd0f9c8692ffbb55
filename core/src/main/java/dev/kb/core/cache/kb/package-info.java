/**
 * {@code kb:PATH}: another knowledge base used as a source cache, read only (a team's "public"
 * KB, written by its own cron job or CI while others read it).
 *
 * <h2>Never written, never locked</h2>
 * Nothing in the other KB is created, changed or locked: not its writer lock ({@code .kb/ingest.lock}),
 * not its registry, not SQLite's {@code -shm}/{@code -wal} files beside it. The registry is opened
 * with {@code immutable=1}, read only ({@link dev.kb.core.cache.kb.KbSnapshot}); files are opened
 * for reading, without following a link, and only at paths kb writes ({@link dev.kb.core.cache.kb.KbFiles}).
 * So its own writer never waits for a reader here, and a reader here never waits for it.
 *
 * <h2>Written meanwhile</h2>
 * Its writer may be anywhere in the commit protocol while it is read: files published but not yet
 * committed, a checkpoint rewriting the registry file under the reader, commits still only in its
 * write-ahead log. A row is used only when its files are its own: the raw file has the row's size
 * and hashes to the row's sha256 (checked as it is copied), and the page's front matter names the
 * row's sha256 and source. Anything else is a miss, never another document: quietly while that KB
 * has a mutation in flight (a journal in {@code .kb/journal/}), otherwise reported once as damage.
 *
 * <h2>What is answered</h2>
 * URLs (the bytes and validators a download got and, as the row recorded it since schema 5, what
 * that download said: the final URL, the Content-Type, the name hint; a row without that record
 * only when the rest of it says enough of the download: {@link dev.kb.core.cache.kb.UrlRecords});
 * conversions of HTML and PDF, local files
 * too, when the row records that its page was made under the very key asked for and the page
 * still hashes as it did then ({@link dev.kb.core.cache.kb.PageRecords}); PageIndex Cloud
 * documents whose row records this kb's rendering, or, recording none, when the user trusts the
 * KB's renderings ({@link dev.kb.core.cache.kb.CloudRecords}). {@link dev.kb.core.cache.kb.KbCache}
 * says why each needs what it needs: an entry that would make another document than the normal
 * path makes is never handed out.
 *
 * <h2>What a page's record proves</h2>
 * The record ({@link dev.kb.core.store.PageOrigin}, registry schema 5) is written by the add that
 * made the page, in the transaction that commits its row: the id of the cache key the page was
 * made under, the SHA-256 of its bytes, and the fields its front matter was rendered from. A KB's
 * row can say no more about its page than its writer knew, so only that writer fills it: older
 * rows, a rebuilt registry and pages of unknown origin have none, and are never served as what
 * a conversion or rendering makes.
 *
 * <h2>What a URL's record proves</h2>
 * The same add records, with a URL's row and in the same upsert, what its fetch said beyond the
 * bytes and validators ({@code fetch_fields}: {@link dev.kb.core.store.DocumentRow#fetch}), the
 * fields of the URL entry that fetch stored in a cache. A URL entry made from it is that entry, so
 * the importing KB asks for the conversion key the row's {@code page_key} names, and a URL comes
 * with its page. Without it (older rows, a rebuild), the final URL and the Content-Type are not
 * known, so neither is that key: such a URL's page is converted by the importing KB.
 */
package dev.kb.core.cache.kb;
