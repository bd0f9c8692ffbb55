package dev.kb.cli;

import dev.kb.core.KbException;
import dev.kb.core.cache.CacheConfig;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cloud.PageIndexClient;
import dev.kb.core.http.RetryPolicy;
import dev.kb.core.http.Sleeper;
import dev.kb.core.input.CloudSource;
import dev.kb.core.input.Expansion;
import dev.kb.core.input.Inputs;
import dev.kb.core.kb.KnowledgeBase;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "import",
        description = {ImportCommand.SUMMARY,
                "Needs PAGEINDEX_API_KEY; PAGEINDEX_BASE_URL overrides the service address."})
final class ImportCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Import documents from PageIndex Cloud.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Mixin
    RemoteOptions remote;

    @Mixin
    InputListOptions list;

    @Mixin
    QuietOption quiet;

    @Mixin
    CacheFlags cache;

    @Option(names = "--cloud", required = true, description = "Import from PageIndex Cloud (the only source so far).")
    boolean cloud;

    @Option(names = "--wait-ready", paramLabel = "DURATION", defaultValue = "0",
            converter = OptionConverters.DurationConverter.class,
            description = "Wait up to DURATION for a document that is still processing (default: do not wait).")
    Duration waitReady;

    @Parameters(arity = "0..*", paramLabel = "DOC_ID", description = "PageIndex Cloud document ids.")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() {
        remote.validate(spec);
        List<String> all = list.inputs(spec, root.cwd, ids, "nothing to import: give document ids (or --from-file)");
        LinkedHashSet<String> valid = new LinkedHashSet<>();
        for (String id : all) {
            valid.add(PageIndexClient.validateDocId(id));
        }
        String key = root.env.get("PAGEINDEX_API_KEY");
        if (key == null || key.isBlank()) {
            throw new KbException(KbException.Kind.USAGE,
                    "PAGEINDEX_API_KEY is not set: export your PageIndex Cloud API key in it");
        }
        KnowledgeBase kb = root.knowledgeBase();
        CachePlan caches = CacheConfig.resolve(cache.specs, cache.maxAge, root.env, root.cwd, kb.root());
        String base = root.env.getOrDefault("PAGEINDEX_BASE_URL", PageIndexClient.DEFAULT_BASE_URL);
        URI baseUri;
        try {
            baseUri = URI.create(base.strip());
        } catch (IllegalArgumentException e) {
            throw new KbException(KbException.Kind.USAGE, "PAGEINDEX_BASE_URL is not a URL: "
                    + dev.kb.core.fetch.UrlFetcher.shown(base.strip()));
        }
        PageIndexClient client = new PageIndexClient(baseUri, key, remote.timeout, RetryPolicy.DEFAULT, Sleeper.REAL,
                Clock.systemUTC(), remote.maxSize);
        List<Inputs.Item> items = new ArrayList<>();
        for (String id : valid) {
            items.add(new Inputs.Item(new CloudSource(id, client, waitReady), null));
        }
        return BatchRun.ingest(kb, () -> Expansion.of(items), "kb import --cloud", write, new Output(spec, write.json, quiet.quiet),
                caches, root.verbose());
    }
}
