package dev.kb.core.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

/**
 * The metadata a page declares about itself: schema.org JSON-LD, then {@code <meta>} tags
 * (Dublin Core, Open Graph, Twitter, Parse.ly, Weibo). Readability4J 1.0.8 ports a 2018
 * Readability that reads only a few meta tags and guesses the title from {@code <title>}; this
 * follows the order of today's Mozilla Readability ({@code _getJSONLD}, {@code
 * _getArticleMetadata}), which is what the reference extractions in its test suite expect.
 * Any field may be null.
 */
record PageMetadata(String title, String byline, String excerpt, String siteName) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Readability's jsonLdArticleTypes, unanchored alternatives included, as in the original. */
    private static final Pattern ARTICLE_TYPES = Pattern.compile(
            "^Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|BackgroundNewsArticle"
                    + "|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|SatiricalArticle|ScholarlyArticle"
                    + "|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|LiveBlogPosting|DiscussionForumPosting"
                    + "|TechArticle|APIReference$");

    private static final Pattern SCHEMA_ORG = Pattern.compile("^https?://schema\\.org/?$");

    private static final Pattern PROPERTY = Pattern.compile(
            "\\s*(article|dc|dcterm|og|twitter)\\s*:\\s*(author|creator|description|published_time|title|site_name)\\s*",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern NAME = Pattern.compile(
            "^\\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\\s*[-.:]\\s*)?"
                    + "(author|creator|pub-date|description|title|site_name)\\s*$",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern CDATA = Pattern.compile("^\\s*<!\\[CDATA\\[|\\]\\]>\\s*$");

    static PageMetadata read(Document document) {
        PageMetadata ld = jsonLd(document);
        Map<String, String> values = metaValues(document);
        String title = first(ld.title(), values, "dc:title", "dcterm:title", "og:title", "weibo:article:title",
                "weibo:webpage:title", "title", "twitter:title", "parsely-title");
        String articleAuthor = values.get("article:author");
        if (articleAuthor != null && articleAuthor.matches("(?i)^https?://.*")) {
            articleAuthor = null;
        }
        String byline = first(ld.byline(), values, "dc:creator", "dcterm:creator", "author", "parsely-author");
        if (byline == null) {
            byline = articleAuthor;
        }
        String excerpt = first(ld.excerpt(), values, "dc:description", "dcterm:description", "og:description",
                "weibo:article:description", "weibo:webpage:description", "description", "twitter:description");
        String siteName = first(ld.siteName(), values, "og:site_name");
        return new PageMetadata(unescape(title), unescape(byline), unescape(excerpt), unescape(siteName));
    }

    private static String first(String preferred, Map<String, String> values, String... keys) {
        if (preferred != null && !preferred.isBlank()) {
            return preferred;
        }
        for (String key : keys) {
            String value = values.get(key);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** Pages often escape entities twice in meta content; jsoup undid one level already. */
    private static String unescape(String s) {
        return s == null ? null : Parser.unescapeEntities(s, true);
    }

    private static Map<String, String> metaValues(Document document) {
        Map<String, String> values = new HashMap<>();
        for (Element meta : document.getElementsByTag("meta")) {
            String content = meta.attr("content");
            if (content.isEmpty()) {
                continue;
            }
            boolean matched = false;
            String property = meta.attr("property");
            if (!property.isEmpty()) {
                Matcher m = PROPERTY.matcher(property);
                if (m.find()) {
                    matched = true;
                    values.put(m.group().toLowerCase(Locale.ROOT).replaceAll("\\s", ""), content.strip());
                }
            }
            String name = meta.attr("name");
            if (!matched && !name.isEmpty() && NAME.matcher(name).find()) {
                values.put(name.toLowerCase(Locale.ROOT).replaceAll("\\s", "").replace('.', ':'), content.strip());
            }
        }
        return values;
    }

    private static PageMetadata jsonLd(Document document) {
        for (Element script : document.select("script[type=application/ld+json]")) {
            try {
                JsonNode parsed = JSON.readTree(CDATA.matcher(script.data()).replaceAll(""));
                if (parsed == null) {
                    continue;
                }
                if (parsed.isArray()) {
                    parsed = findArticle(parsed);
                    if (parsed == null) {
                        continue;
                    }
                }
                JsonNode context = parsed.path("@context");
                boolean schemaOrg = (context.isTextual() && SCHEMA_ORG.matcher(context.asText()).find())
                        || (context.isObject() && context.path("@vocab").isTextual()
                                && SCHEMA_ORG.matcher(context.path("@vocab").asText()).find());
                if (!schemaOrg) {
                    continue;
                }
                if (!parsed.has("@type") && parsed.path("@graph").isArray()) {
                    parsed = findArticle(parsed.path("@graph"));
                }
                if (parsed == null || !isArticle(parsed)) {
                    continue;
                }
                return fromArticle(parsed, document);
            } catch (Exception e) {
                // Broken JSON-LD is common; the page's other metadata still counts.
            }
        }
        return new PageMetadata(null, null, null, null);
    }

    private static JsonNode findArticle(JsonNode array) {
        for (JsonNode item : array) {
            if (isArticle(item)) {
                return item;
            }
        }
        return null;
    }

    private static boolean isArticle(JsonNode node) {
        JsonNode type = node.path("@type");
        return type.isTextual() && ARTICLE_TYPES.matcher(type.asText()).find();
    }

    private static PageMetadata fromArticle(JsonNode article, Document document) {
        String title = null;
        JsonNode name = article.path("name");
        JsonNode headline = article.path("headline");
        if (name.isTextual() && headline.isTextual() && !name.asText().equals(headline.asText())) {
            // Some sites put their own name in "name" and the article's in "headline": take the
            // one that resembles the page title.
            String pageTitle = document.title();
            boolean nameMatches = similarity(name.asText(), pageTitle) > 0.75;
            boolean headlineMatches = similarity(headline.asText(), pageTitle) > 0.75;
            title = headlineMatches && !nameMatches ? headline.asText() : name.asText();
        } else if (name.isTextual()) {
            title = name.asText().strip();
        } else if (headline.isTextual()) {
            title = headline.asText().strip();
        }

        String byline = null;
        JsonNode author = article.path("author");
        if (author.path("name").isTextual()) {
            byline = author.path("name").asText().strip();
        } else if (author.isArray() && author.size() > 0 && author.get(0).path("name").isTextual()) {
            List<String> names = new ArrayList<>();
            for (JsonNode a : author) {
                if (a.path("name").isTextual()) {
                    names.add(a.path("name").asText().strip());
                }
            }
            byline = String.join(", ", names);
        }
        String excerpt = article.path("description").isTextual() ? article.path("description").asText().strip() : null;
        JsonNode publisher = article.path("publisher").path("name");
        String siteName = publisher.isTextual() ? publisher.asText().strip() : null;
        return new PageMetadata(title, byline, excerpt, siteName);
    }

    /** Readability's _textSimilarity: the share of b's words (by length) that also occur in a. */
    static double similarity(String a, String b) {
        List<String> tokensA = tokens(a);
        List<String> tokensB = tokens(b);
        if (tokensA.isEmpty() || tokensB.isEmpty()) {
            return 0;
        }
        Set<String> inA = new HashSet<>(tokensA);
        String uniqueB = tokensB.stream().filter(t -> !inA.contains(t)).collect(Collectors.joining(" "));
        return 1 - (double) uniqueB.length() / String.join(" ", tokensB).length();
    }

    private static List<String> tokens(String s) {
        return Arrays.stream(s.toLowerCase(Locale.ROOT).split("\\W+")).filter(t -> !t.isEmpty()).toList();
    }
}
