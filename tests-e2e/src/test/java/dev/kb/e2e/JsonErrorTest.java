package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Under --json a command that fails as a whole (exit 2, 3, 75) prints exactly one
 * {@code {"error":{"code":N,"message":"…"}}} line on stdout, besides its one line on stderr, so a
 * script reading stdout alone is never left with nothing.
 */
class JsonErrorTest extends E2EBase {
    private Kb.Running holder;

    @AfterEach
    void stopHolder() {
        if (holder != null && holder.process.isAlive()) {
            holder.kill();
        }
    }

    /** Exit {@code code}, one stderr line with the JSON message in it, one error line on stdout. */
    private static String fails(Kb.Result r, int code, String... mentions) {
        r.expect(code).oneErrorLine(mentions);
        String message = r.errorObject(mentions).errorMessage();
        assertTrue(r.errLines().get(0).contains(message), "stderr and stdout tell different stories:\n"
                + r.err() + r.out());
        return message;
    }

    @Test
    void noKnowledgeBaseIsExit3ForEveryCommand() {
        Path nowhere = tmp.resolve("nonexistent");
        for (List<String> cmd : List.of(List.of("list", "--json"), List.of("show", "--json", "x"),
                List.of("remove", "--json", "x"), List.of("status", "--json"), List.of("add", "--json", "x.md"),
                List.of("list", "--json", "--type", "pdf"))) {
            String[] args = new String[cmd.size() + 2];
            args[0] = "--kb";
            args[1] = nowhere.toString();
            for (int i = 0; i < cmd.size(); i++) {
                args[i + 2] = cmd.get(i);
            }
            fails(Kb.run(work, env, args), 3, "no knowledge base", nowhere.toString());
        }
        assertTrue(!Files.exists(nowhere), "a read made the KB directory");
    }

    @Test
    void anUnreadableOrMissingRegistryIsExit3() throws Exception {
        init();
        Files.writeString(kb.resolve(".kb/registry.db"), "this is not an SQLite database, not at all\n".repeat(100));
        for (String[] args : List.of(new String[] {"list", "--json"}, new String[] {"show", "--json", "x"},
                new String[] {"remove", "--json", "x"})) {
            fails(kb(args), 3, "registry", "damaged", "kb recover --rebuild-registry");
        }
        Files.delete(kb.resolve(".kb/registry.db"));
        fails(kb("list", "--json"), 3, "registry", "missing");
        assertTrue(!Files.exists(kb.resolve(".kb/registry.db")), "a read recreated the registry");
    }

    @Test
    void usageErrorsAreExit2() {
        init();
        fails(kb("list", "--json", "--bogus"), 2, "--bogus");
        fails(kb("list", "--json", "--type", "nope"), 2, "unknown type 'nope'");
        fails(kb("list", "--json", "--type"), 2, "--type");
        fails(kb("show", "--json"), 2, "DOC");
        fails(kb("show", "--json", "a", "b"), 2, "Unmatched argument", "'b'");
        fails(kb("remove", "--json"), 2, "nothing to remove");
        fails(kb("remove", "--json", "--wait", "xx", "a"), 2, "--wait", "xx");
        fails(kb("remove", "--json", "--from-file", "missing.txt"), 2, "--from-file", "missing.txt");
        fails(kb("remove", "--json", "--bogus", "a"), 2, "--bogus");
        KbState.assertAtRest(kb);
    }

    @Test
    void aBusyLockIsExit75() throws Exception {
        init();
        file("a.md", markdown("Alpha", "in the KB"));
        kb("add", "a.md").expect(0);
        Path classes = Path.of(LockHolderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = Kb.javaCommand();
        cmd.addAll(List.of("-cp", classes.toString(), LockHolderMain.class.getName(),
                kb.resolve(".kb/ingest.lock").toString()));
        holder = Kb.startRaw(cmd, work, env);
        Kb.awaitCondition(Duration.ofSeconds(30), "the lock holder to take the lock",
                () -> holder.out().startsWith("locked ") || !holder.process.isAlive());
        assertTrue(holder.process.isAlive(), "lock holder died: " + holder.err());

        fails(kb("remove", "--json", "--wait", "0", "a"), 75, "pid " + holder.pid(), "holds the writer lock");
        fails(kb("add", "--json", "--wait", "0", "a.md"), 75, "pid " + holder.pid());
        // reads do not take the lock: they answer
        assertEquals("a", kb("list", "--json").expect(0).json().get(0).get("doc").asText());
        holder.await(Duration.ofSeconds(30)).expect(0);
        assertEquals(Set.of("a"), KbState.names(KbState.assertAtRest(kb)));
    }

    /** An input failure is exit 1 with events, not the error object; and --json after "--" is an input. */
    @Test
    void anInputFailureIsNotAWholeCommandFailure() {
        init();
        Kb.Result r = kb("remove", "--json", "nothing").expect(1);
        assertEquals(2, r.json().size(), r.out());
        assertEquals("failed", r.events().get(0).get("status").asText());
        assertTrue(r.json().stream().noneMatch(n -> n.has("error") && n.get("error").isObject()), r.out());

        Kb.Result dashes = kb("remove", "--", "--json").expect(1);
        assertEquals("", dashes.out(), "--json after -- is a document name, not the option");
        assertTrue(dashes.err().contains("failed   --json: not in the knowledge base"), dashes.err());
    }
}
