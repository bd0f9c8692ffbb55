package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A real full disk: the KB lives on a 2 MB tmpfs mounted in a private mount namespace
 * ({@code unshare --mount}), so the mount vanishes with the child shell whatever happens. Needs
 * the right to mount (root, as in CI); skipped with a line saying so elsewhere.
 */
class DiskFullTest extends E2EBase {

    @Test
    void aFileThatDoesNotFitFailsAloneAndTheOthersAreAdded() throws Exception {
        assumeTrue(canMountPrivately(), "DiskFullTest skipped: cannot mount a tmpfs in a private mount namespace");
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(big);
        Path bigFile = file("big.txt", java.util.Base64.getEncoder().encode(big)); // text, 4 MB: cannot fit
        file("n1.md", markdown("One", "first note"));
        file("n2.md", markdown("Two", "second note"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));

        // one preparer: big.txt fails (and gives its space back) before the notes are staged, so
        // the test shows that clean-up, not a lucky order of threads
        String kbCmd = String.join(" ", quoted(Kb.javaCommand())) + " -Dkb.threads=1 -jar '" + Kb.jar() + "' --kb '" + mnt + "/kb'";
        String script = String.join("\n",
                "mount -t tmpfs -o size=2M tmpfs '" + mnt + "' || exit 99",
                kbCmd + " init >/dev/null 2>&1 || exit 98",
                kbCmd + " add '" + bigFile + "' n1.md n2.md",
                "echo \"add-exit $?\" >&2",
                kbCmd + " status --json",
                "echo \"status-exit $?\" >&2",
                "echo \"staging $(ls -A '" + mnt + "/kb/.kb/staging' | wc -l)\" >&2",
                "echo \"journals $(ls -A '" + mnt + "/kb/.kb/journal' | wc -l)\" >&2");
        Kb.Result r = Kb.startRaw(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
                work, env).await();
        String err = r.err();
        assertEquals(0, r.code(), err);
        assertTrue(err.contains("add-exit 1"), "one input failed, exit 1:\n" + err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("failed ") && l.contains("big.txt")
                && l.contains("No space left on device")), "the failure names the input and the cause:\n" + err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("added ") && l.endsWith("-> n1")), err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("added ") && l.endsWith("-> n2")), err);
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), "no stack trace:\n" + err);
        JsonNode st = Kb.JSON.readTree(r.out().strip());
        assertEquals(2, st.get("documents").asInt(), r.out());
        assertEquals(0, st.get("pending_journals").asInt(), r.out());
        assertTrue(err.contains("staging 0") && err.contains("journals 0"), "the KB is left at rest:\n" + err);
    }

    /**
     * Many small inputs on a disk that fills up part way: the failures come at every step
     * (staging, publishing, the registry transaction). A third of them once read as an SQLite
     * error ("cannot commit - no transaction is active"): SQLite rolls the transaction back
     * itself on SQLITE_FULL, and the error of the next statement hid the real cause. Each one
     * must name the cause a person can act on.
     *
     * <p>Two adds: 20 inputs that fit (about 400 KB of the 1 MB), then 180 that do not. One add
     * of all 200 failed every input now and then: a batch prepares up to two groups ahead of its
     * commits, and when the preparers staged more than the disk holds before the first commit,
     * even that commit had no room (a consistent KB, but nothing added to check).
     */
    @Test
    void everyOutOfSpaceFailureSaysNoSpaceLeftOnDevice() throws Exception {
        assumeTrue(canMountPrivately(), "DiskFullTest skipped: cannot mount a tmpfs in a private mount namespace");
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] body = new byte[4500];
            random.nextBytes(body);
            file("many/" + (i < 20 ? "fits" : "more") + "/f" + i + ".md", "# F" + i + "\n\n"
                    + java.util.Base64.getEncoder().encodeToString(body) + "\n");
        }
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        String kbCmd = String.join(" ", quoted(Kb.javaCommand())) + " -jar '" + Kb.jar() + "' --kb '" + mnt + "/kb'";
        String script = String.join("\n",
                "mount -t tmpfs -o size=1M tmpfs '" + mnt + "' || exit 99",
                kbCmd + " init >/dev/null 2>&1 || exit 98",
                kbCmd + " add --json many/fits",
                "echo \"first-add-exit $?\" >&2",
                kbCmd + " add --json many/more",
                "echo \"add-exit $?\" >&2",
                kbCmd + " recover >/dev/null 2>&1; echo \"recover-exit $?\" >&2",
                "echo \"documents $(" + kbCmd + " list | wc -l)\" >&2");
        Kb.Result r = Kb.startRaw(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
                work, env).await();
        String err = r.err();
        assertEquals(0, r.code(), err);
        assertTrue(err.contains("first-add-exit 0"), "20 inputs fit on the disk:\n" + err);
        // exit 3 when the disk is too full even to write the lock holder's name: that stops the batch
        assertTrue(err.contains("add-exit 1") || err.contains("add-exit 3"), "some inputs failed:\n" + err);
        List<String> failed = err.lines().filter(l -> l.startsWith("failed ")
                || l.startsWith("kb: ") && !l.startsWith("kb: warning: ") && !l.matches("kb: \\d+ added, .*")).toList();
        assertTrue(!failed.isEmpty(), "the disk filled up part way:\n" + err);
        for (String l : failed) {
            assertTrue(l.toLowerCase(java.util.Locale.ROOT).contains("no space left on device"),
                    "an out-of-space failure names its cause: " + l);
        }
        for (JsonNode ev : r.json()) {
            if (ev.has("status") && ev.get("status").asText().equals("failed")) {
                assertTrue(ev.get("error").asText().toLowerCase(java.util.Locale.ROOT).contains("no space left on device"),
                        ev.toString());
            }
        }
        assertTrue(!err.contains("SQLITE") && !err.contains("Exception") && !err.contains("\tat "), err);
        long added = err.lines().filter(l -> l.startsWith("added ")).count();
        assertTrue(added >= 20, err);
        assertTrue(err.contains("recover-exit 0"), "the KB verifies after the full disk:\n" + err);
        assertTrue(err.contains("documents " + added), "every document reported added is in the KB:\n" + err);
    }

    private static List<String> quoted(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add("'" + w + "'");
        }
        return out;
    }

    private boolean canMountPrivately() throws Exception {
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        try {
            Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs -o size=64k tmpfs '" + probe + "'").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false; // no unshare
        }
    }
}
