package dev.kb.core.mutation;

import dev.kb.core.input.Outcome;
import dev.kb.core.input.Prepared;
import dev.kb.core.kb.KnowledgeBase;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A test-side planner for a group that mixes adds and removes, so that both go into one journal
 * and one registry transaction: the {@link Prepared} items are planned by {@link AddPlanner}, the
 * {@link RemovePlanner.Target}s by {@link RemovePlanner}, into the same {@link Plan}, and the
 * outcomes come back in the group's order. No command builds such a group today; it exercises
 * the coordinator and recovery on a journal that both publishes and retires.
 */
final class MixedPlanner implements Planner<Object> {
    private final AddPlanner adds;
    private final RemovePlanner removes;

    MixedPlanner(KnowledgeBase kb) {
        this.adds = new AddPlanner(kb);
        this.removes = new RemovePlanner(kb);
    }

    @Override
    public List<Outcome> plan(List<Object> group, Plan plan) {
        List<Prepared> docs = new ArrayList<>();
        List<RemovePlanner.Target> targets = new ArrayList<>();
        split(group, docs, targets);
        // both read the registry and the files as they are before the group: a name being removed
        // is still taken for an add of the same group
        Iterator<Outcome> removed = (targets.isEmpty() ? List.<Outcome>of() : removes.plan(targets, plan)).iterator();
        Iterator<Outcome> added = (docs.isEmpty() ? List.<Outcome>of() : adds.plan(docs, plan)).iterator();
        List<Outcome> out = new ArrayList<>();
        for (Object item : group) {
            out.add(item instanceof Prepared ? added.next() : removed.next());
        }
        return out;
    }

    @Override
    public String input(Object item) {
        return item instanceof Prepared p ? adds.input(p) : removes.input((RemovePlanner.Target) item);
    }

    @Override
    public void release(List<Object> group) {
        List<Prepared> docs = new ArrayList<>();
        List<RemovePlanner.Target> targets = new ArrayList<>();
        split(group, docs, targets);
        adds.release(docs);
        removes.release(targets);
    }

    private static void split(List<Object> group, List<Prepared> docs, List<RemovePlanner.Target> targets) {
        for (Object item : group) {
            if (item instanceof Prepared p) {
                docs.add(p);
            } else if (item instanceof RemovePlanner.Target t) {
                targets.add(t);
            } else {
                throw new IllegalArgumentException("neither a prepared document nor a target: " + item);
            }
        }
    }
}
