package dev.kb.core.mutation;

import dev.kb.core.input.Outcome;
import java.nio.file.Path;
import java.util.List;

/**
 * What one kind of change (add, remove, repair) decides under the writer lock: which items of a
 * group change what, by which names, and which are skips or failures. Planning knows the rules;
 * the {@link Coordinator} that carries the plan out knows none of them.
 *
 * @param <T> what a group is made of (a prepared document, a name to remove)
 */
public interface Planner<T> {

    /**
     * Plans the group into {@code plan} and returns one outcome per item, in order: for an item
     * that changes something, the outcome it has once the group is committed.
     */
    List<Outcome> plan(List<T> group, Plan plan);

    /**
     * The staged files the items hold, written and closed: the group's barrier begins on them
     * before the lock is taken ({@link dev.kb.core.store.DocumentStore#beginDurable}). None by default.
     */
    default List<Path> staged(List<T> group) {
        return List.of();
    }

    /** The input an item came from, for the failure of a group that could not be committed. */
    String input(T item);

    /** Gives back what the items hold (staged files) once their group is done, committed or not. */
    default void release(List<T> group) {
    }

    /**
     * The same once the group was committed as {@link #plan} planned it: what it published is
     * no longer staged, and need not be looked for.
     */
    default void releaseCommitted(List<T> group) {
        release(group);
    }
}
