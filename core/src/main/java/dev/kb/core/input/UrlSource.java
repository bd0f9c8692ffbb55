package dev.kb.core.input;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.fetch.FetchResult;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.fetch.Validators;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.wiki.FrontMatter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A web document. Downloaded into private staging (never under the writer lock), identified by
 * the URL the user gave without its userinfo; re-adding sends the stored validators, and a 304 is
 * a skip. Credentials in the URL ({@code http://user:password@host/doc}) are sent by the fetcher
 * and appear nowhere else: not in the source kept in the registry, the page and the log, nor in
 * the input shown in events and messages.
 */
public final class UrlSource implements Source {
    private final URI uri;
    private final String input;
    private final UrlFetcher fetcher;

    /**
     * @param uri   what to fetch, credentials included
     * @param input the argument as given; kept without its userinfo
     */
    public UrlSource(URI uri, String input, UrlFetcher fetcher) {
        this.uri = uri;
        this.input = UrlFetcher.withoutUserInfo(input);
        this.fetcher = fetcher;
    }

    @Override
    public String input() {
        return input;
    }

    @Override
    public Prep prepare(PrepareContext ctx) throws Exception {
        String sourceUri = input;
        Optional<DocumentRow> existing = ctx.bySourceUri(sourceUri);
        Validators previous = existing.map(r -> r.etag() == null && r.lastModified() == null
                ? null : new Validators(r.etag(), r.lastModified())).orElse(null);
        Path raw = ctx.staging().newPath(".raw");
        FetchResult r = ctx.caches() == null ? null : fromCache(ctx.caches(), raw, previous);
        if (r == null) {
            r = fetcher.fetch(uri, raw, previous);
            if (!r.notModified() && ctx.caches() != null) {
                CachedUrl.store(ctx.caches(), CachedUrl.key(uri), r, raw); // a 200 refreshes the entry
            }
        }
        if (r.notModified()) {
            return Prep.done(Outcome.skipped(input, existing.map(DocumentRow::docName).orElse(null), "not modified"));
        }
        Optional<Outcome> known = ctx.knownContent(input, sourceUri, r.sha256Hex());
        if (known.isPresent()) {
            Files.deleteIfExists(raw);
            return Prep.done(known.get());
        }
        FetchResult f = r;
        String stem = f.nameIsHost() ? f.nameHint() : stem(f.nameHint());
        String added = FrontMatter.added(existing); // present: an update of that row
        RawConversion.Page page = RawConversion.stage(raw, f.sha256Hex(), f.nameHint(), f.contentType(),
                f.finalUri().toString(), stem, fetcher.options().timeout(), ctx.staging(), ctx.caches(),
                x -> FrontMatter.render(x.title(), sourceUri, f.sha256Hex(), x.type(), added, x.metadata(),
                        x.ownFrontMatter()));
        RawConversion.Result c = page.conversion();
        Path md = page.staged();
        return Prep.of(new Prepared(input, sourceUri, stem, c.type(), c.title(), f.sha256Hex(), f.size(), raw,
                c.extension(), md, List.of(), f.etag(), f.lastModified(), true, c.warnings(), added, List.of(), null,
                page.origin(), CachedUrl.record(f)));
    }

    /**
     * The document from the caches, its bytes in {@code raw}, when they hold it and either it is
     * younger than {@code --cache-max-age} (no request at all) or a conditional request with its
     * validators is answered 304; a 304 to the registry's own validators ({@code previous}) is the
     * usual "not modified". Null: fetch it as without caches ({@code raw} absent).
     */
    private FetchResult fromCache(SourceCaches caches, Path raw, Validators previous) throws Exception {
        CacheKey key = CachedUrl.key(uri);
        Optional<SourceCaches.Hit> hit = key == null ? Optional.empty() : caches.find(key);
        if (hit.isEmpty()) {
            return null;
        }
        CacheEntry entry = hit.get().entry();
        CacheEntry.Blob blob = entry.blob(CachedUrl.RAW).orElse(null);
        if (blob == null || blob.size() > fetcher.options().maxBytes() || CachedUrl.result(entry, uri, null) == null) {
            hit.get().notUsed();
            return null; // not usable here: over this run's --max-size, which the fetch reports
        }
        if (CachedUrl.fresh(entry, caches)) {
            return hit.get().fetch(Map.of(CachedUrl.RAW, raw)) ? CachedUrl.result(entry, uri, null) : null;
        }
        Validators cached = CachedUrl.validators(entry);
        if (cached == null) {
            hit.get().notUsed();
            return null; // nothing to revalidate with: a plain fetch
        }
        FetchResult r = fetcher.fetch(uri, raw, previous != null ? previous : cached);
        if (!r.notModified() || previous != null) {
            hit.get().notUsed();
        }
        if (!r.notModified()) {
            CachedUrl.store(caches, key, r, raw); // changed: the new bytes replace the entry
            return r;
        }
        if (previous != null) {
            return r; // the KB's own copy is current: a skip, whatever the cache holds
        }
        Validators confirmed = new Validators(r.etag(), r.lastModified());
        boolean sameEnd = r.finalUri().toString().equals(entry.text("final_url"));
        if (!sameEnd) {
            // The 304 came from another URL than the entry's final one (a redirect added, moved or
            // gone since, or one a kb: cache could not know of): the bytes may be the same, but the
            // name and an HTML page's links come from where the request ends. Fetched anew.
            hit.get().notUsed();
        }
        if (!sameEnd || !hit.get().fetch(Map.of(CachedUrl.RAW, raw))) {
            FetchResult anew = fetcher.fetch(uri, raw, null); // or the cached bytes failed verification
            if (!anew.notModified()) {
                CachedUrl.store(caches, key, anew, raw);
            }
            return anew;
        }
        FetchResult fromEntry = CachedUrl.result(entry, uri, confirmed);
        CachedUrl.store(caches, key, fromEntry, raw); // revalidated now: --cache-max-age counts from here
        return fromEntry;
    }

    @Override
    public void abort() {
        fetcher.abort();
    }

    /** The name hint without its extension: the extension of {@code raw/} comes from the bytes. */
    public static String stem(String nameHint) {
        String ext = FileSource.extension(nameHint);
        return ext.isEmpty() || ext.length() > 5 ? nameHint : nameHint.substring(0, nameHint.length() - ext.length() - 1);
    }
}
