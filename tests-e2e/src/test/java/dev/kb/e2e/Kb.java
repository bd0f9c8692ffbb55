package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the built {@code kb.jar} as a child process, the way a user or a script does: its own
 * environment (HOME in a temp dir, no KB_DIR), its own working directory, stdin closed.
 */
final class Kb {
    static final ObjectMapper JSON = new ObjectMapper();

    /** No single kb command in these tests may take longer; a hang fails the test instead of the suite. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(120);

    /** Variables of the test runner's own environment that would change what kb does or prints. */
    private static final List<String> SCRUBBED = List.of("KB_DIR", "PAGEINDEX_API_KEY", "PAGEINDEX_BASE_URL",
            "KB_TEST_HALT_AT", "KB_TEST_PAUSE_AT", "KB_TEST_PAUSE_DIR", "XDG_CACHE_HOME", "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "KB_STDERR_TTY", "NO_COLOR", "COLUMNS", "KB_CACHE", "XDG_CONFIG_HOME");

    private Kb() {
    }

    /** Every non-blank line of {@code text} parsed as JSON (fails the test on one that is not). */
    static List<JsonNode> jsonLines(String text) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                try {
                    nodes.add(JSON.readTree(line));
                } catch (IOException e) {
                    fail("not a line of JSON: " + line + "\n--- in:\n" + text);
                }
            }
        }
        return nodes;
    }

    static Path jar() {
        String p = System.getProperty("kb.jar");
        assertTrue(p != null && Files.isRegularFile(Path.of(p)),
                "kb.jar not found at " + p + ": build it first with 'mvn -B -q -o -DskipTests package'");
        return Path.of(p);
    }

    /**
     * The child's environment: the runner's PATH and locale, HOME set to {@code home}, none of
     * the variables kb reads, then {@code extra} as "KEY", "VALUE" pairs.
     */
    static Map<String, String> env(Path home, String... extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        SCRUBBED.forEach(env::remove);
        env.put("HOME", home.toString());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    /**
     * The options that use the class-data archive the build made beside the jar, as the launcher
     * passes them: only to the JVM that made it (a few hundred kb starts per run of the suite).
     */
    private static final List<String> ARCHIVE = archiveOptions();

    private static List<String> archiveOptions() {
        String p = System.getProperty("kb.jar");
        if (p == null) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(p).resolveSibling("kb-archive"));
            return lines.size() >= 2 && lines.get(0).equals(System.getProperty("java.home"))
                    ? List.of(lines.get(1).trim().split(" +")) : List.of();
        } catch (IOException e) {
            return List.of(); // no archive: kb starts without one, as the launcher would
        }
    }

    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(ARCHIVE);
        return cmd;
    }

    private static ProcessBuilder builder(Path cwd, Map<String, String> env, String... args) {
        return builder(cwd, env, List.of(), args);
    }

    private static ProcessBuilder builder(Path cwd, Map<String, String> env, List<String> jvmFlags, String... args) {
        List<String> cmd = javaCommand();
        cmd.addAll(jvmFlags);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs kb to completion. */
    static Result run(Path cwd, Map<String, String> env, String... args) {
        return start(cwd, env, args).await();
    }

    /** Runs kb to completion in a JVM with extra flags, e.g. a small heap ({@code -Xmx64m}). */
    static Result runWithJvmFlags(Path cwd, Map<String, String> env, List<String> jvmFlags, String... args) {
        try {
            return new Running(builder(cwd, env, jvmFlags, args).start(), String.join(" ", args)).await();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts kb and returns at once; stdout and stderr are collected as they come. */
    static Running start(Path cwd, Map<String, String> env, String... args) {
        try {
            return new Running(builder(cwd, env, args).start(), String.join(" ", args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts any process (used for the lock-holder helper) with the same collection of its output. */
    static Running startRaw(List<String> command, Path cwd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            return new Running(pb.start(), String.join(" ", command));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} until it holds; fails with {@code what} at the deadline. Never sleeps blindly. */
    static void awaitCondition(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit.toSeconds() + "s waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A child process whose stdout and stderr are drained into buffers by two threads. */
    static final class Running {
        final Process process;
        final String label;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump;
        private final Thread errPump;

        Running(Process process, String label) {
            this.process = process;
            this.label = label;
            this.outPump = pump(process.getInputStream(), out);
            this.errPump = pump(process.getErrorStream(), err);
        }

        private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buf)) != -1; ) {
                        synchronized (sink) {
                            sink.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed: what was read so far is what it wrote
                }
            }, "pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String err() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        long pid() {
            return process.pid();
        }

        /** Closes the child's stdin (kb never reads it unless --from-file -; the lock holder exits on EOF). */
        Running closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
            return this;
        }

        Result await() {
            return await(RUN_LIMIT);
        }

        Result await(Duration limit) {
            closeStdin();
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    fail("'kb " + label + "' did not finish within " + limit.toSeconds() + "s; stderr so far:\n" + err());
                }
                outPump.join(10_000);
                errPump.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return new Result(label, process.exitValue(), out(), err());
        }

        /** SIGKILL, then wait for the process to be gone. */
        void kill() {
            process.destroyForcibly();
            try {
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "killed process did not exit");
                outPump.join(10_000);
                errPump.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** What a finished kb run left: exit code and both streams. */
    record Result(String label, int code, String out, String err) {

        Result expect(int expected) {
            if (code != expected) {
                fail("'kb " + label + "' exited " + code + ", expected " + expected + "\n--- stdout:\n" + out
                        + "--- stderr:\n" + err);
            }
            return this;
        }

        /** Every stdout line parsed as JSON (the contract's NDJSON). */
        List<JsonNode> json() {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    nodes.add(JSON.readTree(line));
                } catch (IOException e) {
                    fail("stdout line is not JSON: " + line + "\n--- stdout:\n" + out);
                }
            }
            return nodes;
        }

        /** The JSON events (all but the final summary), in order. */
        List<JsonNode> events() {
            List<JsonNode> all = json();
            assertFalse(all.isEmpty(), "no JSON on stdout; stderr:\n" + err);
            return all.subList(0, all.size() - 1);
        }

        /** The final summary's counts. */
        JsonNode summary() {
            List<JsonNode> all = json();
            assertFalse(all.isEmpty(), "no JSON on stdout; stderr:\n" + err);
            JsonNode s = all.get(all.size() - 1).get("summary");
            assertTrue(s != null && s.isObject(), "last stdout line is not a summary: " + all.get(all.size() - 1));
            return s;
        }

        List<String> errLines() {
            List<String> lines = new ArrayList<>();
            for (String l : err.split("\n")) {
                if (!l.isBlank()) {
                    lines.add(l);
                }
            }
            return lines;
        }

        /**
         * The contract's whole-command failure under --json: stdout is exactly one whole line
         * {"error":{"code":N,"message":…}}, with no other key, N the exit code, and a one-line
         * message naming each of {@code mentions}.
         */
        Result errorObject(String... mentions) {
            List<JsonNode> all = json();
            assertEquals(1, all.size(), "expected one JSON line on stdout, got:\n" + out);
            assertEquals(1, out.lines().count(), "expected one line on stdout, got:\n" + out);
            assertTrue(out.endsWith("\n"), "stdout is not one whole line: " + out);
            assertEquals(Set.of("error"), fieldNames(all.get(0)), "not an error object: " + all.get(0));
            JsonNode e = all.get(0).get("error");
            assertEquals(Set.of("code", "message"), fieldNames(e), "not an error object: " + all.get(0));
            assertTrue(e.get("code").isInt(), "error code in " + all.get(0));
            assertEquals(code, e.get("code").asInt(), "error code in " + all.get(0));
            String message = e.get("message").isTextual() ? e.get("message").asText() : "";
            assertTrue(!message.isBlank() && !message.contains("\n"), "error message in " + all.get(0));
            for (String m : mentions) {
                assertTrue(message.contains(m), "error message lacks '" + m + "': " + all.get(0));
            }
            return this;
        }

        /** The message of the error object on stdout (check it with {@link #errorObject} first). */
        String errorMessage() {
            return json().get(0).get("error").get("message").asText();
        }

        private static Set<String> fieldNames(JsonNode n) {
            assertTrue(n != null && n.isObject(), "not a JSON object: " + n);
            Set<String> names = new HashSet<>();
            n.fieldNames().forEachRemaining(names::add);
            return names;
        }

        /** The contract's error form: exactly one line on stderr, containing each of {@code mentions}, no trace. */
        Result oneErrorLine(String... mentions) {
            assertNoStackTrace();
            List<String> lines = errLines();
            assertEquals(1, lines.size(), "expected exactly one line on stderr, got:\n" + err);
            for (String m : mentions) {
                assertTrue(lines.get(0).contains(m), "stderr line does not mention '" + m + "': " + lines.get(0));
            }
            return this;
        }

        Result assertNoStackTrace() {
            assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("internal error"),
                    "stack trace or internal error on stderr:\n" + err);
            return this;
        }
    }
}
