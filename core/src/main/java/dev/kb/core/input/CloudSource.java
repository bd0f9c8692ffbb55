package dev.kb.core.input;

import dev.kb.core.cache.CacheEntry;
import dev.kb.core.cache.CacheKey;
import dev.kb.core.cache.SourceCaches;
import dev.kb.core.cloud.CloudDocument;
import dev.kb.core.cloud.CloudMarkdown;
import dev.kb.core.cloud.PageIndexClient;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.PageOrigin;
import dev.kb.core.wiki.FrontMatter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PageIndex Cloud document, identified as {@code pageindex-cloud:<id>}. An id already in the KB
 * is a skip that sends no request. There is no raw copy (the cloud keeps the original); the
 * registry's hash is of the generated Markdown, and the section tree is published beside it as
 * {@code <name>.tree.json}.
 */
public final class CloudSource implements Source {
    /** The key of {@code page_fields} that holds the section tree's SHA-256 ({@code kb:} checks it). */
    public static final String TREE_SHA256 = "tree_sha256";

    public static final String SCHEME = "pageindex-cloud:";
    /**
     * A field of a cloud entry whose page no KB recorded the rendering of (one a {@code kb:} cache
     * hands out under {@code kb.cloud = trust}): its page is used, but its row gets no
     * {@link PageOrigin}, since nothing proves it is this kb's rendering.
     */
    public static final String RENDERING_UNKNOWN = "rendering_unknown";

    private final String docId;
    private final PageIndexClient client;
    private final Duration waitReady;

    public CloudSource(String docId, PageIndexClient client, Duration waitReady) {
        this.docId = docId;
        this.client = client;
        this.waitReady = waitReady;
    }

    @Override
    public String input() {
        return docId;
    }

    @Override
    public void abort() {
        client.abort();
    }

    @Override
    public Prep prepare(PrepareContext ctx) throws Exception {
        String uri = SCHEME + docId;
        Optional<Outcome> already = ctx.bySourceUri(uri)
                .map(r -> Outcome.skipped(docId, r.docName(), "already in the knowledge base"));
        if (already.isPresent()) {
            return Prep.done(already.get());
        }
        String added = FrontMatter.added(Optional.empty()); // a registered id was skipped above
        CodeFingerprint.prefetchCloud(); // for the key of its row's origin, while the cloud is asked
        SourceCaches caches = ctx.caches();
        if (caches != null) {
            Prep cached = fromCache(ctx, caches, uri, added);
            if (cached != null) {
                return cached; // no request to the cloud at all
            }
        }
        CloudDocument doc = client.fetch(docId, waitReady);
        String title = CloudMarkdown.title(doc);
        Map<String, Object> extras = CloudMarkdown.frontMatter(doc);
        String fm = FrontMatter.render(title, uri, null, "pageindex-cloud", added, extras);
        byte[] md = FrontMatter.document(fm, CloudMarkdown.body(doc)).getBytes(StandardCharsets.UTF_8);
        Path source = ctx.staging().write(KnowledgeBase.PAGE_EXTENSION, md);
        Path tree = ctx.staging().write(KnowledgeBase.TREE_SUFFIX, doc.treeJson());
        boolean completed = "completed".equalsIgnoreCase(doc.status());
        if (caches != null && completed) {
            store(ctx, caches, title, extras, fm, md, tree);
        }
        // a document not yet completed renders otherwise once it is: no origin, as no cache entry
        return prepared(uri, title, md, source, tree, added, completed ? PageOrigins.of(cacheKey(), md,
                recorded(title, extras, tree)) : null);
    }

    private Prep prepared(String uri, String title, byte[] md, Path source, Path tree, String added,
                          PageOrigin origin) {
        return Prep.of(new Prepared(docId, uri, title, "pageindex-cloud", title, Hashing.sha256Hex(md), md.length,
                null, null, source, List.of(new Prepared.Artifact(tree, KnowledgeBase.TREE_SUFFIX)), null, null, false,
                List.of(), added, List.of(), null, origin));
    }

