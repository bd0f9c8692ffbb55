package dev.kb.core.convert;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared corpus ({@code ../shared/corpus} beside the project root), or skips the test. */
final class Corpus {

    private Corpus() {
    }

    /**
     * The corpus path {@code relative} (e.g. "html"), found by walking up from the working
     * directory; when absent, prints one line and aborts the test as skipped.
     */
    static Path require(String relative, String testName) {
        Path found = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve(relative);
            if (Files.exists(candidate)) {
                found = candidate;
                break;
            }
        }
        if (found == null) {
            System.out.println("SKIPPED " + testName + ": shared/corpus/" + relative + " not found above "
                    + Path.of("").toAbsolutePath());
        }
        assumeTrue(found != null, "shared/corpus/" + relative + " is absent");
        return found;
    }
}
