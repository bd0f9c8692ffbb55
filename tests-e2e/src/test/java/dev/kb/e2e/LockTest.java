package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lock contention with a second real process; status never waits; no lock during downloads. */
class LockTest extends E2EBase {
    private Kb.Running holder;

    /** Starts {@link LockHolderMain} on this KB's lock file and waits until it says it holds the lock. */
    private Kb.Running holdLock() throws Exception {
        Path classes = Path.of(LockHolderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = Kb.javaCommand();
        cmd.addAll(List.of("-cp", classes.toString(), LockHolderMain.class.getName(),
                kb.resolve(".kb/ingest.lock").toString()));
        holder = Kb.startRaw(cmd, work, env);
        Kb.awaitCondition(Duration.ofSeconds(30), "the lock holder to take the lock",
                () -> holder.out().startsWith("locked ") || !holder.process.isAlive());
        assertTrue(holder.process.isAlive(), "lock holder died: " + holder.err());
        return holder;
    }

    private void release() {
        holder.await(Duration.ofSeconds(30)).expect(0);
    }

    @AfterEach
    void stopHolder() {
        if (holder != null && holder.process.isAlive()) {
            holder.kill();
        }
    }

    @Test
    void busyLockExits75NamingTheHolderAndAWaitingAddSucceedsAfterRelease() throws Exception {
        init();
        file("a.md", markdown("Alpha", "waits for the lock"));
        Kb.Running h = holdLock();
        KbState.Snapshot before = KbState.snapshot(kb);

        Kb.Result busy = kb("add", "--wait", "0", "--json", "a.md").expect(75)
                .oneErrorLine("pid " + h.pid(), "holder");
        assertEquals(1, busy.json().size(), busy.out()); // only the contract's --json error object
        assertEquals(75, busy.json().get(0).get("error").get("code").asInt(), busy.out());
        kb("recover", "--wait", "0").expect(75).oneErrorLine("pid " + h.pid());
        // init of a complete KB has nothing to do, so it does not wait for the writer
        kb("init", "--wait", "0", kb.toString()).expect(0).assertNoStackTrace();
        KbState.assertUnchanged(before, kb);

        // status answers at once while the lock is held, and names the holder
        long t0 = System.nanoTime();
        JsonNode st = status();
        assertTrue(st.get("lock").isObject(), st.toString());
        assertEquals(h.pid(), st.get("lock").get("pid").asLong());
        assertEquals("holder", st.get("lock").get("command").asText());
        String human = kb("status").expect(0).out();
        assertTrue(human.contains("pid " + h.pid()), human);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "status waited for the writer");

        // a writer with --wait waits, says for whom, and goes ahead once the lock is released
        Kb.Running waiting = startKb("add", "--wait", "30s", "--json", "a.md");
        Kb.awaitCondition(Duration.ofSeconds(30), "kb add to report that it waits for the lock",
                () -> waiting.err().contains("waiting for the writer lock held by pid " + h.pid())
                        || !waiting.process.isAlive());
        assertTrue(waiting.process.isAlive(), "kb add --wait 30s gave up early: " + waiting.err());
        assertEquals(before.rows(), KbState.rows(kb), "committed while another process held the lock");
        release();
        Kb.Result done = waiting.await().expect(0);
        assertEquals("added", done.events().get(0).get("status").asText());
        assertEquals(Set.of("a"), KbState.names(KbState.assertAtRest(kb)));
        assertTrue(status().get("lock").isNull());
    }

    @Test
    void statusDoesNotWaitForAWriter() throws Exception {
        init();
        Kb.Running h = holdLock();
        Kb.Running st = startKb("status", "--json");
        Kb.Result r = st.await(Duration.ofSeconds(20)).expect(0);
        assertEquals(h.pid(), r.json().get(0).get("lock").get("pid").asLong());
        assertTrue(h.process.isAlive(), "the holder must still hold the lock while status answered");
        release();
    }

    /**
     * A real writer, paused mid-commit (lock held, journal written, files published, registry
     * transaction not yet run): status answers, names it, and sees its journal pending but none
     * of its documents, which are not committed.
     */
    @Test
    void statusAnswersWhileARealWriterIsMidCommit() throws Exception {
        init();
        file("in/a.md", markdown("Alpha", "first"));
        file("in/b.md", markdown("Bravo", "second"));
        Path pause = Files.createDirectories(tmp.resolve("pause"));
        Kb.Running writer = Kb.start(work, Kb.env(home, "KB_TEST_PAUSE_AT", "published", "KB_TEST_PAUSE_DIR",
                pause.toString()), "--kb", kb.toString(), "add", "--json", "in");
        try {
            Kb.awaitCondition(Duration.ofSeconds(60), "kb add to pause after publishing",
                    () -> Files.exists(pause.resolve("paused")) || !writer.process.isAlive());
            assertTrue(writer.process.isAlive(), "kb add ended before pausing: " + writer.err());

            JsonNode st = status();
            assertEquals(writer.pid(), st.get("lock").get("pid").asLong(), st.toString());
            assertTrue(st.get("lock").get("command").asText().startsWith("kb add"), st.toString());
            assertEquals(1, st.get("pending_journals").asInt(), st.toString());
            assertEquals(0, st.get("documents").asInt(), "nothing is committed before the commit point");

            Files.createFile(pause.resolve("resume"));
            Kb.Result done = writer.await().expect(0);
            assertEquals(2, done.summary().get("added").asInt());
        } finally {
            if (writer.process.isAlive()) {
                writer.kill();
            }
        }
        JsonNode after = status();
        assertEquals(2, after.get("documents").asInt());
        assertEquals(0, after.get("pending_journals").asInt());
        assertTrue(after.get("lock").isNull(), after.toString());
        assertEquals(Set.of("a", "b"), KbState.names(KbState.assertAtRest(kb)));
    }

    @Test
    void theLockIsNotHeldDuringADownload() throws Exception {
        init();
        file("local.md", markdown("Local", "committed while the download runs"));
        String page = html("Slow Page", "Served slowly. " + "x".repeat(2000));
        try (MockWebServer server = new MockWebServer()) {
            // about 3 s for the whole body
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setBody(page)
                    .throttleBody(Math.max(1, page.length() / 30), 100, TimeUnit.MILLISECONDS));
            server.start();
            String url = server.url("/slow.html").toString();
            Kb.Running download = startKb("add", "--json", url);
            RecordedRequest req = server.takeRequest(30, TimeUnit.SECONDS);
            assertTrue(req != null, "kb add never requested " + url + ": " + download.err());

            Kb.Result local = kb("add", "--wait", "0", "--json", "local.md").expect(0);
            assertEquals("added", local.events().get(0).get("status").asText());
            assertTrue(download.process.isAlive(), "the download finished before the local add: the test proves nothing");

            Kb.Result remote = download.await().expect(0);
            assertEquals("added", remote.events().get(0).get("status").asText(), remote.err());
            assertEquals(Set.of("local", "slow"), KbState.names(KbState.assertAtRest(kb)));
        }
    }
}
