package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.TestKb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
    private static final ObjectMapper YAML = new YAMLMapper();

    @TempDir
    Path tmp;

    @Test
    void anUpdateKeepsTheOriginalAddedInTheFrontMatter() throws Exception {
        Path kbDir = tmp.resolve("kb");
        Path file = tmp.resolve("notes.md");
        try (TestKb t = TestKb.create(kbDir)) {
            Files.writeString(file, "version one\n");
            assertEquals(Outcome.Status.ADDED, add(t, file).status());
            // An add long ago: the update below must not look like the document's first add.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t.kb.registryFile());
                 Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE documents SET added_at = '2020-01-02T03:04:05.678901Z'");
            }

            Files.writeString(file, "version two\n");
            assertEquals(Outcome.Status.UPDATED, add(t, file).status());

            assertEquals("2020-01-02T03:04:05.678901Z", t.registry.byName("notes").orElseThrow().addedAt());
            Map<String, Object> fm = frontMatter(t.read("wiki/sources/notes.md"));
            assertEquals("2020-01-02T03:04:05Z", fm.get("added"), "front matter: " + fm);
            // The row's sha256 is of the raw bytes, so front matter kb rewrites never breaks the hash check.
            assertEquals(Hashing.sha256Hex("version two\n".getBytes(StandardCharsets.UTF_8)), fm.get("sha256"));
            assertEquals(fm.get("sha256"), t.registry.byName("notes").orElseThrow().sha256());
            t.closeStaging();
            t.assertAtRest();
        }
    }

    private static Outcome add(TestKb t, Path file) throws Exception {
        Source.Prep prep = new FileSource(file, file.getFileName().toString(), Long.MAX_VALUE)
                .prepare(new PrepareContext(t.staging(), t.registry));
        assertNotNull(prep.prepared(), "prepared, not decided early: " + prep.early());
        List<Outcome> out = t.add(prep.prepared());
        return out.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> frontMatter(String document) throws Exception {
        int end = document.indexOf("\n---\n", 4);
        return YAML.readValue(document.substring(4, end + 1), Map.class);
    }
}
