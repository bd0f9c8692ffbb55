package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stored root help (RootHelp, rendered by the build) is byte for byte what picocli prints for
 * {@code kb --help}, coloured and plain, and a lone {@code --help} or {@code -h} prints it.
 */
class RootHelpTest {
    @AfterEach
    void noForcedColours() {
        System.clearProperty("picocli.ansi");
    }

    private static String stored(String name) throws IOException {
        try (InputStream in = RootHelp.class.getResourceAsStream(name)) {
            assertNotNull(in, "the build renders " + name + " into the classes (cli/pom.xml, root-help)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What picocli itself prints for the line, through the path every other command takes. */
    private static String picocli(String... args) {
        StringWriter out = new StringWriter();
        PrintWriter w = new PrintWriter(out, true);
        assertEquals(0, Main.execute(args, w, w, Map.of(), Path.of("").toAbsolutePath()));
        w.flush();
        return out.toString();
    }

    private static String main(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), Map.of(),
                Path.of("").toAbsolutePath());
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void theStoredTextIsWhatPicocliPrints(String flag) throws IOException {
        System.setProperty("picocli.ansi", "false");
        String plain = picocli(flag);
        assertTrue(plain.startsWith("Usage: kb "), plain);
        assertEquals(plain, stored(RootHelp.PLAIN));
        assertEquals(plain, main(flag));

        System.setProperty("picocli.ansi", "true");
        String coloured = picocli(flag);
        assertTrue(coloured.contains("\u001b["), "picocli coloured it: " + coloured);
        assertEquals(coloured, stored(RootHelp.ANSI));
        assertEquals(coloured, main(flag));
    }

    @Test
    void theBuildsRenderingIsTodaysRendering() throws IOException {
        assertEquals(RootHelp.render(false), stored(RootHelp.PLAIN), "rebuild: the stored help is stale");
        assertEquals(RootHelp.render(true), stored(RootHelp.ANSI), "rebuild: the stored help is stale");
    }
}
