package dev.kb.core.lock;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A second real process that asks the OS whether the lock file at {@code args[0]} is locked: it
 * prints {@code locked} when it could take the lock itself and {@code busy} when someone holds it.
 * Only another process can see this; within the holder's JVM the lock looks held regardless.
 */
public final class TryLockMain {
    private TryLockMain() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = ch.tryLock()) {
            System.out.println(lock == null ? "busy" : "locked");
        }
    }
}
