package dev.kb.core.lock;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A second real process that holds the OS lock on the file at {@code args[0]}: prints
 * {@code locked} once it holds it, and releases it by exiting when its stdin closes.
 */
public final class HoldLockMain {
    private HoldLockMain() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until the test closes our stdin
            }
        }
    }
}
