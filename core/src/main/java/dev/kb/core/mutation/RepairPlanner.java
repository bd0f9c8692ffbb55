package dev.kb.core.mutation;

import dev.kb.core.cloud.Page;
import dev.kb.core.input.Outcome;
import dev.kb.core.journal.Journal;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kb recover --repair}: publishes regenerated wiki pages. Under the lock it checks that
 * the document is still the one the page was made from (same row, same hash: another writer may
 * have updated or removed it since), and that its page still needs the repair.
 */
public final class RepairPlanner implements Planner<RepairPlanner.Page> {

    /** A regenerated page, staged, for the document {@code row} as it was when it was made. */
    public record Page(DocumentRow row, Path staged) {
    }

    /** Whether a document's page needs repairing: empty when it is sound. */
    public interface Check {
        Optional<String> damage(DocumentRow row);
    }

    private final KnowledgeBase kb;
    private final Check check;

    public RepairPlanner(KnowledgeBase kb, Check check) {
        this.kb = kb;
        this.check = check;
    }

    @Override
    public List<Outcome> plan(List<Page> group, Plan plan) {
        List<Outcome> out = new ArrayList<>();
        for (Page p : group) {
            String name = p.row().docName();
            Optional<DocumentRow> now = plan.registry().byName(name);
            if (now.isEmpty() || !now.get().sha256().equals(p.row().sha256())) {
                out.add(Outcome.skipped(name, name, "changed since its page was regenerated; run 'kb recover --repair' again"));
            } else if (check.damage(now.get()).isEmpty()) {
                out.add(Outcome.skipped(name, name, "its page is sound again"));
            } else {
                plan.publish(kb.relative(p.staged()), now.get().sourcePath());
                plan.doc(new Journal.Doc(name, "repair", now.get().title(), now.get().sourceUri(), false));
                out.add(new Outcome(name, Outcome.Status.REPAIRED, name, null, List.of()));
            }
        }
        return out;
    }

    @Override
    public String input(Page item) {
        return item.row().docName();
    }

    @Override
    public void release(List<Page> group) {
        for (Page p : group) {
            try {
                Files.deleteIfExists(p.staged());
            } catch (IOException ignored) {
                // the staging folder goes away with the process
            }
        }
    }
}
