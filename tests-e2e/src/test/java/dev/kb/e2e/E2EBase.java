package dev.kb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Each test gets a private HOME, a working directory for its inputs, and a KB path (not created). */
abstract class E2EBase {
    @TempDir
    Path tmp;

    Path home;
    Path work;
    Path kb;
    Map<String, String> env;

    @BeforeEach
    void layout() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        work = Files.createDirectories(tmp.resolve("work"));
        kb = tmp.resolve("kb");
        env = Kb.env(home);
    }

    /** {@code kb --kb <kb> args…} run from the working directory. */
    Kb.Result kb(String... args) {
        return Kb.run(work, env, withKb(args));
    }

    /** Like {@link #kb} with extra environment variables ("KEY", "VALUE" pairs). */
    Kb.Result kbEnv(String[] extraEnv, String... args) {
        return Kb.run(work, Kb.env(home, extraEnv), withKb(args));
    }

    Kb.Running startKb(String... args) {
        return Kb.start(work, env, withKb(args));
    }

    String[] withKb(String... args) {
        List<String> all = new ArrayList<>(List.of("--kb", kb.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    void init() {
        Kb.run(work, env, "init", kb.toString()).expect(0);
    }

    /** Writes a file under the working directory (parents created) and returns its path. */
    Path file(String rel, String content) {
        return file(rel, content.getBytes(StandardCharsets.UTF_8));
    }

    Path file(String rel, byte[] content) {
        try {
            Path p = work.resolve(rel);
            Files.createDirectories(p.getParent());
            return Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode status() {
        List<JsonNode> j = kb("status", "--json").expect(0).json();
        if (j.size() != 1) {
            throw new AssertionError("kb status --json printed " + j.size() + " objects");
        }
        return j.get(0);
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small Markdown document with distinct content. */
    static String markdown(String title, String body) {
        return "# " + title + "\n\n" + body + "\n";
    }

    /** A small HTML page with enough text that main-content extraction keeps it. */
    static String html(String title, String paragraph) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(title).append("</title></head><body><article><h1>").append(title).append("</h1>");
        for (int i = 0; i < 5; i++) {
            b.append("<p>").append(paragraph).append(" Paragraph ").append(i)
                    .append(" carries enough ordinary prose for a readability extractor to treat this article as the "
                            + "main content of the page, with commas, sentences, and words.</p>");
        }
        return b.append("</article></body></html>").toString();
    }
}
