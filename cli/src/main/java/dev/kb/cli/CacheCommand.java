package dev.kb.cli;

import dev.kb.core.KbException;
import dev.kb.core.cache.CacheConfig;
import dev.kb.core.cache.CachePlan;
import dev.kb.core.cache.CacheStats;
import dev.kb.core.cache.DirCache;
import dev.kb.core.cache.SourceCache;
import dev.kb.core.cache.kb.KbCache;
import dev.kb.core.input.Inputs;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Sizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cache",
        description = {CacheCommand.SUMMARY,
                "Without SPEC: the caches KB_CACHE or the config files name, else the default dir cache."},
        subcommands = {CacheCommand.Stats.class, CacheCommand.Verify.class, CacheCommand.Clear.class})
final class CacheCommand implements Runnable {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Inspect or empty the source caches that add and import use.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (stats, verify, clear)");
    }

    /** One of stats, verify, clear: resolves the caches, then acts on each in turn. */
    abstract static class Action implements Callable<Integer> {
        @ParentCommand
        CacheCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "One JSON object per cache on stdout.")
        boolean json;

        @Parameters(arity = "0..*", paramLabel = "SPEC",
                description = "The caches: none, dir, dir:PATH, redis://HOST:PORT, rediss://HOST:PORT or kb:PATH.")
        List<String> specs = new ArrayList<>();

        /** Does this action on an initialised cache, filling {@code n} (JSON) and returning the human line's rest. */
        abstract String act(SourceCache c, JsonLine n) throws IOException;

        @Override
        public Integer call() {
            KbCommand root = parent.root;
            Path kbRoot;
            try {
                kbRoot = root.knowledgeBase().root();
            } catch (KbException noKb) {
                kbRoot = null; // caches outlive KBs: only the KB's own config file is then not read
            }
            CachePlan plan = CacheConfig.resolveForMaintenance(specs, root.env, root.cwd, kbRoot);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int failed = 0;
            for (SourceCache c : plan.caches()) {
                JsonLine n = Output.object();
                n.put("cache", c.id());
                try {
                    c.initialize(plan.services());
                    Path where = c instanceof DirCache d ? d.directory() : c instanceof KbCache k ? k.root() : null;
                    if (where != null) {
                        n.put("path", where.toString());
                    }
                    String line = act(c, n);
                    out.println(json ? n.toString() : Inputs.printable(c.id() + (where != null ? " (" + where + ")" : ""))
                            + ": " + line);
                } catch (IOException | RuntimeException e) {
                    if (e instanceof KbException k && k.kind() == KbException.Kind.USAGE) {
                        throw k;
                    }
                    failed++;
                    String cause = Causes.oneLine(e instanceof java.io.UncheckedIOException u ? u.getCause() : e);
                    err.println(Inputs.printable("kb: cache " + c.id() + ": " + cause));
                    if (root.verbose()) {
                        e.printStackTrace(err);
                    }
                    if (json) {
                        JsonLine f = Output.object();
                        f.put("cache", c.id());
                        f.put("error", cause);
                        out.println(f);
                    }
                } finally {
                    c.close();
                }
            }
            out.flush();
            err.flush();
            return failed > 0 ? ExitCodes.INPUT_FAILED : ExitCodes.OK;
        }
    }

    @Command(name = "stats", description = "Show each cache's entries, bytes, and hits and misses over all runs.")
    static final class Stats extends Action {
        @Override
        String act(SourceCache c, JsonLine n) throws IOException {
            CacheStats s = c.stats();
            n.put("entries", s.entries());
            n.put("bytes", s.bytes());
            n.put("hits", s.hits());
            n.put("misses", s.misses());
            return s.entries() + " entries, " + Sizes.format(s.bytes()) + ", " + s.hits() + " hits, " + s.misses()
                    + " misses";
        }
    }

    @Command(name = "verify", description = "Re-hash every entry of each cache and drop those that fail.")
    static final class Verify extends Action {
        @Override
        String act(SourceCache c, JsonLine n) throws IOException {
            CacheStats.Verified v = c.verify();
            n.put("checked", v.checked());
            n.put("dropped", v.dropped());
            n.put("failed", v.failed());
            n.put("kept", v.kept());
            StringBuilder line = new StringBuilder(v.checked() + " checked, " + v.dropped() + " dropped");
            if (!v.kept().isEmpty()) {
                // a read-only cache (another KB) cannot drop them: each is a miss until its owner repairs it
                line.append(", ").append(v.kept().size()).append(" failed and kept (read only; each is a miss)");
                for (String k : v.kept()) {
                    line.append("\n  ").append(Inputs.printable(k));
                }
            }
            return line.toString();
        }
    }

    @Command(name = "clear", description = "Empty each cache.")
    static final class Clear extends Action {
        @Override
        String act(SourceCache c, JsonLine n) throws IOException {
            c.clear();
            n.put("cleared", true);
            return "cleared";
        }
    }
}
