package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Set;

/**
 * The steps of the commit protocol at which {@code KB_TEST_HALT_AT} halts a writer, as the jar
 * under test defines them ({@code Coordinator.STEPS}, which add and remove share), so a step added
 * to the protocol is tested too without editing the tests.
 */
final class ProtocolSteps {
    static final String CLASS = "dev.kb.core.mutation.Coordinator";

    private ProtocolSteps() {
    }

    static List<String> ofJar() throws Exception {
        try (URLClassLoader jar = new URLClassLoader(new URL[] {Kb.jar().toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            // package-private in the jar: read it as a test reads any internal constant
            Field f = jar.loadClass(CLASS).getDeclaredField("STEPS");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            List<String> steps = List.copyOf((List<String>) f.get(null));
            assertTrue(steps.containsAll(List.of("before-journal", "journal-written", "published", "committed",
                    "journal-marked", "hooks-done", "discarded")), "unexpected STEPS " + steps);
            return steps;
        }
    }

    /** How many targets one remove commits per group (app.Remove.GROUP in the jar under test). */
    static int removeGroup() throws Exception {
        try (URLClassLoader jar = new URLClassLoader(new URL[] {Kb.jar().toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Field f = jar.loadClass("dev.kb.core.app.Remove").getDeclaredField("GROUP");
            f.setAccessible(true);
            return f.getInt(null);
        }
    }

    /** Steps at which the registry transaction has not happened yet: recovery must roll back. */
    static boolean beforeCommitPoint(String step) {
        return Set.of("before-journal", "journal-written", "published").contains(step);
    }

    /** Steps at which a journal file exists on disk. */
    static boolean journalOnDisk(String step) {
        return Set.of("journal-written", "published", "committed", "journal-marked", "hooks-done").contains(step);
    }
}
