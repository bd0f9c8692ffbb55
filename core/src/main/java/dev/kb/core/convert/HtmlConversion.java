package dev.kb.core.convert;

import com.vladsch.flexmark.html2md.converter.FlexmarkHtmlConverter;
import com.vladsch.flexmark.util.data.MutableDataSet;
import dev.kb.core.KbException;
import dev.kb.core.text.Causes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.dankito.readability4j.Article;
import net.dankito.readability4j.extended.Readability4JExtended;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * HTML: main content by Readability (Readability4J, a port of Mozilla's Readability), then
 * Markdown by flexmark's HTML converter. Title, byline, excerpt and site name come first from
 * the page's declared metadata ({@link PageMetadata}), as current Readability does, and only
 * then from what Readability4J guessed.
 */
final class HtmlConversion {

    /** Below this many characters of extracted text the page is probably not an article. */
    static final int SHORT_TEXT = 200;

    private static final FlexmarkHtmlConverter MARKDOWN = FlexmarkHtmlConverter.builder(new MutableDataSet()
            .set(FlexmarkHtmlConverter.SETEXT_HEADINGS, false)
            .set(FlexmarkHtmlConverter.OUTPUT_ATTRIBUTES_ID, false)
            .set(FlexmarkHtmlConverter.OUTPUT_UNKNOWN_TAGS, false)
            .set(FlexmarkHtmlConverter.TYPOGRAPHIC_QUOTES, false)
            .set(FlexmarkHtmlConverter.TYPOGRAPHIC_SMARTS, false)
            .set(FlexmarkHtmlConverter.RENDER_COMMENTS, false)
            .set(FlexmarkHtmlConverter.MAX_BLANK_LINES, 1)
            .toImmutable()).build();

    private HtmlConversion() {
    }

    /** What came out of a page before it became Markdown; the benchmark scores this directly. */
    record Extraction(String title, String byline, String excerpt, String siteName, Element content, List<String> warnings) {
    }

    static Converted convert(Path file, String stem, String baseUri) {
        Document document;
        try {
            // A null charset lets jsoup take it from the BOM or <meta charset>, else UTF-8.
            document = Jsoup.parse(file.toFile(), null, baseUri == null ? "" : baseUri);
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read HTML: " + Causes.oneLine(e), e);
        }
        Extraction extraction = extract(document, baseUri);
        String markdown = toMarkdown(extraction.content());

        Map<String, Object> metadata = new LinkedHashMap<>();
        putIfPresent(metadata, "byline", extraction.byline());
        putIfPresent(metadata, "excerpt", extraction.excerpt());
        putIfPresent(metadata, "site_name", extraction.siteName());
        String title = ConverterText.isBlank(extraction.title()) ? stem : extraction.title();
        return new Converted(title, markdown, metadata, extraction.warnings());
    }

    /**
     * The element as Markdown. Readability hands back a detached element, and flexmark's node
     * renderer looks at parents (NullPointerException on a detached div), so convert its HTML.
     */
    static String toMarkdown(Element content) {
        return MARKDOWN.convert(content.outerHtml()).strip() + "\n";
    }

    /** Reads the metadata, then lets Readability take the main content (it changes the document). */
    static Extraction extract(Document document, String baseUri) {
        List<String> warnings = new ArrayList<>();
        PageMetadata declared = PageMetadata.read(document);

        Article article = null;
        try {
            article = new Readability4JExtended(baseUri == null ? "" : baseUri, document).parse();
        } catch (RuntimeException e) {
            // Readability is a heuristic over arbitrary markup; its bug must not lose the page.
            warnings.add("main-content extraction failed (" + Causes.oneLine(e) + "); converted the whole page");
        }
        Element content = article == null ? null : article.getArticleContent();
        if (content == null || content.text().isBlank()) {
            if (article != null) {
                warnings.add("no main content found; converted the whole page");
            }
            content = document.body();
        }
        if (baseUri != null && !baseUri.isBlank()) {
            absolutizeLinks(content);
        }
        int textLength = ConverterText.normalizeSpace(content.text()).length();
        if (textLength < SHORT_TEXT) {
            warnings.add("little text extracted (" + textLength + " characters)");
        }

        String readabilityTitle = article == null ? null : article.getTitle();
        String title = firstPresent(declared.title(), readabilityTitle, document.title());
        String byline = firstPresent(declared.byline(), article == null ? null : article.getByline());
        String excerpt = firstPresent(declared.excerpt(), article == null ? null : article.getExcerpt());
        return new Extraction(title, byline, excerpt, declared.siteName(), content, warnings);
    }

    private static void absolutizeLinks(Element content) {
        for (Element a : content.select("a[href]")) {
            String abs = a.absUrl("href");
            if (!abs.isEmpty()) {
                a.attr("href", abs);
            }
        }
        for (Element img : content.select("img[src]")) {
            String abs = img.absUrl("src");
            if (!abs.isEmpty()) {
                img.attr("src", abs);
            }
        }
    }

    private static String firstPresent(String... candidates) {
        for (String candidate : candidates) {
            if (!ConverterText.isBlank(candidate)) {
                return ConverterText.normalizeSpace(candidate);
            }
        }
        return null;
    }

    private static void putIfPresent(Map<String, Object> metadata, String key, String value) {
        if (!ConverterText.isBlank(value)) {
            metadata.put(key, ConverterText.normalizeSpace(value));
        }
    }
}
