package dev.kb.core.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.lock.FcntlWriterLock;
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
}
