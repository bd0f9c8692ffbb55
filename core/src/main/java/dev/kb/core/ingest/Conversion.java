package dev.kb.core.ingest;

import dev.kb.core.KbException;
import dev.kb.core.staging.StagingArea;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Bridges staged raw bytes to the converters: decides the type, converts, names the result. */
final class Conversion {
    static final Set<String> SUPPORTED_EXTENSIONS = Set.of("md", "markdown", "txt");

    record Result(String type, String extension, String title, String markdown, Map<String, Object> metadata,
                  List<String> warnings) {
    }

    private Conversion() {
    }

    static Result convert(Path raw, String fileName, String contentType, String baseUri, String stem,
                          StagingArea staging) throws IOException {
        String ext = FileSource.extension(fileName).toLowerCase(Locale.ROOT);
        String text = Files.readString(raw, StandardCharsets.UTF_8);
        if (ext.equals("txt")) {
            return new Result("text", "txt", stem, text, Map.of(), List.of());
        }
        if (ext.equals("md") || ext.equals("markdown")) {
            String title = stem;
            for (String line : text.split("\n", 50)) {
                if (line.startsWith("# ")) {
                    title = line.substring(2).trim();
                    break;
                }
            }
            return new Result("markdown", "md", title, text, Map.of(), List.of());
        }
        throw KbException.inputFailed("unsupported type ." + ext);
    }
}
