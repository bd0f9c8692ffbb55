package dev.kb.core.input;

import dev.kb.core.cloud.CloudDocument;
import dev.kb.core.cloud.CloudMarkdown;
import dev.kb.core.cloud.PageIndexClient;
import dev.kb.core.fs.Hashing;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.wiki.FrontMatter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A PageIndex Cloud document, identified as {@code pageindex-cloud:<id>}. An id already in the KB
 * is a skip that sends no request. There is no raw copy (the cloud keeps the original); the
 * registry's hash is of the generated Markdown, and the section tree is published beside it as
 * {@code <name>.tree.json}.
 */
public final class CloudSource implements Source {
    public static final String SCHEME = "pageindex-cloud:";

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
        CloudDocument doc = client.fetch(docId, waitReady);
        String title = CloudMarkdown.title(doc);
        String added = FrontMatter.added(Optional.empty()); // a registered id was skipped above
        String fm = FrontMatter.render(title, uri, null, "pageindex-cloud", added, CloudMarkdown.frontMatter(doc));
        byte[] md = FrontMatter.document(fm, CloudMarkdown.body(doc)).getBytes(StandardCharsets.UTF_8);
        Path source = ctx.staging().write(KnowledgeBase.PAGE_EXTENSION, md);
        Path tree = ctx.staging().write(KnowledgeBase.TREE_SUFFIX, doc.treeJson());
        return Prep.of(new Prepared(docId, uri, title, "pageindex-cloud", title, Hashing.sha256Hex(md), md.length,
                null, null, source, List.of(new Prepared.Artifact(tree, KnowledgeBase.TREE_SUFFIX)), null, null, false, List.of(), added));
    }
}
