package dev.kb.core.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kb.core.fs.TestKb;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kb recover}'s verification on a real KB: each kind of disagreement between the registry
 * and the files is reported, the files a document legitimately owns are not, nothing is deleted,
 * and the derived index is rebuilt from the registry.
 */
class RecoverTest {

    @TempDir
    Path tmp;

    /** A KB with documents a … e, added as one batch, and nothing running. */
    private KnowledgeBase kbWithDocuments() {
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            t.add(t.doc("/in/a.md", "a", "alpha"), t.doc("/in/b.md", "b", "bravo"), t.doc("/in/c.md", "c", "charlie"));
            t.add(t.doc("/in/d.md", "d", "delta"), t.doc("/in/e.md", "e", "echo"));
            t.closeStaging();
            t.assertAtRest();
            return t.kb;
        }
    }

    private static Recover.Result recover(KnowledgeBase kb, List<String> warnings) {
        return Recover.run(kb, Duration.ZERO, false, new Recover.Events() {
            @Override
            public void outcome(dev.kb.core.input.Outcome o) {
                warnings.add("outcome " + o);
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
            }

            @Override
            public void waitingForLock(String holder) {
                warnings.add("waiting for " + holder);
            }
        });
    }

    /** Every file under raw/ and wiki/sources/ with its hash, as TestKb sees them. */
    private static Map<String, String> documentFiles(KnowledgeBase kb) {
        try (TestKb t = TestKb.create(kb.root())) {
            return t.state().files();
        }
    }

    private static void write(KnowledgeBase kb, String relative, String text) throws IOException {
        Path p = kb.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void aCleanKbReportsNoProblemsAndChangesNothing() {
        KnowledgeBase kb = kbWithDocuments();
        Map<String, String> before = documentFiles(kb);
        List<String> warnings = new ArrayList<>();

        Recover.Result r = recover(kb, warnings);

        assertEquals(List.of(), r.problems());
        assertEquals(5, r.documents());
        assertFalse(r.recovery().didSomething(), r.recovery().toString());
        assertEquals(List.of(), warnings);
        assertEquals(before, documentFiles(kb));
    }

    @Test
    void eachKindOfProblemIsReportedAndNothingIsDeleted() throws IOException {
        KnowledgeBase kb = kbWithDocuments();
        Files.delete(kb.resolve("raw/a.md"));                      // a row's raw file missing
        Files.delete(kb.resolve("wiki/sources/b.md"));             // a row's page missing
        write(kb, "raw/c.md", "charlie, edited by hand");          // raw bytes no longer match the hash
        write(kb, "raw/stray.txt", "dropped here by hand");        // belongs to no document
        write(kb, "wiki/sources/orphan.md", "a page without a row");
        write(kb, "wiki/sources/dx.md", "its name only starts like d's");
        write(kb, "wiki/sources/nobody/x", "in the folder of a name no row has");
        write(kb, "wiki/sources/d.tree.json", "{}");               // artifacts of d: not problems
        write(kb, "wiki/sources/d/x", "d's own folder");
        Map<String, String> before = documentFiles(kb);
        List<String> warnings = new ArrayList<>();

        Recover.Result r = recover(kb, warnings);

        assertEquals(List.of(
                "a: raw/a.md is missing",
                "b: wiki/sources/b.md is missing; 'kb recover --repair' makes it again from raw/b.md",
                "c: raw/c.md does not match its sha256 (changed outside kb?)",
                "raw/stray.txt belongs to no document in the registry",
                "wiki/sources/dx.md belongs to no document in the registry",
                "wiki/sources/nobody/x belongs to no document in the registry",
                "wiki/sources/orphan.md belongs to no document in the registry"),
                r.problems().stream().sorted().toList());
        assertEquals(5, r.documents());
        assertEquals(List.of(), warnings);
        assertEquals(before, documentFiles(kb), "verification only reports: every file is still there, unchanged");
        assertEquals("charlie, edited by hand", Files.readString(kb.resolve("raw/c.md")));

        assertEquals(r.problems().stream().sorted().toList(), recover(kb, warnings).problems().stream().sorted().toList(),
                "and so it reports the same again");
    }

    @Test
    void theIndexIsRebuiltFromTheRegistry() throws IOException {
        KnowledgeBase kb = kbWithDocuments();
        String index = Files.readString(kb.indexFile());
        assertEquals("""
                # Index

                Every document in this knowledge base, in the order it was added.

                - [[a]]
                - [[b]]
                - [[c]]
                - [[d]]
                - [[e]]
                """, index);
        Files.writeString(kb.indexFile(), "- [[a]]\n- [[ghost]] — a line no row gives\n"); // edited, half lost

        Recover.Result r = recover(kb, new ArrayList<>());

        assertEquals(List.of(), r.problems(), "the index is derived: its state is not a problem");
        assertEquals(index, Files.readString(kb.indexFile()));

        Files.delete(kb.indexFile());
        recover(kb, new ArrayList<>());
        assertEquals(index, Files.readString(kb.indexFile()), "and written again when it is gone");
    }
}
