package dev.kb.cli;

import dev.kb.core.app.RebuildRegistry;
import dev.kb.core.app.Recover;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.progress.BatchProgress;
import dev.kb.core.progress.ProgressPublisher;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "recover",
        description = {RecoverCommand.SUMMARY,
                "Exits 1 when verification finds a problem (it reports, it never deletes); --repair makes missing "
                        + "or damaged wiki pages again from their raw bytes; --rebuild-registry makes a missing, empty "
                        + "or damaged registry again from raw/ and wiki/sources/."})
final class RecoverCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Finish or undo interrupted mutations, remove orphaned staging, verify the registry against "
                + "the files and rebuild wiki/index.md.";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Option(names = "--repair",
            description = "Also regenerate, through the coordinator, each wiki page that is missing or damaged, "
                    + "from the document's raw bytes.")
    boolean repair;

    @Option(names = "--rebuild-registry",
            description = "First rebuild a missing, empty or damaged registry from raw/ and the front matter in "
                    + "wiki/sources/, keeping the old file aside (never deleted). ETag and Last-Modified of URL "
                    + "documents are lost, and updated_at is taken from the files' times.")
    boolean rebuildRegistry;

    @Override
    public Integer call() {
        KnowledgeBase kb = root.knowledgeBase();
        Output out = new Output(spec, write.json);
        // for 'kb status': recover reads every document, which takes a while in a large KB
        BatchProgress progress = new BatchProgress("kb recover");
        Recover.Result r;
        ProgressPublisher published = ProgressPublisher.start(kb, progress, out::warning);
        try {
            r = recover(kb, out, progress);
        } finally {
            published.close();
        }
        if (r.rebuilt() != null) {
            report(out, r.rebuilt());
        }
        for (String p : r.problems()) {
            out.info("problem: " + p);
        }
        var rep = r.recovery();
        out.info(String.format("kb: recovered %s: %d journal(s) finished, %d rolled back, %d quarantined, "
                        + "%d staging folder(s) removed; %d document(s) verified, %d problem(s)"
                        + (repair ? ", " + r.repaired().size() + " page(s) repaired" : ""),
                kb.root(), rep.finished(), rep.rolledBack(), rep.quarantined(), rep.stagingRemoved(),
                r.documents(), r.problems().size()));
        var n = Output.object();
        n.put("kb", kb.root().toString());
        n.put("finished", rep.finished());
        n.put("rolled_back", rep.rolledBack());
        n.put("quarantined", rep.quarantined());
        n.put("staging_removed", rep.stagingRemoved());
        n.put("documents", r.documents());
        n.put("problems", r.problems());
        n.put("repaired", r.repaired());
        if (r.rebuilt() != null) {
            RebuildRegistry.Result b = r.rebuilt();
            JsonLine j = n.putObject("rebuilt");
            j.put("was", b.was());
            j.put("documents", b.documents());
            j.put("kept_aside", b.keptAside());
            j.put("not_rebuilt", b.notRebuilt());
            j.put("journals_rolled_back", b.journals().rolledBack());
            j.put("journals_kept_published", b.journals().keptPublished());
            j.put("journals_quarantined", b.journals().quarantined());
            j.put("web_documents", b.webDocuments());
        }
        out.json(n);
        boolean clean = r.problems().isEmpty() && (r.rebuilt() == null || r.rebuilt().notRebuilt().isEmpty());
        return clean ? ExitCodes.OK : ExitCodes.INPUT_FAILED;
    }

    private Recover.Result recover(KnowledgeBase kb, Output out, BatchProgress progress) {
        return Recover.run(kb, write.wait, repair, rebuildRegistry, new Recover.Events() {
            @Override
            public void outcome(Outcome o) {
                progress.finished(o.status());
                out.info(o.status() == Outcome.Status.REPAIRED ? "repaired " + o.doc()
                        : "not repaired " + o.input() + ": " + o.reason());
            }

            @Override
            public void phase(String phase, long total) {
                progress.phase(phase, total);
            }

            @Override
            public void checked(String doc) {
                progress.step(doc);
            }

            @Override
            public void warning(String message) {
                out.warning(message);
            }

            @Override
            public void waitingForLock(String holder) {
                out.waiting(holder);
            }
        });
    }

    private static void report(Output out, RebuildRegistry.Result b) {
        for (String line : b.notRebuilt()) {
            out.info("not rebuilt: " + line);
        }
        out.info("kb: rebuilt the registry from raw/ and wiki/sources/: " + b.documents() + " document(s), "
                + b.notRebuilt().size() + " file(s) not rebuilt; the old one "
                + (b.keptAside() == null ? "was " + b.was() : "(" + b.was() + ") is kept as " + b.keptAside()));
        var j = b.journals();
        if (j.rolledBack() + j.keptPublished() + j.quarantined() > 0) {
            out.info("kb: pending journals without a registry to decide them: " + j.rolledBack()
                    + " rolled back (never committed), " + j.keptPublished() + " kept as published and quarantined, "
                    + j.quarantined() + " unreadable and quarantined");
        }
        if (b.webDocuments() > 0) {
            out.info("kb: note: the ETag and Last-Modified of " + b.webDocuments() + " URL document(s) were only in "
                    + "the old registry: the next add of each downloads it in full");
        }
    }
}
