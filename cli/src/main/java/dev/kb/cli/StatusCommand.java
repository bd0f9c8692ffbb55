package dev.kb.cli;

import dev.kb.core.app.Status;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.RegistrySnapshot;
import dev.kb.core.text.Sizes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status",
        description = "Report the state of the knowledge base, without waiting for a running writer.")
final class StatusCommand implements Callable<Integer> {
    /** Commits the human output lists under "recent activity" (--json has all the summary keeps). */
    static final int RECENT_SHOWN = 5;

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
            s.notes().forEach(n -> err.println("kb: " + n)); // one line each: causes are made one line
            err.flush();
        }
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(json(s));
        } else {
            human(s, o);
        }
        o.flush();
        return ExitCodes.OK;
    }

    private static JsonLine json(Status s) {
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
        summary(n, s);
        // ---- the live progress section (issue 11, "The progress section"): none published yet
        n.put("progress", null);
        return n;
    }

    /** The core section's keys: the summary of {@code summary_revision}. */
    private static void summary(JsonLine n, Status s) {
        RegistrySnapshot r = s.summary().registry();
        n.put("summary_revision", Math.max(0, r.revision()));
        if (s.stale()) {
            n.put("age_seconds", s.summaryAge().toSeconds());
        }
        var byType = n.putObject("by_type");
        r.byType().forEach((type, t) -> byType.putObject(type).put("documents", t.documents()).put("bytes", t.bytes()));
        n.put("total_bytes", r.bytes());
        RegistrySnapshot.Commit last = r.lastCommit();
        if (last == null) {
            n.put("last_commit", null);
        } else {
            commit(n.putObject("last_commit"), last);
        }
        List<JsonLine> recent = new ArrayList<>();
        for (RegistrySnapshot.Commit c : r.recent()) {
            recent.add(commit(new JsonLine(), c));
        }
        n.put("recent", recent);
        n.put("quarantined_journals", s.quarantinedJournals());
    }

    private static JsonLine commit(JsonLine o, RegistrySnapshot.Commit c) {
        CommitNote note = c.note();
        return o.put("revision", c.revision()).put("time", c.at()).put("command", note.command())
                .put("documents", note.documents()).put("added", note.added()).put("updated", note.updated())
                .put("removed", note.removed()).put("repaired", note.repaired());
    }

    private static void human(Status s, PrintWriter o) {
        RegistrySnapshot r = s.summary().registry();
        o.println("knowledge base:   " + s.kb());
        o.println("documents:        " + s.documents() + byType(r));
        o.println("pending journals: " + s.pendingJournals()
                + (s.pendingJournals() > 0 && s.lock().isEmpty() ? " (run 'kb recover')" : ""));
        o.println("staging orphans:  " + s.stagingOrphans());
        if (s.quarantinedJournals() > 0) {
            o.println("quarantined:      " + s.quarantinedJournals() + " journal(s) in .kb/quarantine/ (see 'kb recover')");
        }
        o.println("writer:           " + s.lock().map(h -> h.describe()).orElse("none"));
        o.println("revision:         " + s.revision() + (s.stale() ? " (summary below is of revision "
                + r.revision() + ", " + s.summaryAge().toSeconds() + "s old: the writer updates it after its commit)"
                : ""));
        RegistrySnapshot.Commit last = r.lastCommit();
        o.println("last commit:      " + (last == null ? "none recorded" : line(last)));
        if (r.recent().size() > 1) {
            o.println("recent activity:");
            for (RegistrySnapshot.Commit c : r.recent().subList(0, Math.min(RECENT_SHOWN, r.recent().size()))) {
                o.println("  " + line(c));
            }
            if (r.recent().size() > RECENT_SHOWN) {
                o.println("  (" + (r.recent().size() - RECENT_SHOWN) + " more with --json)");
            }
        }
    }

    /** ": markdown 7420, pdf 3; 31.4 MiB" */
    private static String byType(RegistrySnapshot r) {
        if (r.byType().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" (");
        r.byType().forEach((type, t) -> b.append(type).append(' ').append(t.documents()).append(", "));
        b.setLength(b.length() - 2);
        return b.append("; ").append(Sizes.format(r.bytes())).append(')').toString();
    }

    /** "2026-12-01T10:00:00.123456789Z" as "2026-12-01T10:00:00Z": people need no fractions of a second. */
    private static String seconds(String at) {
        int dot = at.indexOf('.');
        return dot > 0 && at.endsWith("Z") ? at.substring(0, dot) + "Z" : at;
    }

    /** "2026-12-01T10:00:00Z  add  64 documents (63 added, 1 updated)" */
    private static String line(RegistrySnapshot.Commit c) {
        CommitNote n = c.note();
        List<String> parts = new ArrayList<>();
        if (n.added() > 0) {
            parts.add(n.added() + " added");
        }
        if (n.updated() > 0) {
            parts.add(n.updated() + " updated");
        }
        if (n.removed() > 0) {
            parts.add(n.removed() + " removed");
        }
        if (n.repaired() > 0) {
            parts.add(n.repaired() + " repaired");
        }
        return seconds(c.at()) + "  " + n.command() + "  " + n.documents()
                + (n.documents() == 1 ? " document" : " documents")
                + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }
}
