package dev.kb.cli;

import dev.kb.core.app.Status;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.RegistrySnapshot;
import dev.kb.core.text.Sizes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** How {@code kb status} shows its core section, the summary: JSON keys and human lines. */
final class SummaryView {
    /** Commits the human output lists under "recent activity" (--json has all the summary keeps). */
    static final int RECENT_SHOWN = 5;

    private SummaryView() {
    }

    /** The summary's keys: of {@code summary_revision}, which is {@code revision} unless stale. */
    static void json(JsonLine n, Status s) {
        RegistrySnapshot r = s.summary().registry();
        n.put("summary_revision", Math.max(0, r.revision()));
        if (s.stale()) {
            n.put("age_seconds", s.summaryAge().toSeconds());
        }
        JsonLine byType = n.putObject("by_type");
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

    /** ": markdown 7420, pdf 3; 31.4 MiB" after the document count. */
    static String byType(Status s) {
        RegistrySnapshot r = s.summary().registry();
        if (r.byType().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" (");
        r.byType().forEach((type, t) -> b.append(type).append(' ').append(t.documents()).append(", "));
        b.setLength(b.length() - 2);
        return b.append("; ").append(Sizes.format(r.bytes())).append(')').toString();
    }

    /** The lines after "writer:": the revision, the last commit, recent activity. */
    static void human(Status s, PrintWriter o) {
        RegistrySnapshot r = s.summary().registry();
        if (s.quarantinedJournals() > 0) {
            o.println("quarantined:      " + s.quarantinedJournals() + " journal(s) in .kb/quarantine/ (see 'kb recover')");
        }
        o.println("revision:         " + s.revision() + (s.stale() ? " (the summary is of revision " + r.revision()
                + ", " + s.summaryAge().toSeconds() + "s old: the writer updates it after its commit)" : ""));
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
        return seconds(c.at()) + "  " + n.command() + "  " + n.documents() + (n.documents() == 1 ? " document" : " documents")
                + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }
}
