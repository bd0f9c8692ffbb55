package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A directory walk accounts for every entry: what it cannot read fails with the cause (exit 1),
 * what it skips on purpose is a {@code skipped} event with the reason. It used to drop entries it
 * could not stat and say "0 failed".
 */
class WalkTest extends E2EBase {

    /** Runs a POSIX shell script in {@code dir} as root, or aborts the test where there is none. */
    static void sh(Path dir, String script) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "script failed: " + out);
        } catch (IOException e) {
            Assumptions.abort("no /bin/sh here: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The command that runs kb as the user nobody (uid 65534), for tests of permissions: root
     * reads and searches every directory, so only another user sees what a permission hides. Null
     * (and one line saying why) where that cannot be done.
     */
    static List<String> asNobody(String... kbArgs) {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (!root || !Files.isExecutable(setpriv)) {
            System.out.println("skipped: permission test needs root and setpriv to run kb as another user");
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(kbArgs));
        return cmd;
    }

    /** Every event by input: "status: reason or error". */
    static Map<String, String> byInput(Kb.Result r) {
        Map<String, String> m = new TreeMap<>();
        for (JsonNode e : r.events()) {
            String why = e.get("status").asText().equals("failed") ? e.get("error").asText()
                    : e.hasNonNull("reason") ? e.get("reason").asText() : "";
            m.put(e.get("input").asText(), e.get("status").asText() + ": " + why);
        }
        return m;
    }

    @Test
    void everyEntryTheWalkCannotReadFailsWithItsCause() {
        init();
        file("tree/good.md", markdown("Good", "readable by anyone"));
        file("tree/locked/a.md", markdown("A", "in a directory that can be listed, not searched"));
        file("tree/locked/sub/b.md", markdown("B", "one level deeper"));
        file("tree/closed/c.md", markdown("C", "in a directory that cannot be listed"));
        file("tree/secret.md", markdown("Secret", "a file nobody may read"));
        Path tree = work.resolve("tree");
        List<String> cmd = asNobody("--kb", kb.toString(), "add", "--json", "tree");
        if (cmd == null) {
            Assumptions.abort("cannot run kb as another user here");
        }
        // what a user does by mistake: the files' mode given to the directories too
        sh(tree, "chmod -R 644 locked && chmod 000 closed secret.md"
                + " && chmod 755 " + tmp + " && chown -R 65534:65534 " + home + " " + kb);
        KbState.Snapshot before = KbState.snapshot(kb);

        Kb.Result r = Kb.startRaw(cmd, work, env).await().expect(1).assertNoStackTrace();
        String unsearchable = "permission denied (its directory " + tree.resolve("locked")
                + " is not searchable: it lacks the x permission)";
        Map<String, String> expected = new TreeMap<>(Map.of(
                "tree/closed", "failed: cannot read directory: permission denied",
                "tree/good.md", "added: ",
                "tree/locked/a.md", "failed: " + unsearchable,
                "tree/locked/sub", "failed: " + unsearchable,
                "tree/secret.md", "failed: permission denied"));
        assertEquals(expected, byInput(r), r.out());
        assertEquals(4, r.summary().get("failed").asInt());
        assertEquals(1, r.summary().get("added").asInt());
        for (String input : List.of("tree/closed", "tree/locked/a.md", "tree/locked/sub", "tree/secret.md")) {
            List<String> lines = r.errLines().stream().filter(l -> l.contains(input + ":")).toList();
            assertEquals(1, lines.size(), "one line names " + input + ":\n" + r.err());
            assertTrue(lines.get(0).contains("permission denied"), lines.get(0));
        }
        assertEquals(List.of("good"), KbState.assertAtRest(kb).stream().map(KbState.Row::docName).toList());
        assertEquals(before.rows().size() + 1, KbState.rows(kb).size());

        // named alone, such a file is not "no such file or directory": it is there, out of reach
        KbState.Snapshot after = KbState.snapshot(kb);
        Kb.Result alone = Kb.startRaw(asNobody("--kb", kb.toString(), "add", "tree/locked/a.md"), work, env).await()
                .expect(1).assertNoStackTrace();
        List<String> lines = alone.errLines().stream().filter(l -> l.contains("tree/locked/a.md:")).toList();
        assertEquals(List.of("failed   tree/locked/a.md: " + unsearchable), lines, alone.err());
        KbState.assertUnchanged(after, kb);
    }

    @Test
    void anEntryDeeperThanThePathLimitFailsWithItsCause() {
        init();
        file("deep/top.md", markdown("Top", "at the top"));
        String level = "d".repeat(250);
        // the shell's cd -P takes one short step at a time, so it builds what no single path can name
        sh(work.resolve("deep"), "for i in $(seq 1 20); do mkdir " + level + " && cd -P " + level
                + " || exit 1; done; echo '# Deep' > deep.md");
        try {
            Kb.Result r = kb("add", "--json", "deep").expect(1).assertNoStackTrace();
            List<JsonNode> events = r.events();
            assertEquals(2, events.size(), r.out());
            JsonNode failed = events.get(0);
            assertEquals("failed", failed.get("status").asText());
            assertTrue(failed.get("error").asText().startsWith("path too long for this system"), failed.toString());
            assertTrue(failed.get("input").asText().startsWith("deep/" + level + "/"), failed.toString());
            assertEquals("added", events.get(1).get("status").asText());
            assertEquals(1, r.summary().get("failed").asInt());
            assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("failed") && l.contains("path too long")),
                    r.err());
            assertEquals(List.of("top"), KbState.assertAtRest(kb).stream().map(KbState.Row::docName).toList());
        } finally {
            sh(work.resolve("deep"), "rm -rf " + level); // JUnit's clean-up names each file by its whole path
        }
    }

    @Test
    void everyEntrySkippedOnPurposeIsOneEventWithItsReason() throws Exception {
        init();
        file("notes/good.md", markdown("Good", "the one document"));
        file("notes/.hidden.md", markdown("Hidden", "a hidden file"));
        for (int i = 0; i < 3; i++) {
            file("notes/.git/objects/o" + i + ".md", markdown("Object " + i, "inside a hidden directory"));
        }
        file("notes/image.png", "not an image, but named like one");
        Path notes = work.resolve("notes");
        BadInputTest.symlink(notes.resolve("dangling.md"), notes.resolve("gone.md"));
        BadInputTest.symlink(notes.resolve("loop.md"), notes.resolve("loop.md"));
        BadInputTest.symlink(notes.resolve("sub/back"), notes);
        sh(notes, "mkfifo pipe.md");
        KbState.Snapshot before = KbState.snapshot(kb);

        Kb.Result r = kb("add", "--json", "notes").expect(0).assertNoStackTrace();
        Map<String, String> expected = new TreeMap<>(Map.of(
                "notes/.git", "skipped: hidden",
                "notes/.hidden.md", "skipped: hidden",
                "notes/dangling.md", "skipped: dangling symbolic link (its target " + notes.resolve("gone.md")
                        + " does not exist)",
                "notes/good.md", "added: ",
                "notes/image.png", "skipped: unsupported file type .png",
                "notes/loop.md", "skipped: symbolic link loop (too many levels of symbolic links)",
                "notes/pipe.md", "skipped: not a regular file (a FIFO, device or socket)",
                "notes/sub/back", "skipped: symbolic link loop (leads back to notes)"));
        assertEquals(expected, byInput(r), r.out());
        assertEquals(7, r.summary().get("skipped").asInt());
        assertEquals(0, r.summary().get("failed").asInt());
        for (String input : expected.keySet()) {
            List<String> lines = r.errLines().stream().filter(l -> l.endsWith(" " + input)
                    || l.contains(" " + input + " ")).toList();
            assertEquals(1, lines.size(), "one line about " + input + ":\n" + r.err());
        }
        assertEquals(before.rows().size() + 1, KbState.assertAtRest(kb).size());

        // --quiet keeps a cron job's mail to failures and the summary
        Kb.Result quiet = kb("add", "--quiet", "notes").expect(0);
        assertEquals(Collections.singletonList(quiet.errLines().get(quiet.errLines().size() - 1)), quiet.errLines());
    }
}
