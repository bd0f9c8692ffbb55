package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where stdout goes: a file that cannot be written ({@code > /dev/full}) loses the machine output,
 * which must not pass for success; a reader that has read enough and closes the pipe
 * ({@code | head -1}) must not cost a single commit, nor turn a good batch into a failed one.
 */
class OutputTest extends E2EBase {
    static final File DEV_FULL = new File("/dev/full");

    /** kb with stdout sent to {@code /dev/full} (every write fails with ENOSPC); stderr collected. */
    private Kb.Result toDevFull(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb(args)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(DEV_FULL);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kb did not finish");
        return new Kb.Result(String.join(" ", args), p.exitValue(), "", err);
    }

    @Test
    void machineOutputThatCannotBeWrittenIsAFailureWithOneLine() throws Exception {
        assumeTrue(DEV_FULL.exists(), "OutputTest skipped: no /dev/full here");
        init();
        file("a.md", markdown("A", "first"));
        file("b.md", markdown("B", "second"));

        Kb.Result add = toDevFull("add", "--json", "a.md", "b.md");
        assertEquals(1, add.code(), "the JSON events are lost: not a success\n" + add.err());
        List<String> about = add.errLines().stream().filter(l -> l.contains("standard output")).toList();
        assertEquals(1, about.size(), add.err());
        assertTrue(about.get(0).startsWith("kb: ") && about.get(0).contains("No space left on device"), about.get(0));
        add.assertNoStackTrace();
        // the commits stand: only the report of them was lost
        assertEquals(List.of("a", "b"), KbState.assertAtRest(kb).stream().map(KbState.Row::docName).sorted().toList());
        assertTrue(add.err().contains("kb: 2 added, 0 updated, 0 skipped, 0 failed"), add.err());

        toDevFull("status", "--json").expect(1).oneErrorLine("standard output", "No space left on device");
        toDevFull("status").expect(1).oneErrorLine("standard output", "No space left on device");
        toDevFull("list", "--json").expect(1).oneErrorLine("standard output", "No space left on device");
        toDevFull("--version").expect(1).oneErrorLine("standard output", "No space left on device");
        // a whole-command failure keeps its own exit code, and says both things
        Kb.Result usage = toDevFull("add", "--json", "--wait", "xx", "a.md").expect(2);
        assertEquals(2, usage.errLines().size(), usage.err());
    }

    /**
     * {@code kb add --json … | head -1}: the reader goes away after one line, while kb still has
     * a thousand events to print. Every input is committed, the exit code is the batch's (0), and
     * the broken pipe is no failure of kb's: nothing on stderr about it.
     */
    @Test
    void aReaderThatClosesThePipeEarlyLosesNoCommit() throws Exception {
        init();
        int files = 1500; // far more JSON than a pipe buffers, so kb writes after the reader is gone
        for (int i = 0; i < files; i++) {
            file("many/n" + i + ".md", markdown("Note " + i, "body " + i));
        }
        List<String> cmd = new ArrayList<>(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb("add", "--json", "many")));
        File errFile = tmp.resolve("stderr.txt").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectError(errFile);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String first;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            first = r.readLine();
        } // closing our end: kb's next writes fail with EPIPE
        assertTrue(first != null && first.startsWith("{\"input\""), "first line: " + first);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kb did not finish");
        String err = Files.readString(errFile.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertTrue(err.contains("kb: " + files + " added, 0 updated, 0 skipped, 0 failed"), err);
        assertFalse(err.contains("standard output") || err.contains("Broken pipe") || err.contains("Exception"), err);
        assertEquals(files, KbState.assertAtRest(kb).size());
    }

    @Test
    void humanOutputToAClosedPipeIsNoFailureEither() throws IOException, InterruptedException {
        init();
        for (int i = 0; i < 1200; i++) {
            file("many/n" + i + ".md", markdown("Note " + i, "body " + i));
        }
        kb("add", "-q", "many").expect(0);
        List<String> cmd = new ArrayList<>(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb("list")));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        p.getInputStream().close(); // like 'kb list | true'
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "kb did not finish");
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err);
    }
}
