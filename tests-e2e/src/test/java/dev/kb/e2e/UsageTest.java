package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command line itself: what a mistyped command or an absurd option value says, and what
 * {@code --help} promises. A usage error is exit 2 with one line, at parse time, before any input
 * is touched.
 */
class UsageTest extends E2EBase {
    static final List<String> COMMANDS = List.of("init", "add", "import", "remove", "list", "show", "recover",
            "status", "completion");

    /**
     * Durations beyond any sensible wait once overflowed deep inside kb: {@code --wait 9999999h} was
     * exit 70 ("long overflow"), a huge {@code --wait-ready} failed every input with a
     * DateTimeException. Both are refused while the options are parsed.
     */
    @Test
    void durationsTooLongToWaitAreUsageErrors() {
        init();
        file("d.md", markdown("D", "never added"));
        KbState.Snapshot before = KbState.snapshot(kb);
        for (String huge : List.of("9999999h", "9223372036854775807", "999999999m")) {
            kb("add", "--wait", huge, "d.md").expect(2).oneErrorLine("--wait", huge, "too large");
            kb("add", "--json", "--timeout", huge, "d.md").expect(2).oneErrorLine("--timeout", huge, "too large");
            kb("remove", "--wait", huge, "d").expect(2).oneErrorLine("--wait", huge);
            kb("recover", "--wait", huge).expect(2).oneErrorLine("--wait", huge);
            // a key and a base URL, so that the only thing wrong is the duration (no request is made:
            // nothing listens on port 1)
            kbEnv(new String[] {"PAGEINDEX_API_KEY", "k-1", "PAGEINDEX_BASE_URL", "http://127.0.0.1:1"}, "import",
                    "--cloud", "--wait-ready", huge, "pi-abc").expect(2).oneErrorLine("--wait-ready", huge, "too large");
        }
        KbState.assertUnchanged(before, kb);
    }

    @Test
    void anUnknownCommandIsNamedAndTheCommandsListed() {
        Kb.Result r = Kb.run(work, env, "frobnicate").expect(2).oneErrorLine("unknown command 'frobnicate'");
        String line = r.errLines().get(0);
        assertFalse(line.contains("Unmatched argument"), line);
        for (String c : COMMANDS) {
            assertTrue(line.contains(c), "the line lists '" + c + "': " + line);
        }
        assertEquals("", r.out());
        // under --json a whole-command failure is also the contract's error object on stdout
        Kb.Result json = Kb.run(work, env, "frobnicate", "--json").expect(2).oneErrorLine("unknown command");
        assertEquals(2, json.json().get(0).get("error").get("code").asInt(), json.out());
        // an unknown option of a command stays what it is
        Kb.run(work, env, "status", "--frobnicate").expect(2).oneErrorLine("--frobnicate");
    }

    /**
     * Java's line breaking allows a break after a dot that starts a word, so picocli wrapped
     * "contains .kb/" as "contains ." and "kb/" on the next line. No help text of any command may
     * split such a word, and the root's help lists every exit code of the contract.
     */
    @Test
    void helpKeepsDottedWordsWholeAndListsEveryExitCode() {
        List<List<String>> all = new java.util.ArrayList<>();
        all.add(List.of("--help"));
        for (String c : COMMANDS) {
            all.add(List.of(c, "--help"));
        }
        for (List<String> args : all) {
            Kb.Result r = Kb.run(work, env, args.toArray(String[]::new)).expect(0);
            List<String> lines = r.out().lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                String l = lines.get(i).stripTrailing();
                assertFalse(l.matches(".*(^|[\\s('\"`])\\.$"), "'kb " + String.join(" ", args)
                        + "' breaks a word after its leading dot:\n" + l + "\n" + lines.get(i + 1));
            }
        }
        String help = Kb.run(work, env, "--help").expect(0).out();
        assertTrue(help.contains(".kb/"), help);
        String flat = help.replaceAll("\\s+", " ");
        for (String code : List.of("0 ", "1 ", "2 ", "3 ", "70 ", "75 ", "130", "143")) {
            assertTrue(flat.contains("Exit codes:") && flat.substring(flat.indexOf("Exit codes:")).contains(code),
                    "--help names exit code " + code.trim() + ":\n" + help);
        }
    }
}
