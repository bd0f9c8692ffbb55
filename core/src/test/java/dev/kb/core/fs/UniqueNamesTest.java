package dev.kb.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Names for journals, staging areas and temporaries: never the same twice, and in UUID form. */
class UniqueNamesTest {
    @Test
    void namesAreDistinctAcrossThreadsAndReadAsUuids() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 25_000; i++) {
                    seen.add(UniqueNames.next());
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(100_000, seen.size(), "a name was given twice");
        String one = seen.iterator().next();
        assertEquals(36, one.length());
        assertEquals(one, UUID.fromString(one).toString());
    }

    @Test
    void theHighHalfCarriesThisProcesssId() {
        long pid = ProcessHandle.current().pid();
        Set<Long> highs = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            UUID u = UUID.fromString(UniqueNames.next());
            highs.add(u.getMostSignificantBits());
            assertEquals(pid, u.getMostSignificantBits() >>> 42, "the pid, above the load time's 42 bits");
        }
        assertTrue(highs.size() == 1, "one process, one high half: " + highs);
    }
}
