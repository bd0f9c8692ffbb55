package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kb status} taken without picocli answers every line it takes exactly as picocli's
 * {@code status} does (same stdout, stderr and exit code), and leaves every other line to picocli.
 */
class PolledStatusTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void nativeLibraryHome() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "sqlite-native").toAbsolutePath());
        System.setProperty("org.sqlite.tmpdir", dir.toString());
    }

    record Result(Integer code, String out, String err) {
    }

    private Map<String, String> env(String kbDir) {
        Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.resolve("home").toString()));
        if (kbDir != null) {
            env.put("KB_DIR", kbDir);
        }
        return env;
    }

    private Result polled(Path cwd, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer code = PolledStatus.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env, cwd);
        return new Result(code, out.toString(), err.toString());
    }

    private Result picocli(Path cwd, Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env, cwd);
        return new Result(code, out.toString(), err.toString());
    }

    /** The KB with a document, so that the summary has something to show. */
    private Path kbWithANote() throws Exception {
        Path kb = tmp.resolve("my kb");
        assertEquals(0, Main.run(new String[] {"init", kb.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), env(null), tmp));
        Path note = Files.writeString(tmp.resolve("note.md"), "# A note\n\n" + "body ".repeat(400) + "\n");
        assertEquals(0, Main.run(new String[] {"--kb", kb.toString(), "add", note.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), env(null), tmp));
        return kb;
    }

    @Test
    void everyLineItTakesIsAnsweredAsPicocliAnswersIt() throws Exception {
        Path kb = kbWithANote();
        String k = kb.toString();
        List<String[]> lines = new ArrayList<>();
        for (String[] opts : List.of(new String[0], new String[] {"--json"})) {
            for (String[] around : List.of(new String[0], new String[] {"-v"}, new String[] {"--verbose"})) {
                lines.add(concat(around, new String[] {"--kb", k, "status"}, opts));
                lines.add(concat(new String[] {"status"}, opts, around, new String[] {"--kb=" + k}));
                lines.add(concat(new String[] {"--kb=" + k}, around, new String[] {"status"}, opts));
                lines.add(concat(new String[] {"status", "--kb", "my kb"}, around, opts)); // relative to the cwd
            }
        }
        for (String[] line : lines) {
            Result fast = polled(tmp, env(null), line);
            Result slow = picocli(tmp, env(null), line);
            assertNotNull(fast.code(), String.join(" ", line) + " is a status line to take");
            assertEquals(slow, fast, String.join(" ", line));
            assertEquals(0, fast.code(), fast.err());
        }
        // the KB found as picocli's status finds it: $KB_DIR, else at or above the working directory
        Result byEnv = polled(tmp.resolve("home"), env(k), "status", "--json");
        assertEquals(picocli(tmp.resolve("home"), env(k), "status", "--json"), byEnv);
        Path wiki = kb.resolve("wiki");
        Result byCwd = polled(wiki, env(null), "status");
        assertEquals(picocli(wiki, env(null), "status"), byCwd);
        assertTrue(byCwd.out().contains("documents:        1 (markdown 1; 2.0 KiB)"), byCwd.out());
    }

    /** A status that fails (no KB there, a KB of a damaged registry) fails the same way too. */
    @Test
    void failuresAreReportedAsPicocliReportsThem() throws Exception {
        Path none = Files.createDirectories(tmp.resolve("not a kb"));
        for (String[] line : List.<String[]>of(new String[] {"status"}, new String[] {"status", "--json"},
                new String[] {"-v", "status", "--json"}, new String[] {"--kb", none.toString(), "status"})) {
            Result fast = polled(none, env(null), line);
            Result slow = picocli(none, env(null), line);
            if (line[0].equals("-v")) {
                // the stack trace --verbose adds has other frames; the line above it is the same
                assertEquals(slow.err().lines().findFirst(), fast.err().lines().findFirst());
                assertTrue(fast.err().contains("\tat dev.kb.core."), fast.err());
                fast = new Result(fast.code(), fast.out(), "");
                slow = new Result(slow.code(), slow.out(), "");
            }
            assertEquals(slow, fast, String.join(" ", line));
            assertEquals(ExitCodes.KB_UNUSABLE, fast.code(), fast.err());
        }
        Path kb = kbWithANote();
        Files.writeString(kb.resolve(".kb/registry.db"), "not a database, not even close to one");
        Result fast = polled(tmp, env(null), "--kb", kb.toString(), "status", "--json");
        assertEquals(picocli(tmp, env(null), "--kb", kb.toString(), "status", "--json"), fast);
        assertEquals(ExitCodes.KB_UNUSABLE, fast.code(), fast.err());
        assertTrue(fast.out().startsWith("{\"error\":"), fast.out());
    }

    @Test
    void everyOtherLineIsLeftToPicocli() throws Exception {
        String k = kbWithANote().toString();
        List<String[]> others = List.of(new String[0], new String[] {"list"}, new String[] {"--kb", k},
                new String[] {"status", "--watch"}, new String[] {"status", "--help"}, new String[] {"status", "-h"},
                new String[] {"status", "--json", "--json"}, new String[] {"-v", "status", "-v"},
                new String[] {"--json", "status"}, new String[] {"status", "status"},
                new String[] {"--kb", k, "status", "--kb", k}, new String[] {"status", "--kb"},
                new String[] {"status", "--kb", ""}, new String[] {"status", "--kb=", "--json"},
                new String[] {"status", "--kb", "--json"}, new String[] {"status", "--kb", "@args"},
                new String[] {"@args"}, new String[] {"status", "--"}, new String[] {"status", "-vj"},
                new String[] {"status", "--kb", "a\0b"}, new String[] {"Status"}, new String[] {"status", "--JSON"},
                new String[] {"add", "status"}, new String[] {"--kb", "status", "status"},
                new String[] {"--kb=status", "status"});
        for (String[] line : others) {
            Result r = polled(tmp, env(null), line);
            assertNull(r.code(), String.join(" ", line));
            assertEquals("", r.out() + r.err(), "nothing printed for " + String.join(" ", line));
        }
    }

    private static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(String[]::new);
    }
}
