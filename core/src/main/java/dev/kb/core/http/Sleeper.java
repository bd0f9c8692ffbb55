package dev.kb.core.http;

import java.time.Duration;

/** Waits between retries; tests substitute one that records the requested delays instead. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
}
