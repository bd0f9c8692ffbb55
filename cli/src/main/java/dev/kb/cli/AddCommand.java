package dev.kb.cli;

import dev.kb.core.cache.CacheConfig;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.input.Inputs;
import dev.kb.core.kb.KnowledgeBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "add",
        description = AddCommand.SUMMARY)
final class AddCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Ingest files, directories (walked recursively) and URLs.";

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

    @Parameters(arity = "0..*", paramLabel = "INPUT", description = "Files, directories or http(s) URLs.")
    List<String> inputs = new ArrayList<>();

    @Override
    public Integer call() {
        remote.validate(spec);
        List<String> all = list.inputs(spec, root.cwd, inputs,
                "nothing to add: give files, directories or URLs (or --from-file)");
        KnowledgeBase kb = root.knowledgeBase();
        CachePlan caches = CacheConfig.resolve(cache.specs, cache.maxAge, root.env, root.cwd, kb.root());
        Output out = new Output(spec, write.json, quiet.quiet);
        return BatchRun.ingest(kb, () -> Inputs.stream(all, root.cwd, kb, remote.urlSources(), remote.maxSize),
                "kb add", write, out, caches, root.verbose());
    }
}
