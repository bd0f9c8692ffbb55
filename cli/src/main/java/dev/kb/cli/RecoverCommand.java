package dev.kb.cli;

import dev.kb.core.app.Recover;
import dev.kb.core.kb.KnowledgeBase;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "recover",
        description = {"Finish or undo interrupted mutations, remove orphaned staging, verify the registry against "
                + "the files and rebuild wiki/index.md.",
                "Exits 1 when verification finds a problem (it reports, it never deletes)."})
final class RecoverCommand implements Callable<Integer> {
    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    WriteOptions write;

    @Override
    public Integer call() {
        KnowledgeBase kb = root.knowledgeBase();
        Output out = new Output(spec, write.json);
        Recover.Result r = Recover.run(kb, write.wait, out::waiting, out::warning);
        for (String p : r.problems()) {
            out.info("problem: " + p);
        }
        var rep = r.recovery();
        out.info(String.format("kb: recovered %s: %d journal(s) finished, %d rolled back, %d quarantined, "
                        + "%d staging folder(s) removed; %d document(s) verified, %d problem(s)",
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
        out.json(n);
        return r.problems().isEmpty() ? ExitCodes.OK : ExitCodes.INPUT_FAILED;
    }
}
