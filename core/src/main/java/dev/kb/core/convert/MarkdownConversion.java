package dev.kb.core.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Markdown and plain text: the body is kept; a Markdown file's YAML front matter becomes metadata. */
final class MarkdownConversion {

    private static final ObjectMapper YAML = new YAMLMapper();

    /** The opening "---" line, then everything up to a closing "---" or "..." line. */
    private static final Pattern FRONT_MATTER = Pattern.compile("\\A---[ \\t]*\\n(.*?\\n)?(?:---|\\.\\.\\.)[ \\t]*(?:\\n|\\z)", Pattern.DOTALL);

    /** An ATX heading of level one: "# Title", optionally closed by #s. */
    private static final Pattern H1 = Pattern.compile("^ {0,3}#[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*$");

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    private MarkdownConversion() {
    }

    static Converted text(Path file, String stem) {
        List<String> warnings = new ArrayList<>();
        String body = TextFiles.read(file, warnings);
        return new Converted(stem, body, Map.of(), warnings);
    }

    static Converted markdown(Path file, String stem) {
        List<String> warnings = new ArrayList<>();
        String text = TextFiles.read(file, warnings);
        Map<String, Object> metadata = new LinkedHashMap<>();
        String body = text;

        Matcher fm = FRONT_MATTER.matcher(text);
        if (fm.find()) {
            String yaml = fm.group(1) == null ? "" : fm.group(1);
            try {
                Object parsed = yaml.isBlank() ? Map.of() : YAML.readValue(yaml, Object.class);
                if (parsed instanceof Map<?, ?> map) {
                    map.forEach((k, v) -> metadata.put(String.valueOf(k), v));
                    body = text.substring(fm.end());
                } else {
                    warnings.add("front matter is not a YAML mapping; kept in the body");
                }
            } catch (JsonProcessingException e) {
                warnings.add("front matter is not valid YAML; kept in the body");
            }
        }

        String title = null;
        if (metadata.get("title") instanceof String t && !t.isBlank()) {
            title = ConverterText.normalizeSpace(t);
            // It is the document's title now; leaving it would only be a duplicate to skip.
            metadata.remove("title");
        }
        if (title == null) {
            title = firstHeading(body);
        }
        if (title == null) {
            title = stem;
        }
        return new Converted(title, body, metadata, warnings);
    }

    /** The first level-one ATX heading outside fenced code, or null. */
    static String firstHeading(String body) {
        boolean inFence = false;
        for (String line : body.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            if (!inFence) {
                Matcher m = H1.matcher(line);
                if (m.matches() && !m.group(1).isBlank()) {
                    return m.group(1).strip();
                }
            }
        }
        return null;
    }
}
