package dev.kb.core.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
import dev.kb.core.registry.SqliteRegistry;
import dev.kb.core.store.WriterLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitTest {
    @TempDir
    Path tmp;

    @Test
    void initOfACompleteKbChangesNothingAndDoesNotWaitForTheWriter() {
        Path dir = tmp.resolve("kb");
        assertTrue(Init.run(dir, Duration.ZERO, m -> { }, m -> { }));
        List<String> waited = new ArrayList<>();
        try (WriterLock held = FcntlWriterLock.acquire(KnowledgeBase.open(dir), Duration.ZERO, "writer", m -> { })) {
            assertFalse(Init.run(dir, Duration.ZERO, waited::add, m -> { }), "nothing to create");
            assertTrue(held.isHeld());
        }
        assertEquals(List.of(), waited, "init waited for the writer lock");
    }

    @Test
    void aFileNamedDotKbIsNamedAsTheCause() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("kb"));
        Files.writeString(dir.resolve(".kb"), "not a folder\n");
        KbException e = assertThrows(KbException.class, () -> Init.run(dir, Duration.ZERO, m -> { }, m -> { }));
        assertEquals(KbException.Kind.KB_UNUSABLE, e.kind());
        assertEquals("cannot create " + dir + ": " + dir.resolve(".kb") + " exists and is not a directory", e.getMessage());
        assertEquals("not a folder\n", Files.readString(dir.resolve(".kb")), "left as it was");
    }

    @Test
    void aKbMadeInsideAnotherIsPointedOut() throws Exception {
        Path outer = tmp.resolve("outer");
        Init.run(outer, Duration.ZERO, m -> { }, m -> { });
        List<String> warnings = new ArrayList<>();
        Init.run(outer.resolve("wiki/inner"), Duration.ZERO, m -> { }, warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("inside the knowledge base " + outer.toAbsolutePath()), warnings.get(0));
        assertTrue(Files.isDirectory(outer.resolve("wiki/inner/.kb")), "still made: the user may mean it");

        warnings.clear();
        Init.run(tmp.resolve("apart"), Duration.ZERO, m -> { }, warnings::add);
        assertEquals(List.of(), warnings);
    }

    /** A zero-byte registry of a KB that holds nothing is made anew; of one that holds documents it is not. */
    @Test
    void aZeroByteRegistryIsRecreatedOnlyInAKbThatHoldsNothing() throws Exception {
        Path dir = tmp.resolve("kb");
        Init.run(dir, Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase kb = KnowledgeBase.open(dir);
        Files.write(kb.registryFile(), new byte[0]);
        assertTrue(Init.run(dir, Duration.ZERO, m -> { }, m -> { }), "the schema was made");
        assertEquals(SqliteRegistry.Condition.SOUND, SqliteRegistry.health(kb.registryFile(), true).condition());

        Files.writeString(kb.rawDir().resolve("a.md"), "# A\n");
        Files.write(kb.registryFile(), new byte[0]);
        KbException e = assertThrows(KbException.class, () -> Init.run(dir, Duration.ZERO, m -> { }, m -> { }));
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains("kb recover --rebuild-registry"),
                e.getMessage());
        assertEquals(0, Files.size(kb.registryFile()));

        Files.writeString(kb.registryFile(), "not a database at all, only text standing where the registry was");
        e = assertThrows(KbException.class, () -> Init.run(dir, Duration.ZERO, m -> { }, m -> { }));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("kb recover --rebuild-registry"),
                e.getMessage());
    }
}
