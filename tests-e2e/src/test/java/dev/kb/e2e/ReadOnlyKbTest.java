package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A KB that can be read but not written: a read-only mount (a backup, a container volume) or a
 * monitoring user with read permission only. SQLite's WAL readers want to create the -shm file
 * next to the registry, so {@code kb status} failed there with "unreadable" (exit 3). Readers must
 * answer; writers stop with one line that says the KB is read-only, and nothing changes.
 */
class ReadOnlyKbTest extends E2EBase {
    static final int NOBODY = 65534;

    private KbState.Snapshot twoDocuments() {
        init();
        file("a.md", markdown("A", "first"));
        file("b.md", markdown("B", "second"));
        kb("add", "a.md", "b.md").expect(0);
        return KbState.snapshot(kb);
    }

    /** The KB bind-mounted read-only in a private mount namespace (root, as in CI). */
    @Test
    void onAReadOnlyMountReadersAnswerAndWritersSaySo() throws Exception {
        assumeTrue(canMountPrivately(), "ReadOnlyKbTest skipped: cannot bind-mount in a private mount namespace");
        KbState.Snapshot before = twoDocuments();
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        String kbCmd = String.join(" ", quoted(Kb.javaCommand())) + " -jar '" + Kb.jar() + "' --kb '" + ro + "'";
        String script = String.join("\n",
                "mount --bind -o ro '" + kb + "' '" + ro + "' || exit 99",
                "touch '" + ro + "/probe' 2>/dev/null && exit 98",
                kbCmd + " status --json; echo \"status-exit $?\" >&2",
                kbCmd + " list; echo \"list-exit $?\" >&2",
                kbCmd + " show a >/dev/null; echo \"show-exit $?\" >&2",
                kbCmd + " add '" + work.resolve("c.md") + "'; echo \"add-exit $?\" >&2",
                kbCmd + " remove a; echo \"remove-exit $?\" >&2",
                kbCmd + " recover; echo \"recover-exit $?\" >&2");
        file("c.md", markdown("C", "cannot be added"));
        Kb.Result r = Kb.startRaw(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script),
                work, env).await().expect(0);
        assertReadersAnswerAndWritersRefuse(r, ro, "read-only file system");
        KbState.assertUnchanged(before, kb);
    }

    /** A user who may read the KB but not write it ({@code setpriv} to nobody). */
    @Test
    void forAUserWithReadPermissionOnlyReadersAnswerAndWritersSaySo() throws Exception {
        assumeTrue(canRunAsNobody(), "ReadOnlyKbTest skipped: cannot run a process as uid " + NOBODY + " (setpriv)");
        KbState.Snapshot before = twoDocuments();
        // the test's temporary folder is private to root: let others through to the KB, read only
        for (Path p = kb; p != null && !p.equals(tmp.getParent()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path nobodyHome = Files.createDirectories(tmp.resolve("nobody-home"));
        Files.setAttribute(nobodyHome, "unix:uid", NOBODY);
        file("c.md", markdown("C", "cannot be added"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<String> prefix = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups"));
        prefix.addAll(Kb.javaCommand());
        prefix.addAll(List.of("-jar", Kb.jar().toString(), "--kb", kb.toString()));
        java.util.Map<String, String> nobodyEnv = Kb.env(nobodyHome);
        StringBuilder err = new StringBuilder();
        StringBuilder out = new StringBuilder();
        String[][] commands = {{"status", "--json"}, {"list"}, {"show", "a"}, {"add", work.resolve("c.md").toString()},
                {"remove", "a"}, {"recover"}};
        String[] labels = {"status", "list", "show", "add", "remove", "recover"};
        for (int i = 0; i < commands.length; i++) {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(commands[i]));
            Kb.Result one = Kb.startRaw(cmd, work, nobodyEnv).await();
            err.append(one.err()).append(labels[i]).append("-exit ").append(one.code()).append('\n');
            if (i < 2) {
                out.append(one.out());
            }
        }
        Kb.Result r = new Kb.Result("as nobody", 0, out.toString(), err.toString());
        assertReadersAnswerAndWritersRefuse(r, kb, "read-only");
        KbState.assertUnchanged(before, kb);
    }

    private static void assertReadersAnswerAndWritersRefuse(Kb.Result r, Path shownKb, String cause) throws IOException {
        String err = r.err();
        for (String reader : List.of("status", "list", "show")) {
            assertTrue(err.contains(reader + "-exit 0"), "'kb " + reader + "' answers:\n" + err);
        }
        JsonNode st = Kb.JSON.readTree(r.out().lines().findFirst().orElseThrow());
        assertEquals(shownKb.toRealPath().toString(), st.get("kb").asText(), r.out());
        assertEquals(2, st.get("documents").asInt(), r.out());
        assertEquals(0, st.get("pending_journals").asInt(), r.out());
        assertTrue(st.get("lock").isNull(), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("a\t")) && r.out().lines().anyMatch(l -> l.startsWith("b\t")),
                "kb list lists both documents:\n" + r.out());
        for (String writer : List.of("add", "remove", "recover")) {
            assertTrue(err.contains(writer + "-exit 3"), "'kb " + writer + "' refuses with exit 3:\n" + err);
        }
        List<String> said = err.lines().filter(l -> !l.matches("\\w+-exit \\d+")).toList();
        assertEquals(3, said.size(), "one line from each writer, nothing from the readers:\n" + err);
        for (String l : said) {
            assertTrue(l.startsWith("kb: ") && l.toLowerCase(java.util.Locale.ROOT).contains(cause),
                    "the writer says why: " + l);
        }
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), err);
    }

    static List<String> quoted(List<String> words) {
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add("'" + w + "'");
        }
        return out;
    }

    private boolean canMountPrivately() throws Exception {
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        return succeeds("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind -o ro '" + probe + "' '" + probe + "'");
    }

    static boolean canRunAsNobody() {
        return succeeds("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "true");
    }

    static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
