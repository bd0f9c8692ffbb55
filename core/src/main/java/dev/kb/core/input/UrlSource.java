package dev.kb.core.input;

import dev.kb.core.fetch.FetchResult;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.fetch.Validators;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.wiki.FrontMatter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        FetchResult r = fetcher.fetch(uri, raw, previous);
        if (r.notModified()) {
            return Prep.done(Outcome.skipped(input, existing.map(DocumentRow::docName).orElse(null), "not modified"));
        }
        Optional<Outcome> known = ctx.knownContent(input, sourceUri, r.sha256Hex());
        if (known.isPresent()) {
            Files.deleteIfExists(raw);
            return Prep.done(known.get());
        }
        String stem = r.nameIsHost() ? r.nameHint() : stem(r.nameHint());
        String added = FrontMatter.added(existing); // present: an update of that row
        RawConversion.Page page = RawConversion.stage(raw, r.nameHint(), r.contentType(), r.finalUri().toString(), stem,
                fetcher.options().timeout(), ctx.staging(), x -> FrontMatter.render(x.title(), sourceUri, r.sha256Hex(),
                        x.type(), added, x.metadata(), x.ownFrontMatter()));
        RawConversion.Result c = page.conversion();
        Path md = page.staged();
        return Prep.of(new Prepared(input, sourceUri, stem, c.type(), c.title(), r.sha256Hex(), r.size(), raw,
                c.extension(), md, List.of(), r.etag(), r.lastModified(), true, c.warnings(), added));
    }

    @Override
    public void abort() {
        fetcher.abort();
    }

    /** The name hint without its extension: the extension of {@code raw/} comes from the bytes. */
    static String stem(String nameHint) {
        String ext = FileSource.extension(nameHint);
        return ext.isEmpty() || ext.length() > 5 ? nameHint : nameHint.substring(0, nameHint.length() - ext.length() - 1);
    }
}
