package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --from-file -} with standard input closed ({@code <&-}, as some service managers start
 * jobs): the JVM's first file took descriptor 0, kb read the JVM's module image as its input
 * list, and the JVM crashed (SIGSEGV, exit 139). It is a usage error, whichever name of standard
 * input is given, and the KB stays as it was.
 */
class StdinClosedTest extends E2EBase {

    /** kb run through the shell with its standard input closed before the JVM starts. */
    private Kb.Result closedStdin(String... args) {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" <&-"));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb(args)));
        return Kb.startRaw(cmd, work, env).await();
    }

    @Test
    void fromFileOfAClosedStandardInputIsAUsageError() {
        init();
        file("good.md", markdown("Good", "already in the KB"));
        kb("add", "good.md").expect(0);
        KbState.Snapshot before = KbState.snapshot(kb);
        for (String command : List.of("add", "remove")) {
            for (String stdin : List.of("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")) {
                Kb.Result r = closedStdin(command, "--from-file", stdin).expect(2)
                        .oneErrorLine("--from-file " + stdin, "standard input is closed");
                assertEquals("", r.out(), command + " " + stdin);
            }
        }
        KbState.assertUnchanged(before, kb);

        // a list given as standard input, from a file or a pipe, is read as before
        file("list.txt", "good.md\n");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" < list.txt"));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb("add", "--json", "--from-file", "-")));
        Kb.Result redirected = Kb.startRaw(cmd, work, env).await().expect(0);
        assertEquals("unchanged", redirected.events().get(0).get("reason").asText(), redirected.out());
        Kb.Running piped = startKb("add", "--json", "--from-file", "/dev/stdin");
        try {
            piped.process.getOutputStream().write("good.md\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Kb.Result r = piped.await().expect(0);
        assertEquals("unchanged", r.events().get(0).get("reason").asText(), r.out());
    }
}