    /** What a cloud entry holds besides its blobs. */
    private static Map<String, Object> fields(String title, Map<String, Object> extras) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", title);
        fields.put("front_matter", extras);
        return fields;
    }

    /** The record this import commits ({@code page_fields}): the fields, and the tree's hash. */
    private static Map<String, Object> recorded(String title, Map<String, Object> extras, Path tree)
            throws IOException {
        Map<String, Object> fields = fields(title, extras);
        // the page's hash is the row's; the tree beside it is an artifact only this names, so a
        // tree edited or damaged since is never handed to another KB as this kb's rendering
        fields.put(TREE_SHA256, Hashing.sha256Hex(tree));
        return fields;
    }

    /**
     * The document from the caches ({@link CacheKey.Kind#CLOUD}, keyed by doc id): its title and
     * front-matter values, the page's bytes after the front matter ({@code body}) and the tree
     * ({@code tree}). The page is rendered as a fetch would render it, so it is the same bytes.
     * Null on a miss.
     */
    private Prep fromCache(PrepareContext ctx, SourceCaches caches, String uri, String added) throws Exception {
        Optional<SourceCaches.Hit> hit = caches.find(cacheKey());
        if (hit.isEmpty()) {
            return null;
        }
        CacheEntry e = hit.get().entry();
        if (!(e.fields().get("title") instanceof String title) || title.isBlank()
                || !(e.fields().get("front_matter") instanceof Map<?, ?> values)) {
            hit.get().notUsed();
            return null;
        }
        Path body = ctx.staging().newPath(".body");
        Path tree = ctx.staging().newPath(KnowledgeBase.TREE_SUFFIX);
        try {
            if (!hit.get().fetch(Map.of("body", body, "tree", tree))) {
                return null;
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            values.forEach((k, v) -> extras.put(String.valueOf(k), v));
            byte[] head = (FrontMatter.render(title, uri, null, "pageindex-cloud", added, extras) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] tail = Files.readAllBytes(body);
            byte[] md = new byte[head.length + tail.length];
            System.arraycopy(head, 0, md, 0, head.length);
            System.arraycopy(tail, 0, md, head.length, tail.length);
            Path source = ctx.staging().write(KnowledgeBase.PAGE_EXTENSION, md);
            // stored under this very key, the page is this kb's rendering; unless the entry says
            // that nothing recorded whose it is
            boolean known = !Boolean.TRUE.equals(e.fields().get(RENDERING_UNKNOWN));
            Prep p = prepared(uri, title, md, source, tree, added, known ? PageOrigins.of(cacheKey(), md,
                    recorded(title, extras, tree)) : null);
            tree = null; // the prepared document's now
            return p;
        } finally {
            Files.deleteIfExists(body);
            if (tree != null) {
                Files.deleteIfExists(tree);
            }
        }
    }

    private CacheKey cacheKey() {
        return new CacheKey(CacheKey.Kind.CLOUD, docId, CodeFingerprint.cloud());
    }

    /** Stores a completed document: what its page is made of, and its tree. Never fails the import. */
    private void store(PrepareContext ctx, SourceCaches caches, String title, Map<String, Object> extras, String fm,
                       byte[] md, Path tree) {
        Path body = null;
        try {
            body = ctx.staging().newPath(".body");
            int offset = (fm + "\n").getBytes(StandardCharsets.UTF_8).length;
            Files.write(body, java.util.Arrays.copyOfRange(md, offset, md.length));
            CacheEntry e = new CacheEntry(cacheKey(), caches.now(), fields(title, extras), List.of(
                    new CacheEntry.Blob("body", Hashing.sha256Hex(body), Files.size(body)),
                    new CacheEntry.Blob("tree", Hashing.sha256Hex(tree), Files.size(tree))));
            e.encode(); // a value JSON cannot hold is found here, not as a failure of every cache
            caches.store(e, Map.of("body", body, "tree", tree));
        } catch (java.io.IOException | IllegalArgumentException e) {
            // not cached: the import itself is made
        } finally {
            try {
                if (body != null) {
                    Files.deleteIfExists(body);
                }
            } catch (java.io.IOException e) {
                // in staging: removed with it
            }
        }
    }
}
