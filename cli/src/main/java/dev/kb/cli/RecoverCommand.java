package dev.kb.cli;

import dev.kb.core.app.Recover;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "recover",
        description = {"Finish or undo interrupted mutations, remove orphaned staging, verify the registry against "
                + "the files and rebuild wiki/index.md.",
                "Exits 1 when verification finds a problem (it reports, it never deletes); --repair makes missing "
                        + "or damaged wiki pages again from their raw bytes."})
final class RecoverCommand implements Callable<Integer> {
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

    @Override
    public Integer call() {
        KnowledgeBase kb = root.knowledgeBase();
        Output out = new Output(spec, write.json);
        Recover.Result r = Recover.run(kb, write.wait, repair, new Recover.Events() {
            @Override
            public void outcome(Outcome o) {
                out.info(o.status() == Outcome.Status.REPAIRED ? "repaired " + o.doc()
                        : "not repaired " + o.input() + ": " + o.reason());
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
        out.json(n);
        return r.problems().isEmpty() ? ExitCodes.OK : ExitCodes.INPUT_FAILED;
    }
}
