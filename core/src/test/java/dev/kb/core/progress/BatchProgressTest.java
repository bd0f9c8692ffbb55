package dev.kb.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kb.core.input.Outcome;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Counts, rate and time left, on a clock the test moves. */
class BatchProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void countsRateAndEta() {
        AtomicLong clock = new AtomicLong(0);
        BatchProgress p = new BatchProgress("kb add", clock::get);
        assertNull(p.snapshot().inputs());
        assertNull(p.snapshot().docsPerSecond(), "no rate before any time has passed");
        clock.set(5 * SECOND); // the walk took five seconds: not part of the rate
        p.inputs(100);
        for (int i = 0; i < 10; i++) {
            p.finished(i == 0 ? Outcome.Status.FAILED : i == 1 ? Outcome.Status.SKIPPED : Outcome.Status.ADDED);
        }
        clock.set(7 * SECOND);
        Progress s = p.snapshot();
        assertEquals(100L, s.inputs());
        assertEquals(10, s.done());
        assertEquals(8, s.added());
        assertEquals(1, s.failed());
        assertEquals(1, s.skipped());
        assertEquals(5.0, s.docsPerSecond(), 1e-9);
        assertEquals(18L, s.etaSeconds());
    }

    @Test
    void theRateFollowsTheLastSecondsNotTheWholeBatch() {
        AtomicLong clock = new AtomicLong(0);
        BatchProgress p = new BatchProgress("kb add", clock::get);
        p.inputs(10_000);
        // 100 per second for 20 seconds, sampled each second as the publisher would
        for (int sec = 1; sec <= 20; sec++) {
            for (int i = 0; i < 100; i++) {
                p.finished(Outcome.Status.ADDED);
            }
            clock.set(sec * SECOND);
            p.snapshot();
        }
        // then nothing for 30 seconds (a slow download): the rate falls to nothing
        for (int sec = 21; sec <= 50; sec++) {
            clock.set(sec * SECOND);
            p.snapshot();
        }
        assertEquals(0.0, p.snapshot().docsPerSecond(), 1e-9);
        assertNull(p.snapshot().etaSeconds(), "no time left can be told at no speed");
        for (int i = 0; i < 50; i++) {
            p.finished(Outcome.Status.ADDED);
        }
        clock.set(51 * SECOND);
        double rate = p.snapshot().docsPerSecond();
        assertEquals(50.0 / 10, rate, 1.0, "about the last ten seconds: " + rate);
    }

    @Test
    void aNewPhaseStartsItsCountOver() {
        AtomicLong clock = new AtomicLong(0);
        BatchProgress p = new BatchProgress("kb recover", clock::get);
        p.phase("verifying", 3);
        p.step("a");
        p.step("b");
        assertEquals(2, p.snapshot().done());
        assertEquals("b", p.snapshot().current());
        p.phase("repairing", 1);
        p.finished(Outcome.Status.REPAIRED);
        Progress s = p.snapshot();
        assertEquals("repairing", s.phase());
        assertEquals(1L, s.inputs());
        assertEquals(1, s.done());
        assertEquals(1, s.repaired());
    }
}
