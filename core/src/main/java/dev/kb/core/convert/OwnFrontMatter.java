package dev.kb.core.convert;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The entries of a Markdown file's own front matter that its page keeps, exactly as the file wrote
 * them: whole lines of YAML (values, quoting, comments, anchors, order), each ending in a newline,
 * to be written after kb's keys. {@link #keptFrom} decides which entries a page keeps.
 *
 * @param text the lines, or "" when there are none
 * @param keys the top-level keys among them (a converter's metadata under these keys gives way)
 */
public record OwnFrontMatter(String text, Set<String> keys) {
    /**
     * The keys kb writes on every page. A file's own entries under them are replaced, never kept
     * beside kb's: a key written twice is a YAML error to strict readers such as Obsidian's.
     */
    public static final Set<String> KB_KEYS = Set.of("title", "source", "sha256", "type", "added");

    public static final OwnFrontMatter NONE = new OwnFrontMatter("", Set.of());

    public OwnFrontMatter {
        Objects.requireNonNull(text, "text");
        keys = Set.copyOf(keys);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("front matter text must be whole lines");
        }
    }

    /**
     * The entries of a file's front matter its page keeps: all but those under kb's keys (kb writes
     * its own values there) and all but the last of a key written twice (the one YAML readers use;
     * strict ones, like Obsidian's, refuse a page with both).
     *
     * @throws YamlEntries.Unsplittable when what is left would not be a front matter every reader
     *                                  loads: the caller keeps the whole block in the body
     */
    static OwnFrontMatter keptFrom(YamlEntries entries, List<String> warnings) throws YamlEntries.Unsplittable {
        List<String> keys = entries.keys();
        BitSet drop = new BitSet();
        Map<String, Integer> last = new LinkedHashMap<>();
        Map<String, Integer> times = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key == null) {
                // ? [a, b]: valid YAML, but PyYAML cannot hash it and Obsidian's reader refuses it,
                // and with it kb's own keys on the page
                throw new YamlEntries.Unsplittable("has a key that is a list or mapping, which PyYAML and Obsidian"
                        + " cannot read");
            }
            if (KB_KEYS.contains(key)) {
                drop.set(i);
            }
            Integer earlier = last.put(key, i);
            if (earlier != null) {
                drop.set(earlier);
            }
            times.merge(key, 1, Integer::sum);
        }
        Set<String> keptKeys = new LinkedHashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            if (!drop.get(i)) {
                keptKeys.add(keys.get(i));
            }
        }
        String text = entries.without(drop);
        if (text.isBlank()) {
            text = ""; // only blank lines were left around kb's keys: nothing of the person's to keep
        }
        requireSafeLoad(text);
        times.forEach((key, n) -> {
            if (n > 1) {
                warnings.add("front matter has \"" + key + "\" " + n + " times; only the last is kept");
            }
        });
        return new OwnFrontMatter(text, keptKeys);
    }

    /**
     * Refuses entries that are well-formed YAML yet fail in a safe loader: a custom or language tag
     * ({@code !foo}, {@code !!python/tuple}), a merge of something not a mapping, YAML 1.1's
     * {@code =} value type. Kept on the page, they would make its whole front matter, kb's keys
     * with it, unreadable to PyYAML (whose resolver and safe constructors SnakeYAML's follow) and
     * to Obsidian. The check loads, and so expands aliases, within SnakeYAML's default limits.
     */
    private static void requireSafeLoad(String yaml) throws YamlEntries.Unsplittable {
        Resolver resolver = new Resolver();
        // SnakeYAML reads "=" as text; PyYAML resolves it to a type no safe constructor builds
        resolver.addImplicitResolver(new Tag(Tag.PREFIX + "value"), Pattern.compile("^=$"), "=");
        try {
            new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(new DumperOptions()),
                    new DumperOptions(), new LoaderOptions(), resolver).load(yaml);
        } catch (YAMLException e) {
            throw new YamlEntries.Unsplittable("is YAML a safe loader refuses (" + YamlEntries.problem(e) + ")");
        }
    }
}
