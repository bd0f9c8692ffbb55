package dev.kb.core.wiki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kb.core.fs.TestKb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactsTest {

    @TempDir
    Path tmp;

    /**
     * {@code x.v2/} starts with "x." like an artifact of {@code x}, but it is the folder of the
     * document {@code x.v2}: taking it for x's made {@code kb remove x} delete it.
     */
    @Test
    void theFolderOfADottedNameBelongsToThatNameNotToItsPrefix() throws Exception {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/x.md", "x", "ex"), t.doc("/in/x.v2.md", "x.v2", "ex, version two"));
            for (String f : List.of("x/notes.md", "x.tree.json", "x.v2/notes.md", "x.v2.tree.json", "x.old/notes.md")) {
                Path p = t.file("wiki/sources/" + f);
                Files.createDirectories(p.getParent());
                Files.writeString(p, f);
            }

            assertEquals(List.of("wiki/sources/x", "wiki/sources/x.old", "wiki/sources/x.tree.json"),
                    Artifacts.of(t.kb, t.registry, "x"),
                    "x.v2/ is the folder of x.v2; x.old/ names no document, so it stays x's");
            assertEquals(List.of("wiki/sources/x.v2", "wiki/sources/x.v2.tree.json"),
                    Artifacts.of(t.kb, t.registry, "x.v2"));
        }
    }
}
