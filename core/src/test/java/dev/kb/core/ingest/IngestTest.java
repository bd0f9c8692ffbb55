package dev.kb.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.fs.FileOps;
import dev.kb.core.fs.TestKb;
import dev.kb.core.input.Inputs;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.mutation.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch scheduler on a real directory of inputs: preparation runs on several threads and
 * finishes in any order, yet every input is reported once, in input order, names come out as a
 * serial run gives them, and ready documents are committed in groups of at most {@code maxGroup}
 * (one journal each), leaving the KB at rest.
 */
@Timeout(180)
class IngestTest {

    private static final int DIRS = 20;
    private static final int PER_DIR = 30;
    private static final int NOTES = DIRS * PER_DIR;
    private static final int MAX_GROUP = 50;
    /** --max-size of the batch: only in/d07/big.md is larger. */
    private static final long MAX_BYTES = 64 * 1024;

    @TempDir
    Path tmp;

    Path in;

    /**
     * 600 notes in 20 folders (each folder has a {@code readme.md}, so 19 of them need a suffixed
     * name and only input order says which one gets plain "readme"); five copies of notes, one
     * before its original in input order; a file over --max-size, one that is gone by the time it
     * is prepared, and an unsupported type. 608 inputs.
     */
    @BeforeEach
    void inputs() throws IOException {
        in = tmp.resolve("in");
        for (int d = 0; d < DIRS; d++) {
            write(dir(d) + "/readme.md", "# Readme of " + dir(d) + "\n\nabout folder " + d + "\n");
            for (int n = 1; n < PER_DIR; n++) {
                write(dir(d) + "/note-" + n + ".md", note(d, n));
            }
        }
        write("d00/zz-copy.md", note(0, 7));    // after its original, in the same group most likely
        write("d00/aa-first.md", note(3, 4));  // before its original in d03
        write("d19/copy-b.md", note(0, 1));    // long after its original, another group
        write("d19/copy-c.md", note(10, 10));
        write("d19/copy-d.md", note(0, 1));    // a second copy of the same note
        write("d07/big.md", "# Big\n\n" + "x".repeat((int) MAX_BYTES + 1));
        write("d11/gone.md", "# Gone\n\ndeleted after the arguments were expanded\n");
        write("d03/picture.png", "not a supported type");
    }

    private static String dir(int d) {
        return String.format("d%02d", d);
    }

    private static String note(int d, int n) {
        return "# Note " + n + " of " + dir(d) + "\n\nbody " + d + "." + n + "\n";
    }

