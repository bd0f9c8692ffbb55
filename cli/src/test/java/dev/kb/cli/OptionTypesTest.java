package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Main leaves out picocli's built-in converters for java.time and java.sql types
 * ({@link Main#excludeUnusedConverters}): no option or parameter of any command may need one.
 */
class OptionTypesTest {
    private static void collect(CommandLine cl, List<String> out) {
        CommandSpec spec = cl.getCommandSpec();
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            List<Class<?>> types = new ArrayList<>(List.of(a.type()));
            types.addAll(List.of(a.auxiliaryTypes()));
            for (Class<?> t : types) {
                String name = t.getName();
                if ((name.startsWith("java.time.") || name.startsWith("java.sql.")) && a.converters().length == 0) {
                    out.add(spec.qualifiedName() + " " + a + ": " + name);
                }
            }
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, out));
    }

    @Test
    void noOptionNeedsAJavaTimeOrJavaSqlBuiltInConverter() {
        CommandLine cl = new CommandLine(new KbCommand(Map.of(), Path.of("/")));
        KbCommand.COMMANDS.forEach((name, sub) -> cl.addSubcommand(name, sub.model().get()));
        List<String> needing = new ArrayList<>();
        collect(cl, needing);
        assertEquals(List.of(), needing, "options that need a converter Main leaves out");
        // and the check sees the Durations: they have converters of their own
        ArgSpec watch = cl.getSubcommands().get("status").getCommandSpec().findOption("--watch");
        assertEquals(java.time.Duration.class, watch.type());
        assertTrue(watch.converters().length > 0);
    }

    @Test
    void theExclusionLeavesAUsersOwnSettingAlone() {
        String before = System.getProperty("picocli.converters.excludes");
        try {
            System.setProperty("picocli.converters.excludes", "java\\.net\\..*");
            Main.excludeUnusedConverters();
            assertEquals("java\\.net\\..*", System.getProperty("picocli.converters.excludes"));
            System.clearProperty("picocli.converters.excludes");
            Main.excludeUnusedConverters();
            assertTrue("java.time.MonthDay".matches(System.getProperty("picocli.converters.excludes")));
            assertTrue("java.sql.Timestamp".matches(System.getProperty("picocli.converters.excludes")));
            assertTrue(!"java.nio.file.Path".matches(System.getProperty("picocli.converters.excludes")));
        } finally {
            if (before == null) {
                System.clearProperty("picocli.converters.excludes");
            } else {
                System.setProperty("picocli.converters.excludes", before);
            }
        }
    }
}
