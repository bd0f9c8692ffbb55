/**
 * Source caches: what was downloaded, converted or imported once is not downloaded, converted or
 * imported again, by this KB or another, on this host or (through a shared provider) another.
 * A cache only ever makes kb faster: a KB built with any cache is byte for byte the KB built with
 * none (in {@code raw/} and {@code wiki/sources/}, modulo times).
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link dev.kb.core.cache.SourceCache}: the provider SPI. Plain storage of entries and
 *     blobs; may fail in any way. {@code initialize} is idempotent, and any other call before it
 *     throws {@link java.lang.IllegalStateException}.</li>
 * <li>{@link dev.kb.core.cache.CacheProviders}: the registry, one default list of
 *     {@link dev.kb.core.cache.SourceCacheProvider} factories, one per scheme of the contract's SPEC
 *     ({@code none}, {@code dir[:PATH]}, {@code redis://}, {@code rediss://}, {@code kb:PATH}).
 *     A scheme without a provider yet has a {@code notSupportedYet} slot: its SPEC is a usage error.</li>
 * <li>{@link dev.kb.core.cache.CacheConfig}: which caches a run uses (flags, {@code KB_CACHE}, the
 *     KB's and the user's {@code cache.properties}), and the trivial check that keeps all of this
 *     unloaded when none is configured.</li>
 * <li>{@link dev.kb.core.cache.SourceCaches}: the caches of one run made safe; the only way the
 *     prepare path ({@code dev.kb.core.input}) uses them.</li>
 * </ul>
 *
 * <h2>Keys</h2>
 * A {@link dev.kb.core.cache.CacheKey} is a kind, a natural name and a version; providers store
 * under its {@code id()}, the SHA-256 of all three. Kinds:
 * <ul>
 * <li>{@code URL}: name = the URL normalised (scheme and host lower case, default port and
 *     fragment dropped) and without userinfo; blob {@code raw} = the bytes fetched, fields = what
 *     kb keeps of the response (final URL, Content-Type, ETag, Last-Modified, name hint). Used
 *     after a conditional request with its validators is answered 304, or without any request
 *     while younger than {@code --cache-max-age}; a 200 refreshes it.</li>
 * <li>{@code CONVERSION}: name = the raw bytes' SHA-256 and every input of the conversion (file
 *     name, declared type, base URL, stem); version = the converter's identity (kb's version and
 *     a fingerprint of the converter code and libraries); fields = type, extension, title,
 *     metadata, the file's own front matter, warnings; blob {@code body} = the page's bytes after
 *     its front matter. Local files too: a PDF converted anywhere is not converted again.</li>
 * <li>{@code CLOUD}: name = the PageIndex Cloud doc id of a {@code completed} document; fields =
 *     its title and front-matter values; blobs {@code body} and {@code tree}.</li>
 * </ul>
 * Nothing secret is ever part of a key, an entry or a message: URL keys refuse userinfo, a
 * cache is shown by its SPEC without the password ({@link dev.kb.core.cache.CacheSpec#shown}).
 *
 * <h2>Verification by hash</h2>
 * An entry's stored form carries the SHA-256 of its own JSON ({@link dev.kb.core.cache.CacheEntry#encode});
 * a blob is stored under the SHA-256 of its bytes, and {@link dev.kb.core.cache.SourceCaches}
 * re-hashes every blob it copies out before anyone uses it. Nothing from a cache is trusted
 * without its hash, whatever the provider says.
 *
 * <h2>Degraded results</h2>
 * A miss is never an error. Absent, malformed or truncated entries, blobs whose bytes do not
 * match their hash, entries of another key or converter version, an unreachable server, a
 * timeout, a full disk: each falls back to the normal path (download, convert, import). A
 * damaged entry is removed from its cache. At most one warning per cache per run, on stderr,
 * naming the cache and the cause.
 *
 * <h2>Circuit breaker and deadlines</h2>
 * Every provider call runs on a worker thread within {@link dev.kb.core.cache.CacheOptions#deadline}
 * (default 250 ms; one more for every 8 MiB it moves). The first failure (exception or timeout,
 * {@code initialize} included) opens the cache's circuit: it is not asked again in this run. So an
 * outage costs a batch one deadline, not one per document.
 *
 * <h2>Layering</h2>
 * Caches are asked in the order given; the first that holds a sound entry answers, and its
 * entry and blobs are then stored in the caches before it (a team's shared Redis behind a local
 * {@code dir}); a store goes to every cache still in use.
 *
 * <h2>Writing a provider</h2>
 * Implement {@link dev.kb.core.cache.SourceCache} and a {@link dev.kb.core.cache.SourceCacheProvider}
 * whose class loads nothing heavy (a client library is touched only in {@code create} and
 * after), put the factory in {@link dev.kb.core.cache.CacheProviders#defaults} in place of its
 * scheme's slot, and extend {@code SourceCacheContractTest} (core test sources) in its test.
 */
package dev.kb.core.cache;
