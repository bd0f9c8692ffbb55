package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM (what Ctrl-C's sibling, a service manager or {@code timeout} sends) during a large add:
 * kb finishes the group it is committing and stops there, also when it is waiting for a download
 * that never comes, so the KB is at rest the moment the process is gone, before any other command
 * has run, and nothing it reported added is missing.
 */
class SigtermTest extends E2EBase {
    static final int FILES = 2000;

    /**
     * @param signalAfter how many "added" lines to wait for before the signal: 1 stops kb in the
     *                    middle of the batch; all of them stops it waiting for the silent server
     */
    @ParameterizedTest(name = "signal after {0} added")
    @ValueSource(ints = {1, FILES})
    void stopsAtAGroupBoundaryAndLeavesTheKbAtRest(int signalAfter) throws IOException {
        init();
        for (int i = 0; i < FILES; i++) {
            file("corpus/t" + i + ".md", markdown("Term " + i, "Body of note " + i + "."));
        }
        // The last input is a server that accepts and never answers, so the add cannot end by
        // itself before the signal however fast this machine is; the signal also has to get kb
        // out of waiting for it.
        List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        Kb.Result r;
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is done with it
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String never = "http://127.0.0.1:" + silent.getLocalPort() + "/never.md";
            Kb.Running add = startKb("add", "corpus", never);
            Kb.awaitCondition(Duration.ofSeconds(60), signalAfter + " added lines",
                    () -> SigkillTest.addedLines(add.err()).size() >= signalAfter || !add.process.isAlive());
            assertTrue(add.process.isAlive(), "the add ended before it was signalled; stderr:\n" + add.err());

            // SIGTERM, as kill(1) or a service manager sends it. (Process.destroy() would also close
            // our ends of the child's pipes, so whatever it prints while stopping would be lost.)
            assertTrue(add.process.toHandle().destroy(), "SIGTERM could not be sent");
            r = add.await(Duration.ofSeconds(60));
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
        assertEquals(143, r.code(), "exit status after SIGTERM (128 + 15); stderr:\n" + r.err());
        r.assertNoStackTrace();

        // No recover, no other command in between: the stop itself left the KB at rest.
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        Set<String> names = KbState.names(rows);
        List<String> reported = SigkillTest.addedLines(r.err());
        assertTrue(names.containsAll(reported), "documents reported added are missing");
        assertTrue(r.err().contains("kb: interrupted: stopped after the last committed group"), r.err());
        assertTrue(r.err().contains("kb: " + reported.size() + " added, 0 updated, 0 skipped, 0 failed"),
                "the summary counts what was done before the stop:\n" + r.err());
        assertEquals(rows.size(), reported.size(), "every committed document was reported");
        JsonNode st = status();
        assertTrue(st.get("lock").isNull(), "a stopped writer is still named as the lock holder: " + st);
        assertEquals(0, st.get("pending_journals").asInt(), st.toString());

        // and adding again completes the rest (without the silent server)
        Kb.Result again = kb("add", "--json", "corpus").expect(0);
        assertEquals(FILES - rows.size(), again.summary().get("added").asInt());
        assertEquals(FILES, KbState.assertAtRest(kb).size());
    }
    /**
     * A script reading {@code --json} sees the same stop: the summary is the last line and says
     * {@code "interrupted": true}, with the counts of what was done; a batch that ran to its end
     * has no such key.
     */
    @org.junit.jupiter.api.Test
    void theJsonSummarySaysInterrupted() throws IOException {
        init();
        for (int i = 0; i < 300; i++) {
            file("few/t" + i + ".md", markdown("Term " + i, "Body of note " + i + "."));
        }
        List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        Kb.Result r;
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is done with it
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Kb.Running add = startKb("add", "--json", "few", "http://127.0.0.1:" + silent.getLocalPort() + "/never.md");
            Kb.awaitCondition(Duration.ofSeconds(60), "an added line",
                    () -> !SigkillTest.addedLines(add.err()).isEmpty() || !add.process.isAlive());
            assertTrue(add.process.isAlive(), "the add ended before it was signalled; stderr:\n" + add.err());
            assertTrue(add.process.toHandle().destroy(), "SIGTERM could not be sent");
            r = add.await(Duration.ofSeconds(60));
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
        assertEquals(143, r.code(), r.err());
        JsonNode summary = r.summary();
        assertTrue(summary.path("interrupted").asBoolean(false), "the summary says interrupted: " + summary);
        int added = KbState.assertAtRest(kb).size();
        assertEquals(added, summary.get("added").asInt(), summary.toString());
        assertEquals(added, r.events().stream().filter(e -> e.get("status").asText().equals("added")).count());

        Kb.Result again = kb("add", "--json", "few").expect(0);
        assertTrue(again.summary().path("interrupted").isMissingNode(), again.summary().toString());
    }
}
