package dev.kb.core.app;

import dev.kb.core.fs.FileOps;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import dev.kb.core.mutation.RemovePlanner;
import dev.kb.core.mutation.SafePoint;
import dev.kb.core.mutation.Storage;
import dev.kb.core.mutation.WriterSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kb remove}: removes documents named by name or by source, in groups of up to
 * {@value #GROUP} (one journal, one registry transaction each), crash-safe like an add.
 */
public final class Remove implements Batch {
    static final int GROUP = 256;

    private final KnowledgeBase kb;
    private final Duration lockWait;
    private final FileOps ops;
    private final Listener listener;
    private final SafePoint stop = new SafePoint();

    public Remove(KnowledgeBase kb, Duration lockWait, FileOps ops, Listener listener) {
        this.kb = kb;
        this.lockWait = lockWait;
        this.ops = ops;
        this.listener = listener;
    }

    /** Removes what {@code targets} name, reporting each through the listener in order. */
    public void run(List<RemovePlanner.Target> targets) {
        try (WriterSession session = WriterSession.open(Storage.local(kb, ops), lockWait, "kb remove", listener)) {
            RemovePlanner planner = new RemovePlanner(kb);
            listener.inputs(targets.size());
            for (int from = 0; from < targets.size() && !stop.cancelled(); from += GROUP) {
                List<RemovePlanner.Target> group = new ArrayList<>(
                        targets.subList(from, Math.min(targets.size(), from + GROUP)));
                listener.working(group.get(0).input());
                for (Outcome o : session.commit(group, planner)) {
                    listener.outcome(o);
                }
            }
        } finally {
            stop.reached();
        }
    }

    @Override
    public boolean cancel(Duration grace) {
        return stop.cancel(grace);
    }

    @Override
    public boolean cancelled() {
        return stop.cancelled();
    }
}
