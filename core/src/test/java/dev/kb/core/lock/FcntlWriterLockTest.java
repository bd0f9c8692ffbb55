package dev.kb.core.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.KbException;
import dev.kb.core.app.Init;
import dev.kb.core.app.Status;
import dev.kb.core.fs.ChildJvm;
import dev.kb.core.kb.KnowledgeBase;
import dev.kb.core.store.LockLostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class FcntlWriterLockTest {

    @TempDir
    Path tmp;

    KnowledgeBase kb;
    ExecutorService other;

    @BeforeEach
    void init() {
        Init.run(tmp, Duration.ZERO, m -> { }, m -> { });
        kb = KnowledgeBase.open(tmp);
        other = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        other.shutdownNow();
    }

    private static KbException cause(ExecutionException e) {
        return (KbException) e.getCause();
    }

    @Test
    void secondAcquireWithZeroWaitIsBusyAndNamesTheHolder() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add notes/", m -> { })) {
            held.assertHeld();
            Future<FcntlWriterLock> second = other.submit(() -> FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { }));
            ExecutionException e = assertThrows(ExecutionException.class, second::get);
            KbException busy = cause(e);
            assertEquals(KbException.Kind.LOCK_BUSY, busy.kind());
            assertTrue(busy.getMessage().contains("pid " + pid), busy.getMessage());
            assertTrue(busy.getMessage().contains("kb add notes/"), busy.getMessage());
            assertEquals(pid, Status.of(kb).lock().orElseThrow().pid(), "status names the holder");
        }
        assertTrue(Status.of(kb).lock().isEmpty(), "a released lock has no holder");
        try (FcntlWriterLock again = other.submit(() -> FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { })).get()) {
            assertTrue(again.isHeld(), "after release another thread gets it at once");
        }
    }

    /**
     * Runs {@link TryLockMain} in a child JVM on {@code file}: "busy" when the OS lock is held by
     * another process (this one), "locked" when it is free.
     */
    private static String otherProcessTriesTheLock(Path file) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TryLockMain.class.getName(), file.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void readingTheHolderInTheHoldingJvmKeepsTheOsLock() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add notes/", m -> { })) {
            StringBuilder told = new StringBuilder();
            Future<FcntlWriterLock> second = other.submit(() -> FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", told::append));
            KbException busy = cause(assertThrows(ExecutionException.class, second::get));
            assertEquals(KbException.Kind.LOCK_BUSY, busy.kind());
            assertTrue(busy.getMessage().contains("pid " + pid + " (kb add notes/)"), busy.getMessage());
            assertTrue(told.toString().contains("pid " + pid + " (kb add notes/)"), told.toString());
            assertEquals(pid, FcntlWriterLock.currentHolder(kb).orElseThrow().pid());
            assertEquals("kb add notes/", Status.of(kb).lock().orElseThrow().command());

            assertTrue(held.isHeld());
            assertEquals("busy", otherProcessTriesTheLock(kb.lockFile()),
                    "reading the holder in this JVM must not drop the OS lock under another process");
        }
        assertEquals("locked", otherProcessTriesTheLock(kb.lockFile()), "after close another process gets it");
    }

    @Test
    void waitingAcquireGetsTheLockWhenTheHolderReleases() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        FcntlWriterLock first = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add first", m -> { });
        Future<FcntlWriterLock> second = other.submit(() ->
                FcntlWriterLock.acquire(kb, Duration.ofMinutes(1), "kb add second", holder -> waiting.countDown()));
        assertTrue(waiting.await(30, TimeUnit.SECONDS), "the waiter was told someone holds the lock");
        assertFalse(second.isDone());
        first.close();
        try (FcntlWriterLock got = second.get(30, TimeUnit.SECONDS)) {
            assertTrue(got.isHeld());
            assertEquals("kb add second", got.holder().command());
        }
        assertThrows(IllegalStateException.class, first::assertHeld, "misuse after release is a bug");
    }

    @Test
    void waitRunningOutIsBusyAndTellsWhoIsWaitedFor() throws Exception {
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb import", m -> { })) {
            StringBuilder told = new StringBuilder();
            Future<FcntlWriterLock> f = other.submit(() -> FcntlWriterLock.acquire(kb, Duration.ofMillis(50), "kb add", told::append));
            KbException busy = cause(assertThrows(ExecutionException.class, f::get));
            assertEquals(KbException.Kind.LOCK_BUSY, busy.kind());
            assertTrue(busy.getMessage().endsWith("gave up after 50ms (use --wait to wait longer)"), busy.getMessage());
            assertTrue(told.toString().contains("kb import"), told.toString());
        }
    }

    @Test
    void readLiveIgnoresADeadPidAPidReusedAndGarbage() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long dead = p.pid();
        Path file = tmp.resolve("some.lock");

        Files.writeString(file, "{\"pid\":" + dead + ",\"command\":\"kb add\",\"started\":null,\"since\":\""
                + Instant.now() + "\"}\n", StandardCharsets.UTF_8);
        assertTrue(LockHolder.readLive(file).isEmpty(), "dead pid");

        long self = ProcessHandle.current().pid();
        Files.writeString(file, "{\"pid\":" + self + ",\"command\":\"kb add\",\"started\":\"2001-01-01T00:00:00Z\","
                + "\"since\":\"2001-01-01T00:00:00Z\"}\n");
        assertTrue(LockHolder.readLive(file).isEmpty(), "a live pid with another start time is a reused pid");

        Files.write(file, LockHolder.current("kb add").toBytes());
        assertEquals(self, LockHolder.readLive(file).orElseThrow().pid(), "the live holder is read");
        String odd = "kb add \"my notes\"/\u00fcber\\x {\n}";
        Files.write(file, LockHolder.current(odd).toBytes());
        assertEquals(odd, LockHolder.readLive(file).orElseThrow().command(), "quotes, newlines and non-ASCII round-trip");

        for (String garbage : new String[] {"", "not json", "[]", "{\"pid\":\"x\"}"}) {
            Files.writeString(file, garbage);
            assertTrue(LockHolder.readLive(file).isEmpty(), garbage);
        }
        assertTrue(LockHolder.readLive(tmp.resolve("missing.lock")).isEmpty());
    }

    @Test
    void aTornHolderTextIsNoHolderAndAWholeOneBeforeAnOldTailIsRead() throws Exception {
        Path file = tmp.resolve("torn.lock");
        String command = "kb add \u00fcber/ {\"x\"}";
        byte[] whole = LockHolder.current(command).toBytes();
        int json = whole.length - 1; // the text ends in a newline
        for (int n = 0; n < json; n++) {
            Files.write(file, Arrays.copyOf(whole, n)); // also cuts inside the two bytes of \u00fc
            assertTrue(LockHolder.readLive(file).isEmpty(), "a prefix of " + n + " bytes");
        }
        Files.write(file, Arrays.copyOf(whole, json));
        assertEquals(command, LockHolder.readLive(file).orElseThrow().command(), "without the newline");

        // between the holder's write and its truncate, over a longer text left by a crashed holder
        byte[] withTail = Arrays.copyOf(whole, whole.length + 40);
        Arrays.fill(withTail, whole.length, withTail.length, (byte) 'x');
        Files.write(file, withTail);
        assertEquals(command, LockHolder.readLive(file).orElseThrow().command(), "the old tail is ignored");
    }

    @Test
    void acquireOverALongerTextLeftByACrashedHolderLeavesOnlyItsOwn() throws Exception {
        Files.writeString(kb.lockFile(), "{\"pid\":1,\"command\":\"" + "x".repeat(500) + "\"}\n");
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { })) {
            // Files.size only stats the file: opening it here would drop the lock
            assertEquals(held.holder().toBytes().length, Files.size(kb.lockFile()));
        }
        assertEquals(0, Files.size(kb.lockFile()), "close clears the holder text");
    }

    @Test
    void aLockFileRemovedOrReplacedWhileHeldIsNoticed() throws Exception {
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { })) {
            held.assertHeld();
            Files.delete(kb.lockFile()); // by hand, "to unstick it"
            LockLostException removed = assertThrows(LockLostException.class, held::assertHeld);
            assertEquals(KbException.Kind.KB_UNUSABLE, removed.kind());
            assertTrue(removed.getMessage().contains(kb.lockFile() + " was removed while this kb process held it"),
                    removed.getMessage());

            Files.createFile(kb.lockFile());
            assertEquals("locked", otherProcessTriesTheLock(kb.lockFile()),
                    "the hazard: another process locks the fresh file while this one still holds the old");
            LockLostException replaced = assertThrows(LockLostException.class, held::assertHeld);
            assertTrue(replaced.getMessage().contains("was replaced by another file"), replaced.getMessage());
            assertTrue(held.isHeld(), "the OS lock on the old file is still there; it just keeps nobody out");
        }
        try (FcntlWriterLock again = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { })) {
            again.assertHeld();
            assertEquals("busy", otherProcessTriesTheLock(kb.lockFile()), "the next holder locks the file at the path");
        }
    }

    @Test
    void aMissingLockFileIsCreatedAndTheLockIsOnTheFileAtThePath() throws Exception {
        Files.deleteIfExists(kb.lockFile());
        try (FcntlWriterLock held = FcntlWriterLock.acquire(kb, Duration.ZERO, "kb add", m -> { })) {
            held.assertHeld();
            assertEquals("busy", otherProcessTriesTheLock(kb.lockFile()));
        }
    }

    /**
     * A waiter has the old file open when it is removed; when the holder lets go, the waiter's
     * lock on that unlinked file would keep nobody out. It must end up on the file at the path.
     */
    @Test
    void aWaiterWhoseLockFileIsRemovedMeanwhileEndsUpLockingTheFileAtThePath() throws Exception {
        Files.createDirectories(kb.lockFile().getParent());
        try (ChildJvm holder = ChildJvm.start(HoldLockMain.class, kb.lockFile().toString())) {
            assertEquals("locked", holder.readLine());
            CountDownLatch waiting = new CountDownLatch(1);
            Future<FcntlWriterLock> waiter = other.submit(() ->
                    FcntlWriterLock.acquire(kb, Duration.ofSeconds(30), "kb add", m -> waiting.countDown()));
            assertTrue(waiting.await(30, TimeUnit.SECONDS), "the waiter was told someone holds the lock");
            Files.delete(kb.lockFile());
            holder.close(); // lets go of the old, unlinked file
            try (FcntlWriterLock got = waiter.get(30, TimeUnit.SECONDS)) {
                got.assertHeld();
                assertEquals("busy", otherProcessTriesTheLock(kb.lockFile()),
                        "the lock must be on the file another process finds at the path");
            }
        }
    }
}
