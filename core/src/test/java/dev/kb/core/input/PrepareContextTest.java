package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.fs.TestKb;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.Registry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preparers' look-ups: a batch that began on an empty registry asks it nothing more (its
 * answers are "none", stale by design, and the committer asks again under the lock); one that
 * began on documents asks for each.
 */
class PrepareContextTest {
    @TempDir
    Path tmp;

    @Test
    void aBatchBegunOnAnEmptyRegistryAsksItNothingMore() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"));
             Registry reader = SqliteRegistry.openReadOnly(t.kb.registryFile())) {
            PrepareContext early = new PrepareContext(t.staging(), reader);
            assertEquals(Optional.empty(), early.bySourceUri("/in/a.md")); // the registry is empty now

            t.add(t.doc("/in/a.md", "a", "alpha"));
            String sha = t.rows().get(0).sha256();

            // the early context answers as when its batch began ...
            assertEquals(Optional.empty(), early.bySource(List.of("/in/a.md")));
            assertEquals(Optional.empty(), early.bySha256(sha));
            assertEquals(Optional.empty(), early.knownContent("a.md", "/in/a.md", sha));
            // ... and a batch begun now finds the document
            PrepareContext later = new PrepareContext(t.staging(), reader);
            assertEquals("a", later.bySourceUri("/in/a.md").orElseThrow().docName());
            assertEquals("a", later.bySha256(sha).orElseThrow().docName());
            assertTrue(later.knownContent("a.md", "/in/a.md", sha).isPresent());
        }
    }
}
