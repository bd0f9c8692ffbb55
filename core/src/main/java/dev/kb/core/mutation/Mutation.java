package dev.kb.core.mutation;

import dev.kb.core.journal.Journal;
import dev.kb.core.store.CommitNote;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.store.FileStat;
import java.util.List;

/**
 * One planned group, ready for the {@link Coordinator}: the journal that makes its file changes
 * undoable, and the row changes that its registry transaction (the commit point) writes.
 *
 * @param upserts  rows inserted or replaced (adds, updates, repairs)
 * @param removals names of the rows deleted (removes)
 * @param stats    stat-cache entries of upserted rows, written in the same transaction
 */
public record Mutation(Journal journal, List<DocumentRow> upserts, List<String> removals, List<FileStat> stats) {
    public Mutation {
        upserts = List.copyOf(upserts);
        removals = List.copyOf(removals);
        stats = List.copyOf(stats);
    }

    /** What the registry's history records of this group: its command, and what it did to how many documents. */
    public CommitNote note() {
        return CommitNote.of(journal.command(), journal.docs().stream().map(Journal.Doc::action).toList());
    }
}
