package dev.kb.core.store;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A registry that hands every call to another one: the base of test seams over the registry
 * (override {@link #commit} to fail the commit point). {@link #close} closes the delegate only
 * when asked to, so a test can lend its open registry to a session.
 */
public class ForwardingRegistry implements Registry {
    protected final Registry delegate;
    private final boolean closes;

    public ForwardingRegistry(Registry delegate, boolean closes) {
        this.delegate = delegate;
        this.closes = closes;
    }

    @Override
    public Optional<DocumentRow> bySourceUri(String uri) {
        return delegate.bySourceUri(uri);
    }

    @Override
    public Optional<DocumentRow> bySha256(String sha) {
        return delegate.bySha256(sha);
    }

    @Override
    public Optional<DocumentRow> byName(String name) {
        return delegate.byName(name);
    }

    @Override
    public boolean nameTaken(String name) {
        return delegate.nameTaken(name);
    }

    @Override
    public boolean isCommitted(String journalId) {
        return delegate.isCommitted(journalId);
    }

    @Override
    public long count() {
        return delegate.count();
    }

    @Override
    public void forEach(Consumer<DocumentRow> action) {
        delegate.forEach(action);
    }

    @Override
    public void forEachByName(String type, Consumer<DocumentRow> action) {
        delegate.forEachByName(type, action);
    }

    @Override
    public void commit(String journalId, Collection<DocumentRow> upserts, Collection<String> removals,
                       CommitNote note) throws IOException {
        delegate.commit(journalId, upserts, removals, note);
    }

    @Override
    public long revision() {
        return delegate.revision();
    }

    @Override
    public Head head() {
        return delegate.head();
    }

    @Override
    public RegistrySnapshot snapshot(int recent) {
        return delegate.snapshot(recent);
    }

    @Override
    public void forgetCommits(Collection<String> journalIds) {
        delegate.forgetCommits(journalIds);
    }

    @Override
    public List<String> committedIds() {
        return delegate.committedIds();
    }

    @Override
    public void close() {
        if (closes) {
            delegate.close();
        }
    }
}
