package dev.kb.core.convert;

import dev.kb.core.KbException;
import dev.kb.core.text.Causes;
import dev.kb.core.text.Sizes;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import net.dankito.readability4j.Article;
import net.dankito.readability4j.extended.Readability4JExtended;
import net.dankito.readability4j.extended.processor.ArticleGrabberExtended;
import net.dankito.readability4j.extended.processor.PostprocessorExtended;
import net.dankito.readability4j.extended.util.RegExUtilExtended;
import net.dankito.readability4j.model.ReadabilityOptions;
import net.dankito.readability4j.processor.MetadataParser;
import net.dankito.readability4j.processor.Preprocessor;
import net.dankito.readability4j.util.RegExUtil;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * HTML: main content by Readability (Readability4J, a port of Mozilla's Readability), then
 * Markdown by flexmark's HTML converter. Title, byline, excerpt and site name come first from
 * the page's declared metadata ({@link PageMetadata}), as current Readability does, and only
 * then from what Readability4J guessed.
 *
 * <p>Bounded whatever the page: at most {@link #MAX_BYTES}; the charset found as browsers find
 * it ({@link HtmlCharset}); nesting lifted at 512 levels ({@link DomShape}); main-content
 * extraction skipped for an element with more than {@link #MAX_EXTRACTION_WIDTH} children,
 * where Readability4J's cost grows with the square of their number; wide elements converted in
 * parts ({@link HtmlMarkdown}); and one deadline, checked while parsing, inside Readability and
 * between parts. It runs on a thread of its own with a large stack, so no page can overflow the
 * stack of the thread that called it.
 */
final class HtmlConversion {

    /** Below this many characters of extracted text the page is probably not an article. */
    static final int SHORT_TEXT = 200;

    /** The largest HTML page converted (README: "HTML pages up to 32 MiB"); a DOM costs ~20 times the bytes. */
    static final long MAX_BYTES = 32L * 1024 * 1024;

    /** More children than this in one element, and Readability4J is not run (see {@link DomShape}). */
    static final int MAX_EXTRACTION_WIDTH = 16_384;

    /** Stack of the conversion thread: 512 levels of Readability's and flexmark's recursion, with room. */
    private static final long STACK_BYTES = 64L * 1024 * 1024;

    private HtmlConversion() {
    }

    /** What came out of a page before it became Markdown; the benchmark scores this directly. */
    record Extraction(String title, String byline, String excerpt, String siteName, Element content, List<String> warnings) {
    }

    static Converted convert(Path file, String stem, String baseUri) {
        return convert(file, stem, baseUri, null, ConversionDeadline.DEFAULT);
    }

    /**
     * @param contentType the HTTP Content-Type (its charset counts), or null for a local file
     * @param timeout     how long the conversion may take ({@code --timeout})
     */
    static Converted convert(Path file, String stem, String baseUri, String contentType, Duration timeout) {
        ConversionDeadline deadline = ConversionDeadline.in(timeout);
        return onOwnThread(() -> convertHere(file, stem, baseUri, contentType, deadline));
    }

    private static Converted convertHere(Path file, String stem, String baseUri, String contentType,
                                         ConversionDeadline deadline) {
        byte[] bytes = read(file);
        HtmlCharset.Decision charset = HtmlCharset.of(bytes, contentType);
        Document document;
        try (InputStream in = new DeadlineInputStream(new ByteArrayInputStream(bytes), deadline)) {
            document = Jsoup.parse(in, charset.charset().name(), baseUri == null ? "" : baseUri);
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read HTML: " + Causes.oneLine(e), e);
        }
        bytes = null; // the DOM holds the page now; let the bytes go before the heavy part
        Extraction extraction = extract(document, baseUri, deadline);
        String markdown = HtmlMarkdown.convert(extraction.content(), deadline);

        Map<String, Object> metadata = new LinkedHashMap<>();
        putIfPresent(metadata, "byline", extraction.byline());
        putIfPresent(metadata, "excerpt", extraction.excerpt());
        putIfPresent(metadata, "site_name", extraction.siteName());
        String title = ConverterText.isBlank(extraction.title()) ? stem : extraction.title();
        return new Converted(title, markdown, metadata, extraction.warnings());
    }

    private static byte[] read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw KbException.inputFailed("HTML page of " + Sizes.format(size) + " is larger than kb converts ("
                        + Sizes.format(MAX_BYTES) + ")");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw KbException.inputFailed("cannot read HTML: " + Causes.oneLine(e), e);
        }
    }

    /** The element as Markdown, with the default deadline; for tests and the benchmark. */
    static String toMarkdown(Element content) {
        return HtmlMarkdown.convert(content, ConversionDeadline.in(ConversionDeadline.DEFAULT));
    }

    /** As {@link #extract(Document, String, ConversionDeadline)} with the default deadline. */
    static Extraction extract(Document document, String baseUri) {
        return extract(document, baseUri, ConversionDeadline.in(ConversionDeadline.DEFAULT));
    }

    /** Reads the metadata, then lets Readability take the main content (it changes the document). */
    static Extraction extract(Document document, String baseUri, ConversionDeadline deadline) {
        List<String> warnings = new ArrayList<>();
        DomShape.flatten(document);
        deadline.check();
        PageMetadata declared = PageMetadata.read(document);
        boolean hasBase = baseUri != null && !baseUri.isBlank();
        if (hasBase) {
            // Before Readability, which would make them absolute itself and drop the port
            // (http://127.0.0.1:8080/x became http://127.0.0.1/x).
            absolutizeLinks(document);
        }

        Article article = null;
        int widest = DomShape.widest(document);
        if (widest > MAX_EXTRACTION_WIDTH) {
            warnings.add("an element with " + widest + " children is too wide for main-content extraction"
                    + " (at most " + MAX_EXTRACTION_WIDTH + "); converted the whole page");
        } else {
            try {
                article = readability(hasBase ? baseUri : "", document, deadline).parse();
            } catch (ConversionDeadline.TimedOut e) {
                throw e;
            } catch (RuntimeException | StackOverflowError e) {
                // Readability is a heuristic over arbitrary markup; its bug must not lose the page.
                warnings.add("main-content extraction failed (" + Causes.oneLine(e) + "); converted the whole page");
            }
        }
        deadline.check();
        Element content = article == null ? null : article.getArticleContent();
        if (content == null || content.text().isBlank()) {
            if (article != null) {
                warnings.add("no main content found; converted the whole page");
            }
            content = document.body();
        }
        if (hasBase) {
            absolutizeLinks(content);
        }
        ActiveLinks.sanitize(content);
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

    /** Readability4J as its defaults build it, but interruptible by the deadline and leaving links to us. */
    private static Readability4JExtended readability(String uri, Document document, ConversionDeadline deadline) {
        ReadabilityOptions options = new ReadabilityOptions();
        RegExUtilExtended regEx = new DeadlineRegEx(deadline);
        return new Readability4JExtended(uri, document, options, regEx, new Preprocessor(regEx),
                new MetadataParser(regEx), new ArticleGrabberExtended(options, regEx), new LinksLeftAlone());
    }

    /**
     * Readability consults these patterns for every node it scores, so checking the deadline here
     * bounds it; the patterns are Readability4J's own defaults.
     */
    private static final class DeadlineRegEx extends RegExUtilExtended {
        private final ConversionDeadline deadline;

        DeadlineRegEx(ConversionDeadline deadline) {
            super(RegExUtil.UnlikelyCandidatesDefaultPattern, RegExUtil.OkMaybeItsACandidateDefaultPattern,
                    RegExUtil.PositiveDefaultPattern,
                    RegExUtil.NegativeDefaultPattern + RegExUtilExtended.NegativeDefaultPatternExtended,
                    RegExUtil.ExtraneousDefaultPattern, RegExUtil.BylineDefaultPattern,
                    RegExUtil.ReplaceFontsDefaultPattern, RegExUtil.NormalizeDefaultPattern,
                    RegExUtil.VideosDefaultPattern, RegExUtil.NextLinkDefaultPattern, RegExUtil.PrevLinkDefaultPattern,
                    RegExUtil.WhitespaceDefaultPattern, RegExUtil.HasContentDefaultPattern,
                    RegExUtilExtended.RemoveImageDefaultPattern);
            this.deadline = deadline;
        }

        @Override
        public boolean isUnlikelyCandidate(String matchString) {
            deadline.check();
            return super.isUnlikelyCandidate(matchString);
        }

        @Override
        public boolean isPositive(String matchString) {
            deadline.check();
            return super.isPositive(matchString);
        }

        @Override
        public boolean isNegative(String matchString) {
            deadline.check();
            return super.isNegative(matchString);
        }

        @Override
        public boolean isWhitespace(String text) {
            deadline.check();
            return super.isWhitespace(text);
        }

        @Override
        public String normalize(String text) {
            deadline.check();
            return super.normalize(text);
        }

        @Override
        public boolean hasContent(String text) {
            deadline.check();
            return super.hasContent(text);
        }
    }

    /** Links are made absolute by jsoup before and after Readability, which keeps ports and {@code <base>}. */
    private static final class LinksLeftAlone extends PostprocessorExtended {
        @Override
        protected void fixRelativeUris(Document document, Element element, String articleUri) {
            // done by absolutizeLinks
        }
    }

    /** The page's bytes, read by jsoup, with the deadline checked at every read. */
    private static final class DeadlineInputStream extends FilterInputStream {
        private final ConversionDeadline deadline;

        DeadlineInputStream(InputStream in, ConversionDeadline deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            deadline.check();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            deadline.check();
            return super.read(b, off, Math.min(len, 64 * 1024));
        }
    }

    /**
     * Runs {@code work} on a new thread with a {@link #STACK_BYTES} stack and waits for it. An
     * interrupt of the caller (the batch is cancelled) is passed on: the work's deadline checks
     * see it and end it.
     */
    private static Converted onOwnThread(Callable<Converted> work) {
        FutureTask<Converted> task = new FutureTask<>(work);
        Thread t = new Thread(null, task, "kb-html-conversion", STACK_BYTES);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    t.interrupt();
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof StackOverflowError) {
                throw KbException.inputFailed("HTML nested too deeply to convert", cause);
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("conversion failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
