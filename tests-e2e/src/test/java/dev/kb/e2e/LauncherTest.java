package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code kb} on PATH: the launcher reached through symbolic links from an unrelated directory,
 * {@code kb completion}, and {@code --help}/{@code --version} on every subcommand.
 */
class LauncherTest extends E2EBase {

    /** Every subcommand the contract's "on every level" covers in this build. */
    private static final List<String> SUBCOMMANDS = List.of("init", "add", "import", "recover", "status",
            "completion");

    /**
     * The real {@code cli/kb} beside the built jar. Tests run it only after {@link Kb#jar()} has found
     * the jar: without it the launcher would start a Maven build.
     */
    private static Path launcher() {
        Path script = Kb.jar().getParent().getParent().resolve("kb");
        assertTrue(Files.isExecutable(script), script + " is not an executable file");
        return script.toAbsolutePath();
    }

    /** Kb's environment with {@code extraPath}, then this JVM's java, first on PATH: the launcher runs plain 'java'. */
    private Map<String, String> launcherEnv(Path extraPath, String... extra) {
        Map<String, String> e = Kb.env(home, extra);
        String java = Path.of(System.getProperty("java.home"), "bin").toString();
        e.put("PATH", (extraPath == null ? "" : extraPath + ":") + java + ":" + e.getOrDefault("PATH", ""));
        return e;
    }

    private Kb.Result runScript(Path cwd, Map<String, String> env, String... command) {
        return Kb.startRaw(List.of(command), cwd, env).await();
    }

    private String expectedVersion() {
        String v = kb("--version").expect(0).out().strip();
        assertTrue(v.startsWith("kb "), "unexpected version line: " + v);
        return v;
    }

    @Test
    void theLauncherRunsThroughSymlinksFromAnyDirectory() throws IOException {
        String version = expectedVersion();
        Path real = launcher();
        // ~/.local/bin/kb -> /abs/cli/kb, and a link to that link with a relative target, one directory over
        Path links = Files.createDirectories(tmp.resolve("links"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path direct = Files.createSymbolicLink(links.resolve("kb"), real);
        Path chained = Files.createSymbolicLink(bin.resolve("kb"), Path.of("..", "links", "kb"));
        // a working directory with no jar, no pom and no KB anywhere above it that kb could lean on
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));

        for (Path link : List.of(direct, chained)) {
            Kb.Result r = runScript(elsewhere, launcherEnv(null), link.toString(), "--version").expect(0);
            assertEquals(version, r.out().strip(), "through " + link);
            assertFalse(r.err().contains("building"), "the launcher looked for the jar beside " + link + ":\n"
                    + r.err());
        }
        // found on PATH by name, as after the README's install command; CDPATH must not leak into the path
        Kb.Result onPath = runScript(elsewhere, launcherEnv(bin, "CDPATH", tmp.toString()), "bash", "-c",
                "kb status --version").expect(0);
        assertEquals(version, onPath.out().strip());
        // a relative invocation of a link: the form 'cd ~/.local/bin && ./kb' takes
        assertEquals(version, runScript(bin, launcherEnv(null), "./kb", "-V").expect(0).out().strip());
    }

    @Test
    void theLauncherStillPassesKbJavaOptsThroughALink() throws IOException {
        Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("bin")).resolve("kb"), launcher());
        Kb.Result r = runScript(work, launcherEnv(null, "KB_JAVA_OPTS",
                "-XshowSettings:properties -Dkb.launcher.probe=through-link"), link.toString(), "--version").expect(0);
        assertTrue(r.err().contains("kb.launcher.probe = through-link"), "KB_JAVA_OPTS did not reach java:\n"
                + r.err());
    }

    @Test
    void completionPrintsABashScriptForKbThatBashAccepts() throws IOException, InterruptedException {
        Kb.Result r = kb("completion").expect(0);
        String script = r.out();
        assertEquals("", r.err());
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script.lines().findFirst().orElse(""));
        assertTrue(Pattern.compile("(?m)^complete -F (\\S+) .*\\bkb\\b").matcher(script).find(),
                "no 'complete -F … kb' line in:\n" + script);
        for (String sub : SUBCOMMANDS) {
            assertTrue(Pattern.compile("(?m)^\\s*local commands=\".*\\b" + sub + "\\b").matcher(script).find(),
                    "the completion does not offer '" + sub + "'");
        }
        Path file = Files.writeString(tmp.resolve("kb.bash"), script);
        runScript(work, env, "bash", "-n", file.toString()).expect(0);

        // and it completes: 'kb st<TAB>' offers status, 'kb add --w<TAB>' offers --wait
        String probe = "source \"$1\"; "
                + "COMP_LINE='kb st'; COMP_WORDS=(kb st); COMP_CWORD=1; _complete_kb; echo \"[${COMPREPLY[*]}]\"; "
                + "COMP_LINE='kb add --w'; COMP_WORDS=(kb add --w); COMP_CWORD=2; _complete_kb; "
                + "echo \"[${COMPREPLY[*]}]\"";
        Kb.Result done = runScript(work, env, "bash", "-c", probe, "probe", file.toString()).expect(0);
        assertEquals(List.of("[status]", "[--wait]"), done.out().lines().toList(), done.err());
    }

    @Test
    void everySubcommandKeepsHelpAndVersion() {
        String version = expectedVersion();
        for (String sub : SUBCOMMANDS) {
            Kb.Result help = kb(sub, "--help").expect(0).assertNoStackTrace();
            assertTrue(help.out().startsWith("Usage: kb " + sub), sub + " --help:\n" + help.out());
            assertTrue(help.out().contains("-V, --version"), sub + " --help lacks --version:\n" + help.out());
            assertTrue(help.out().contains("-h, --help"), sub + " --help lacks --help:\n" + help.out());
            assertEquals(version, kb(sub, "--version").expect(0).out().strip(), sub + " --version");
        }
        assertEquals(version, kb("status", "-V").expect(0).out().strip());
        // the root's exit-code legend stays on the root: 'kb status' never waits, so never exits 75
        assertTrue(kb("--help").expect(0).out().contains("Exit codes:"));
        assertFalse(kb("status", "--help").expect(0).out().contains("Exit codes:"));
    }
}
