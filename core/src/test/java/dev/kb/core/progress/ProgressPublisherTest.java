package dev.kb.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.core.app.Init;
import dev.kb.core.fs.ChildJvm;
import dev.kb.core.input.Outcome;
import dev.kb.core.kb.KnowledgeBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress file: published while a batch runs, trusted only while its writer holds the lock
 * beside it (a killed writer's file is never live, whatever its pid), written no more often than
 * the throttle allows however fast the batch goes, and gone when the batch ends.
 */
@Timeout(120)
class ProgressPublisherTest {
    @TempDir
    Path tmp;

    KnowledgeBase kb;
    final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void init() {
        Init.run(tmp.resolve("kb"), Duration.ZERO, m -> { }, m -> { });
        kb = KnowledgeBase.open(tmp.resolve("kb"));
    }

    @Test
    void publishedWhileRunningAndGoneAfter() throws IOException {
        BatchProgress progress = new BatchProgress("kb add");
        try (ProgressPublisher p = ProgressPublisher.start(kb, progress, warnings::add)) {
            assertFalse(p.inert());
            List<Progress> live = LiveProgress.read(kb);
            assertEquals(1, live.size(), "the file is there as soon as the batch starts");
            Progress first = live.get(0);
            assertNull(first.inputs(), "a batch still walking its inputs has no total yet");
            assertEquals(ProcessHandle.current().pid(), first.pid());
            assertEquals("kb add", first.command());

            progress.inputs(2);
            progress.working("notes/a.md");
            progress.finished(Outcome.Status.ADDED);
            progress.working("notes/b.md");
            awaitLive(p, q -> q.done() == 1);
            Progress later = LiveProgress.read(kb).get(0);
            assertEquals(2L, later.inputs());
            assertEquals(1, later.added());
            assertEquals("notes/b.md", later.current());
            assertEquals(first.startedAt(), later.startedAt());
        }
        assertEquals(List.of(), LiveProgress.read(kb));
        assertFalse(Files.exists(kb.progressDir()), "the last batch to end takes the directory with it");
        assertEquals(List.of(), warnings);
    }

    @Test
    void aKilledWritersFileIsNeverLive() throws IOException {
        Path file;
        try (ChildJvm child = ChildJvm.start(PublishingMain.class, kb.root().toString())) {
            String line = child.readLine();
            assertTrue(line.startsWith("published "), line);
            file = Path.of(line.substring("published ".length()));
            List<Progress> live = LiveProgress.read(kb);
            assertEquals(1, live.size(), "another process's batch, while it runs");
            assertEquals(child.pid(), live.get(0).pid());
            assertEquals(3L, live.get(0).inputs());
            assertEquals(1, live.get(0).done());

            ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            awaitGone(child.pid());
        }
        assertTrue(Files.exists(file), "a killed writer cannot clean up: its file stays");
        assertEquals(List.of(), LiveProgress.read(kb), "and is never shown as live");
    }

    /**
     * A writer killed while its parent does not reap it (a shell that exec'd into something else,
     * a container's pid 1 that reaps nothing) stays a zombie: its pid is alive, with the same start
     * time, so the pid test alone takes it for a running batch. Its fcntl lock went when it died.
     */
    @Test
    void aKilledWriterThatIsAZombieIsNotLiveEither() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to see the zombie");
        Path out = tmp.resolve("child.out");
        Path pidFile = tmp.resolve("child.pid");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String child = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
                + PublishingMain.class.getName() + " '" + kb.root() + "' forever";
        // the shell starts the writer, then becomes 'sleep', which never waits for its children
        Process parent = new ProcessBuilder("sh", "-c", child + " > '" + out + "' & echo $! > '" + pidFile
                + "'; exec sleep 120").redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(out) || !Files.readString(out).startsWith("published ")) {
                assertTrue(System.nanoTime() < deadline, "the writer never published");
                Thread.onSpinWait();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Instant started = LiveProgress.read(kb).get(0).processStarted();
            assertEquals(pid, LiveProgress.read(kb).get(0).pid());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            // a zombie, and all of its threads gone: the leader shows Z as soon as it has exited
            // itself, while its other threads may still be closing the files (and their locks)
            Path status = Path.of("/proc/" + pid + "/status");
            while (!isZombieWithoutThreads(status)) {
                assertTrue(System.nanoTime() < deadline, "the killed writer never became a zombie");
                Thread.onSpinWait();
            }
            assertTrue(dev.kb.core.lock.LockHolder.isAlive(pid, started), "the pid test takes a zombie for alive");
            assertEquals(List.of(), LiveProgress.read(kb), "the lock does not");
        } finally {
            parent.destroyForcibly();
            parent.waitFor();
        }
    }

    private static boolean isZombieWithoutThreads(Path status) {
        try {
            List<String> lines = Files.readAllLines(status);
            return lines.contains("Threads:\t1") && lines.stream().anyMatch(l -> l.startsWith("State:\tZ"));
        } catch (IOException e) {
            return false; // not there yet, or reaped: the loop's deadline says which
        }
    }

    /**
     * The pid test alone would be fooled: this file names a live process (this one, with its
     * true start time), but nobody holds its lock.
     */
    @Test
    void aLivePidIsNotEnoughWithoutTheLock() throws IOException {
        Files.createDirectories(kb.progressDir());
        ProcessHandle self = ProcessHandle.current();
        Progress forged = new Progress(self.pid(), self.info().startInstant().orElse(null), "kb add", null,
                Instant.now(), Instant.now(), 5L, 1, 1, 0, 0, 0, 0, 0, "x.md", 1.0, 4L);
        Files.write(kb.progressDir().resolve("1-forged.json"), forged.toJson());
        assertEquals(List.of(), LiveProgress.read(kb), "no lock file beside it");
        Files.createFile(kb.progressDir().resolve("1-forged.lock"));
        assertEquals(List.of(), LiveProgress.read(kb), "a lock file nobody locks");
    }

    @Test
    void theNextWriterSweepsWhatDeadOnesLeftAndKeepsLiveOnes() throws IOException {
        Files.createDirectories(kb.progressDir());
        Files.writeString(kb.progressDir().resolve("7-dead.json"), "{}");
        Files.writeString(kb.progressDir().resolve("7-dead.json.kbtmp"), "{");
        Files.createFile(kb.progressDir().resolve("7-dead.lock"));
        Files.writeString(kb.progressDir().resolve("8-nolock.json"), "{}");
        try (ChildJvm child = ChildJvm.start(PublishingMain.class, kb.root().toString(), "close")) {
            Path other = Path.of(child.readLine().substring("published ".length()));
            try (ProgressPublisher p = ProgressPublisher.start(kb, new BatchProgress("kb remove"), warnings::add)) {
                assertEquals(List.of(other.getFileName().toString(), p.file().getFileName().toString()).stream()
                        .sorted().toList(), jsonFiles(), "the dead writers' files are gone, the live one's stay");
                assertEquals(2, LiveProgress.read(kb).size());
            }
            assertEquals(List.of(other.getFileName().toString()), jsonFiles(),
                    "a batch that ends leaves the directory to the other one");
        }
        assertFalse(Files.exists(kb.progressDir()), "the child ended its batch last");
    }

    /** No write per document: however fast inputs finish, at most the throttle's writes a second. */
    @Test
    void writesAreThrottled() {
        BatchProgress progress = new BatchProgress("kb add");
        progress.inputs(Long.MAX_VALUE);
        long start = System.nanoTime();
        long elapsed;
        int writes;
        try (ProgressPublisher p = ProgressPublisher.start(kb, progress, warnings::add)) {
            long n = 0;
            do {
                progress.working("in-" + n);
                progress.finished(Outcome.Status.ADDED);
                n++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < 1_200_000_000L);
            writes = p.writes();
            assertTrue(n > 10_000, "the batch side is cheap: " + n + " inputs in 1.2 s");
        }
        long allowed = 1 + (elapsed / 1_000_000) / (1000 / ProgressPublisher.WRITES_PER_SECOND) + 1;
        assertTrue(writes >= 2, "it is written while the batch runs, not only at the start: " + writes);
        assertTrue(writes <= allowed, writes + " writes in " + elapsed / 1_000_000 + " ms, at most " + allowed);
    }

    @Test
    void aKbThisProcessCannotWriteGetsNoFileAndNoWarning() throws IOException {
        Path meta = kb.metaDir();
        assertTrue(meta.toFile().setWritable(false, false));
        try {
            Assumptions.assumeFalse(Files.isWritable(meta), "permissions do not apply to this user (root)");
            try (ProgressPublisher p = ProgressPublisher.start(kb, new BatchProgress("kb add"), warnings::add)) {
                assertTrue(p.inert());
            }
            assertEquals(List.of(), warnings, "the command says in one line why it cannot write");
        } finally {
            meta.toFile().setWritable(true, true);
        }
    }

    @Test
    void theFileRoundTripsAndForeignTextIsIgnored() {
        Progress p = new Progress(42, Instant.parse("2026-12-01T10:00:00Z"), "kb add", null,
                Instant.parse("2026-12-01T10:00:01Z"), Instant.parse("2026-12-01T10:00:02Z"), null, 3, 1, 1, 1, 0, 0, 0,
                "naïve \"quoted\"\nline.md", 12.34, null);
        Progress back = Progress.parse(p.toJson());
        assertNotNull(back);
        assertEquals(12.3, back.docsPerSecond());
        assertEquals(p, new Progress(back.pid(), back.processStarted(), back.command(), back.phase(), back.startedAt(),
                back.updatedAt(), back.inputs(), back.done(), back.added(), back.updated(), back.skipped(),
                back.failed(), back.removed(), back.repaired(), back.current(), 12.34, back.etaSeconds()));
        assertNull(Progress.parse("not json".getBytes(StandardCharsets.UTF_8)));
        assertNull(Progress.parse("{\"format\":2,\"pid\":42}".getBytes(StandardCharsets.UTF_8)));
        assertNull(Progress.parse("{\"format\":1}".getBytes(StandardCharsets.UTF_8)));
        assertNull(Progress.parse("{\"format\":1,\"pid\":4".getBytes(StandardCharsets.UTF_8)));
    }

    private List<String> jsonFiles() throws IOException {
        try (Stream<Path> s = Files.list(kb.progressDir())) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private void awaitLive(ProgressPublisher p, java.util.function.Predicate<Progress> condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Progress> live = LiveProgress.read(kb);
            if (!live.isEmpty() && condition.test(live.get(0))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the file never showed it: " + live);
            Thread.onSpinWait();
        }
    }

    private static void awaitGone(long pid) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "the killed child is still there");
            Thread.onSpinWait();
        }
    }
}
