package dev.kb.e2e;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A second real process that holds a KB's writer lock the way kb does: an OS lock on
 * {@code .kb/ingest.lock} with the holder's JSON (pid, command, started, since) written into it.
 * Prints {@code locked <pid>} once it holds the lock, and releases it (clearing the text, as kb
 * does) when its stdin closes.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            ProcessHandle me = ProcessHandle.current();
            String started = me.info().startInstant().map(i -> "\"" + i + "\"").orElse("null");
            String json = "{\"pid\":" + me.pid() + ",\"command\":\"holder\",\"started\":" + started
                    + ",\"since\":\"" + Instant.now() + "\"}\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            System.out.println("locked " + me.pid());
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until the test closes our stdin
            }
            ch.truncate(0);
        }
    }
}
