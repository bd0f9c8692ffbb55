package dev.kb.cli;

import dev.kb.core.app.Status;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status",
        description = "Report the state of the knowledge base, without waiting for a running writer.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        Status s = Status.of(root.knowledgeBase());
        if (root.verbose()) {
            PrintWriter err = spec.commandLine().getErr();
            s.notes().forEach(n -> err.println("kb: " + n)); // one line each: their causes are made one line
            err.flush();
        }
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
            // ---- the live progress section (issue 11, "The progress section"): none published yet
            n.put("progress", null);
            spec.commandLine().getOut().println(n);
        } else {
            var o = spec.commandLine().getOut();
            o.println("knowledge base:   " + s.kb());
            o.println("documents:        " + s.documents() + SummaryView.byType(s));
            o.println("pending journals: " + s.pendingJournals()
                    + (s.pendingJournals() > 0 && s.lock().isEmpty() ? " (run 'kb recover')" : ""));
            o.println("staging orphans:  " + s.stagingOrphans());
            o.println("writer:           " + s.lock().map(h -> h.describe()).orElse("none"));
            SummaryView.human(s, o);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
