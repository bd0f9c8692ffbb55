package dev.kb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in-process through {@link Main#run}: exit codes, streams, JSON shape. */
class MainTest {
    @TempDir
    Path tmp;

    /**
     * One JVM runs every test, and SQLite's native library is unpacked once per JVM: give it a
     * directory that outlives each test's temporary HOME (the real CLI uses its cache directory).
     */
    @org.junit.jupiter.api.BeforeAll
    static void nativeLibraryHome() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "sqlite-native").toAbsolutePath());
        System.setProperty("org.sqlite.tmpdir", dir.toString());
    }

    record Result(int code, String out, String err) {
    }

    Result kb(Path cwd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = Map.of("HOME", tmp.resolve("home").toString());
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env, cwd);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void initAddStatusRoundTrip() throws Exception {
        Path kbDir = tmp.resolve("kb");
        assertEquals(0, kb(tmp, "init", kbDir.toString()).code());
        Path note = Files.writeString(tmp.resolve("note.md"), "# A note\n\nbody\n");
        Result add = kb(kbDir, "add", "--json", note.toString());
        assertEquals(0, add.code(), add.err());
        List<String> lines = add.out().lines().toList();
        assertEquals(2, lines.size(), add.out());
        JsonNode event = new ObjectMapper().readTree(lines.get(0));
        assertEquals("added", event.get("status").asText());
        assertEquals("note", event.get("doc").asText());
        assertTrue(event.get("error").isNull());
        JsonNode summary = new ObjectMapper().readTree(lines.get(1)).get("summary");
        assertEquals(1, summary.get("added").asInt());
        assertEquals(0, summary.get("failed").asInt());

        Result status = kb(kbDir.resolve("wiki"), "status", "--json");
        JsonNode s = new ObjectMapper().readTree(status.out());
        assertEquals(kbDir.toRealPath().toString(), s.get("kb").asText());
        assertEquals(1, s.get("documents").asInt());
        assertEquals(0, s.get("pending_journals").asInt());
        assertTrue(s.get("lock").isNull());
    }

    /** {@code --watch} takes an optional interval, the project's durations, more than zero. */
    @Test
    void watchIntervalsAreDurationsAboveZero() {
        Path kbDir = tmp.resolve("kb");
        assertEquals(0, kb(tmp, "init", kbDir.toString()).code());
        for (String bad : List.of("0", "soon", "-1s")) {
            Result r = kb(kbDir, "status", "--watch", bad);
            assertEquals(2, r.code(), bad + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("--watch") || r.err().contains(bad), r.err());
        }
    }

    /** The contract: --help and --version on every level. */
    @Test
    void versionAndHelpOnEveryLevel() {
        String version = kb(tmp, "--version").out().trim();
        assertTrue(version.startsWith("kb "), version);
        for (String sub : List.of("init", "add", "import", "recover", "status")) {
            Result v = kb(tmp, sub, "--version");
            assertEquals(0, v.code(), sub);
            assertEquals(version, v.out().trim(), sub + " --version");
            Result h = kb(tmp, sub, "--help");
            assertEquals(0, h.code(), sub);
            assertTrue(h.out().contains("Usage: kb " + sub), sub + " --help: " + h.out());
        }
    }

    @Test
    void aFileNameWithANewlineOrBidiOverrideIsOneEscapedStderrLine() throws Exception {
        Path kbDir = tmp.resolve("kb");
        assertEquals(0, kb(tmp, "init", kbDir.toString()).code());
        Path wn = Files.createDirectories(tmp.resolve("wn"));
        try {
            Files.writeString(wn.resolve("new\nline.md"), "one\n");
            Files.writeString(wn.resolve("rtl\u202edm.txt"), "two\n");
            Files.writeString(wn.resolve("photo\n.jpg"), "jpeg");
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            org.junit.jupiter.api.Assumptions.abort("this file system refuses such names: " + e);
        }
        Result add = kb(tmp, "--kb", kbDir.toString(), "add", "wn/new\nline.md", "wn/rtl\u202edm.txt");
        assertEquals(0, add.code(), add.err());
        assertEquals(List.of("added    wn/new\\nline.md -> new-line", "added    wn/rtl\\u202edm.txt -> rtl-dm",
                "kb: 2 added, 0 updated, 0 skipped, 0 failed"),
                add.err().lines().map(l -> l.replaceAll(" \\([0-9.,]+s\\)$", "")).toList());

        Result alone = kb(tmp, "--kb", kbDir.toString(), "add", "wn/photo\n.jpg");
        assertEquals(2, alone.code(), alone.err());
        assertEquals(1, alone.err().lines().count(), alone.err());
        assertTrue(alone.err().startsWith("kb: wn/photo\\n.jpg: unsupported file type"), alone.err());
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        for (String[] args : List.of(new String[] {"add"}, new String[] {"add", "--wait", "soon", "x.md"},
                new String[] {"add", "--max-size", "0", "x.md"}, new String[] {"frobnicate"},
                new String[] {"add", "--no-such-option", "x.md"})) {
            Result r = kb(tmp, args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("kb: "), r.err());
        }
    }

    @Test
    void noKnowledgeBaseIsExitThreeWithoutTrace() {
        Result r = kb(tmp, "status");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("no knowledge base found"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void importWithoutKeyNamesTheVariable() throws Exception {
        Path kbDir = tmp.resolve("kb");
        assertEquals(0, kb(tmp, "init", kbDir.toString()).code());
        Result r = kb(kbDir, "import", "--cloud", "pi-abc");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("PAGEINDEX_API_KEY"), r.err());
    }

    @Test
    void durationsAndSizesParse() {
        var d = new OptionConverters.DurationConverter();
        assertEquals(Duration.ZERO, d.convert("0"));
        assertEquals(Duration.ofSeconds(30), d.convert("30s"));
        assertEquals(Duration.ofSeconds(30), d.convert("30"));
        assertEquals(Duration.ofMinutes(5), d.convert("5m"));
        assertEquals(Duration.ofMillis(250), d.convert("250ms"));
        assertThrows(CommandLine.TypeConversionException.class, () -> d.convert("-1s"));
        assertThrows(CommandLine.TypeConversionException.class, () -> d.convert("5 parsecs"));
        var s = new OptionConverters.SizeConverter();
        assertEquals(1L << 20, s.convert("1MB"));
        assertEquals(512L << 10, s.convert("512KB"));
        assertEquals(42L, s.convert("42"));
        assertThrows(CommandLine.TypeConversionException.class, () -> s.convert("0"));
        assertThrows(CommandLine.TypeConversionException.class, () -> s.convert("lots"));
        assertThrows(CommandLine.TypeConversionException.class, () -> s.convert("99999999999999999GB"));
        // the words are core's (dev.kb.core.text), passed on unchanged
        assertEquals("'5 parsecs' is not a duration (examples: 0, 30s, 5m, 1h, 500ms)",
                assertThrows(CommandLine.TypeConversionException.class, () -> d.convert("5 parsecs")).getMessage());
        assertEquals("'0' must be more than zero",
                assertThrows(CommandLine.TypeConversionException.class, () -> s.convert("0")).getMessage());
    }

    /** A Writer that counts the flushes reaching it: each is a write call on a real stream. */
    static final class CountingWriter extends StringWriter {
        int flushes;

        @Override
        public void flush() {
            flushes++;
            super.flush();
        }
    }

    /**
     * A committed group's lines go out together: one write to stderr and one to stdout per group,
     * not one per document (7,420 of each for the corpus), and still every line, in input order.
     */
    @Test
    void aGroupsOutcomesAreWrittenTogetherInInputOrder() throws Exception {
        Path kbDir = tmp.resolve("kb");
        assertEquals(0, kb(tmp, "init", kbDir.toString()).code());
        Path notes = Files.createDirectories(tmp.resolve("notes"));
        int n = 60;
        for (int i = 0; i < n; i++) {
            Files.writeString(notes.resolve(String.format("n%02d.md", i)), "# Note " + i + "\n\nbody " + i + "\n");
        }
        CountingWriter out = new CountingWriter();
        CountingWriter err = new CountingWriter();
        Map<String, String> env = Map.of("HOME", tmp.resolve("home").toString());
        int code = Main.run(new String[] {"add", "--json", notes.toString()}, new PrintWriter(out, true),
                new PrintWriter(err, true), env, kbDir);
        assertEquals(0, code, err.toString());

        List<String> events = out.toString().lines().toList();
        assertEquals(n + 1, events.size(), out.toString());
        List<String> lines = err.toString().lines().toList();
        assertEquals(n + 1, lines.size(), err.toString());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < n; i++) {
            String name = String.format("n%02d", i);
            JsonNode e = json.readTree(events.get(i));
            assertEquals("added", e.get("status").asText(), events.get(i));
            assertEquals(name, e.get("doc").asText());
            assertTrue(lines.get(i).startsWith("added ") && lines.get(i).endsWith(" -> " + name), lines.get(i));
        }
        assertTrue(json.readTree(events.get(n)).has("summary"));
        // a line per write was n + 1 flushes of each; a group is one (and the summary one more)
        assertTrue(out.flushes < n / 3, "stdout flushed " + out.flushes + " times for " + n + " documents");
        assertTrue(err.flushes < n / 3, "stderr flushed " + err.flushes + " times for " + n + " documents");
    }
}
