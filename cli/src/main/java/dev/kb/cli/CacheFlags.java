package dev.kb.cli;

import dev.kb.core.cache.CacheConfig;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.kb.KnowledgeBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of add and import that choose source caches (contract: --cache SPEC, KB_CACHE). */
final class CacheFlags {
    @Option(names = "--cache", paramLabel = "SPEC",
            description = "A source cache, looked up in the order given (repeatable): none, dir, dir:PATH, "
                    + "redis://HOST:PORT, rediss://HOST:PORT or kb:PATH (default: $KB_CACHE, else .kb/cache.properties, "
                    + "else ~/.config/kb/cache.properties, else none).")
    List<String> specs = new ArrayList<>();

    @Option(names = "--cache-max-age", paramLabel = "DURATION",
            converter = OptionConverters.DurationConverter.class,
            description = "Use a cached URL without asking its server while it is younger than DURATION "
                    + "(default 0: always revalidate).")
    Duration maxAge;

    /** The caches this run uses, or null for none (then nothing of them is loaded). */
    CachePlan plan(KbCommand root, KnowledgeBase kb) {
        return CacheConfig.resolve(specs, maxAge, root.env, root.cwd, kb.root());
    }
}
