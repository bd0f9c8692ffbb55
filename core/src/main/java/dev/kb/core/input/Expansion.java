package dev.kb.core.input;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The inputs of a batch as the walk of its folders finds them, in their final order, read by the
 * batch while the walk goes on: the corpus's 7,425 files took ~130 ms to walk, and preparing
 * and committing them waited for all of it. One thread appends ({@link Inputs#stream}), one
 * reads; a failure of the walk itself (not of an entry, which is an outcome) reaches the reader.
 */
public final class Expansion {
    private final List<Inputs.Item> items = new ArrayList<>();
    private boolean done;
    private RuntimeException failure;

    Expansion() {
    }

    /** Inputs already all known (a cloud import's documents, a test's list). */
    public static Expansion of(List<Inputs.Item> all) {
        Expansion e = new Expansion();
        e.items.addAll(all);
        e.done = true;
        return e;
    }

    synchronized void add(Inputs.Item item) {
        items.add(item);
        notifyAll();
    }

    /** The walk's end; {@code failure} is what stopped it, or null. */
    synchronized void finish(RuntimeException failure) {
        this.failure = failure;
        done = true;
        notifyAll();
    }

    /** The {@code i}-th input if the walk has found it, else null, without waiting; throws what stopped the walk. */
    public synchronized Inputs.Item ready(int i) {
        if (i < items.size()) {
            return items.get(i);
        }
        rethrow();
        return null;
    }

    /**
     * Waits up to {@code millis} for the {@code i}-th input or the walk's end; whether either
     * came ({@link #ready} then answers without waiting).
     */
    public synchronized boolean settled(int i, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (i >= items.size() && !done) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** How many inputs there are, once the walk has ended. */
    public synchronized OptionalInt total() {
        return done && failure == null ? OptionalInt.of(items.size()) : OptionalInt.empty();
    }

    /** The inputs found so far. */
    public synchronized List<Inputs.Item> soFar() {
        return List.copyOf(items);
    }

    /** Every input, once the walk has ended. */
    public List<Inputs.Item> all() {
        try {
            synchronized (this) {
                while (!done) {
                    wait();
                }
                rethrow();
                return List.copyOf(items);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the inputs were walked", e);
        }
    }

    private void rethrow() {
        if (failure != null) {
            throw failure;
        }
    }
}
