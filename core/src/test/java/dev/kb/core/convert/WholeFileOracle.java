package dev.kb.core.convert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Markdown and text conversion as it was before it streamed (whole file in memory): what the streaming one must equal. */
final class WholeFileOracle {

    /** The opening "---" line, then everything up to a closing "---" or "..." line. */
    private static final Pattern FRONT_MATTER = Pattern.compile("\\A---[ \\t]*\\n(.*?\\n)?(?:---|\\.\\.\\.)[ \\t]*(?:\\n|\\z)", Pattern.DOTALL);

    /** An ATX heading of level one: "# Title", optionally closed by #s. */
    private static final Pattern H1 = Pattern.compile("^ {0,3}#[ \\t]+(.+?)(?:[ \\t]+#+)?[ \\t]*$");

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    private WholeFileOracle() {
    }

    static Converted text(Path file, String stem) {
        List<String> warnings = new ArrayList<>();
        String body = TextFiles.read(file, warnings);
        return new Converted(stem, body, Map.of(), warnings);
    }

    /**
     * A Markdown file: its own front matter is kept as written, not re-read as values (README,
     * "What an input becomes"). The file's {@code title}, as text, is the document's title; which
     * entries the page keeps is {@link OwnFrontMatter#keptFrom}'s rule. A block kb cannot keep
     * that way stays at the top of the body unchanged, with a warning: nothing the person wrote is
     * dropped from the page, and the page's front matter stays one PyYAML and Obsidian read.
     */
    static Converted markdown(Path file, String stem) {
        List<String> warnings = new ArrayList<>();
        String text = TextFiles.read(file, warnings);
        String body = text;
        String title = null;
        OwnFrontMatter own = OwnFrontMatter.NONE;

        Matcher fm = FRONT_MATTER.matcher(text);
        if (fm.find()) {
            String block = fm.group(1) == null ? "" : fm.group(1);
            try {
                YamlEntries entries = YamlEntries.parse(block);
                title = title(entries, warnings);
                own = OwnFrontMatter.keptFrom(entries, warnings);
                body = text.substring(fm.end());
            } catch (YamlEntries.Unsplittable e) {
                warnings.add("front matter " + e.getMessage() + "; kept in the body");
            }
        }
        if (title == null) {
            title = firstHeading(body);
        }
        if (title == null) {
            title = stem;
        }
        return new Converted(title, body, Map.of(), own, warnings);
    }

    /**
     * The file's {@code title} as the text it wrote ({@code title: on} is "on", {@code 1.10} is
     * "1.10"), or null when it has none, a null one, or a list or mapping.
     */
    private static String title(YamlEntries entries, List<String> warnings) {
        String title = entries.text("title").map(ConverterText::normalizeSpace).filter(t -> !t.isEmpty()).orElse(null);
        if (title == null && entries.holdsCollection("title")) {
            warnings.add("front matter title is a list or mapping, not text; not used as the title");
        }
        return title;
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
