package dev.kb.cli;

import dev.kb.core.app.Status;
import dev.kb.core.kb.KnowledgeBase;
import java.io.PrintWriter;
import dev.kb.core.progress.Progress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status",
        description = StatusCommand.SUMMARY)
final class StatusCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Report the state of the knowledge base, without waiting for a running writer.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object on stdout.")
    boolean json;

    @Option(names = "--watch", arity = "0..1", paramLabel = "INTERVAL", fallbackValue = "1s",
            converter = OptionConverters.DurationConverter.class,
            description = "Report again every INTERVAL (default 1s) until Ctrl-C: redrawn in place on a terminal, "
                    + "one JSON object per interval with --json, else a block per interval.")
    Duration watch;

    @Override
    public Integer call() {
        if (watch == null) {
            return report();
        }
        if (watch.isZero()) {
            throw new ParameterException(spec.commandLine(), "--watch INTERVAL must be longer than 0 (e.g. 1s, 500ms)");
        }
        return StatusWatch.run(spec.commandLine(), watch, json, root.env, this::report);
    }

    /** One report on stdout. */
    private Integer report() {
        return report(root.knowledgeBase(), json, root.verbose(), spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /** One report of {@code kb} on {@code out}; also what {@link PolledStatus} runs. */
    static int report(KnowledgeBase kb, boolean json, boolean verbose, PrintWriter out, PrintWriter err) {
        Status s = Status.of(kb);
        if (verbose) {
            s.notes().forEach(n -> err.println("kb: " + n)); // one line each: their causes are made one line
            err.flush();
        }
        // the live progress section (dev.kb.core.progress): its own lines, kept apart from the summary's
        List<Progress> live = s.progress();
        if (json) {
            var n = Output.object();
            n.put("kb", s.kb().toString());
            n.put("documents", s.documents());
            n.put("pending_journals", s.pendingJournals());
            n.put("staging_orphans", s.stagingOrphans());
            if (s.lock().isPresent()) {
                var l = n.putObject("lock");
                l.put("pid", s.lock().get().pid());
                l.put("command", s.lock().get().command());
                l.put("since", s.lock().get().since() == null ? null : s.lock().get().since().toString());
            } else {
                n.put("lock", null);
            }
            n.put("revision", s.revision());
            n.put("stale", s.stale());
            SummaryView.json(n, s);
            ProgressView.json(n, live);
            out.println(n);
        } else {
            var o = out;
            o.println("knowledge base:   " + s.kb());
            o.println("documents:        " + s.documents() + SummaryView.byType(s));
            o.println("pending journals: " + s.pendingJournals()
                    + (s.pendingJournals() > 0 && s.lock().isEmpty() ? " (run 'kb recover')" : ""));
            o.println("staging orphans:  " + s.stagingOrphans());
            o.println("writer:           " + s.lock().map(h -> h.describe()).orElse("none"));
            SummaryView.human(s, o);
            ProgressView.human(o, live);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