    private void write(String rel, String text) throws IOException {
        Path p = in.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    /** A new KB (outside the input folder), its expanded inputs, and where the batch's events go. */
    private record Run(KnowledgeBase kb, List<Inputs.Item> items, List<Outcome> events, List<String> warnings,
                       Map<Outcome.Status, Integer> summary) {
    }

    private Run newKb(String name) {
        Init.run(tmp.resolve(name), Duration.ZERO, m -> { }, m -> { });
        KnowledgeBase kb = KnowledgeBase.open(tmp.resolve(name));
        List<Inputs.Item> items = Inputs.expand(List.of("in"), tmp, kb, a -> null, MAX_BYTES);
        return new Run(kb, items, new ArrayList<>(), new ArrayList<>(), null);
    }

    private static Run ingest(Run r, int threads) {
        Ingest ingest = new Ingest(r.kb(), new Ingest.Options(Duration.ZERO, "kb add in", threads, MAX_GROUP,
                FileOps.REAL), new Batch.Listener() {
                    @Override
                    public void outcome(Outcome o) {
                        r.events().add(o);
                    }

                    @Override
                    public void warning(String message) {
                        r.warnings().add(message);
                    }

                    @Override
                    public void waitingForLock(String holder) {
                        r.warnings().add("waiting for " + holder);
                    }
                });
        return new Run(r.kb(), r.items(), r.events(), r.warnings(), ingest.run(r.items()));
    }

    /** input, status, document and reason: everything an event tells a user. */
    private static List<String> describe(List<Outcome> events) {
        return events.stream().map(o -> o.input() + " " + o.status().word() + " " + o.doc() + " " + o.reason())
                .toList();
    }

    private static Outcome eventOf(Run r, String input) {
        return r.events().stream().filter(o -> o.input().equals(input)).findFirst().orElseThrow(
                () -> new AssertionError("no event for " + input));
    }

    @Test
    void aLargeBatchOnSeveralThreadsIsReportedInOrderNamedAsSerialAndCommittedInGroups() throws IOException {
        Run parallel = newKb("kb-parallel");
        Run serial = newKb("kb-serial");
        assertEquals(NOTES + 8, parallel.items().size());
        Files.delete(in.resolve("d11/gone.md"));

        parallel = ingest(parallel, 4);
        serial = ingest(serial, 1);

        List<String> inputs = parallel.items().stream()
                .map(i -> i.source() != null ? i.source().input() : i.outcome().input()).toList();
        assertEquals(inputs, parallel.events().stream().map(Outcome::input).toList(),
                "every input reported exactly once, in input order");
        assertEquals(Map.of(Outcome.Status.ADDED, NOTES, Outcome.Status.SKIPPED, 6, Outcome.Status.FAILED, 2,
                Outcome.Status.UPDATED, 0), parallel.summary());

        assertEquals("same content as note-7", eventOf(parallel, "in/d00/zz-copy.md").reason());
        assertEquals(Outcome.Status.ADDED, eventOf(parallel, "in/d00/aa-first.md").status());
        assertEquals("same content as aa-first", eventOf(parallel, "in/d03/note-4.md").reason());
        assertEquals(Outcome.Status.SKIPPED, eventOf(parallel, "in/d19/copy-b.md").status());
        assertEquals(eventOf(parallel, "in/d00/note-1.md").doc(), eventOf(parallel, "in/d19/copy-b.md").doc());
        assertEquals(Outcome.Status.SKIPPED, eventOf(parallel, "in/d19/copy-d.md").status());
        assertTrue(eventOf(parallel, "in/d07/big.md").reason().contains("--max-size"));
        assertEquals("no such file", eventOf(parallel, "in/d11/gone.md").reason());
        assertEquals(Outcome.Status.SKIPPED, eventOf(parallel, "in/d03/picture.png").status());
        assertEquals("readme", eventOf(parallel, "in/d00/readme.md").doc(), "the first readme in input order");
        assertTrue(eventOf(parallel, "in/d01/readme.md").doc().matches("readme-[0-9a-f]{6}"));

        assertEquals(describe(serial.events()), describe(parallel.events()),
                "the same events and names as a serial run");
        assertEquals(List.of(), parallel.warnings());

        // one journal per group, each a block of wiki/log.md; 600 documents in groups of at most 50
        List<Integer> blocks = blockSizes(parallel.kb());
        assertEquals(NOTES, blocks.stream().mapToInt(Integer::intValue).sum(), blocks.toString());
        assertTrue(blocks.size() >= NOTES / MAX_GROUP, "committed in several groups: " + blocks);
        assertTrue(blocks.stream().allMatch(n -> n >= 1 && n <= MAX_GROUP), "no group over " + MAX_GROUP + ": " + blocks);

        TestKb.State serialState;
        try (TestKb t = TestKb.create(serial.kb().root())) {
            serialState = t.state();
            t.closeStaging();
            t.assertAtRest();
        }
        try (TestKb t = TestKb.create(parallel.kb().root())) {
            assertEquals(NOTES, t.rows().size());
            assertEquals(serialState.rows(), t.state().rows(), "the same rows as the serial run");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    /** The number of document lines in each journal block of wiki/log.md, in order. */
    private static List<Integer> blockSizes(KnowledgeBase kb) throws IOException {
        List<Integer> sizes = new ArrayList<>();
        for (String line : Files.readAllLines(kb.logFile())) {
            if (line.startsWith("## ")) {
                sizes.add(0);
            } else if (line.startsWith("- ") && !sizes.isEmpty()) {
                sizes.set(sizes.size() - 1, sizes.get(sizes.size() - 1) + 1);
            }
        }
        return sizes;
    }
}
