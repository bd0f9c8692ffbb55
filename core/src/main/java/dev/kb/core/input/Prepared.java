package dev.kb.core.input;

import dev.kb.core.store.FileStat;
import dev.kb.core.store.PageOrigin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A document ready to commit: its files written in private staging (unforced: its group's commit
 * forces them together), its identity and hash known. Made outside the writer lock; the mutation
 * coordinator ({@link dev.kb.core.mutation.AddPlanner}) commits it under the lock.
 *
 * @param input        the argument as the user gave it, for messages and events
 * @param sourceUri    identity: a file's real path (see {@link SourcePaths}), URL as given, or
 *                     {@code pageindex-cloud:<id>}
 * @param nameHint     what the name is derived from (file stem, page title, cloud name)
 * @param sha256       hex of the raw bytes, or of the staged source when there are none
 * @param stagedRaw    original bytes, or null (cloud imports keep no raw copy)
 * @param rawExtension extension for {@code raw/<name>.<ext>}, or null with no raw file
 * @param stagedSource the Markdown with front matter for {@code wiki/sources/<name>.md}
 * @param extras       further artifacts published as {@code wiki/sources/<name><suffix>}
 * @param updates      whether a document already registered under {@code sourceUri} with other
 *                     content is updated in place (files, URLs) or left alone (cloud imports,
 *                     whose identity alone decides)
 * @param added        the {@code added} its front matter says, for the row's {@code added_at} when
 *                     it is new (so the page and the registry agree to the second, and a repaired
 *                     page comes out the same); null: the commit time
 * @param aliases      other keys a document of this source may be registered under, looked up
 *                     after {@code sourceUri} (the spelling of a file path that kb used before
 *                     identities were real paths); a row found by one is rewritten to {@code sourceUri}
 * @param stat         a local file's stamp when it was read (its stat-cache entry, committed with the
 *                     row under {@code sourceUri}), or null: not a file, or changed too recently to
 *                     be trusted later ({@link FileStat#racy})
 * @param origin       how {@code stagedSource} was made, committed with the row ({@link PageOrigin});
 *                     null when it is not known to be what a conversion or rendering makes
 * @param fetch        a URL's record of its fetch ({@link CachedUrl#record}), committed with the row
 *                     ({@link dev.kb.core.store.DocumentRow#fetch}); null for every other source
 */
public record Prepared(String input, String sourceUri, String nameHint, String type, String title,
                       String sha256, long size, Path stagedRaw, String rawExtension, Path stagedSource,
                       List<Artifact> extras, String etag, String lastModified, boolean updates,
                       List<String> warnings, String added, List<String> aliases, FileStat stat,
                       PageOrigin origin, String fetch) {

    public Prepared {
        extras = List.copyOf(extras);
        warnings = List.copyOf(warnings);
        aliases = List.copyOf(aliases);
    }

    /** A document that is no URL's: nothing of a fetch to record. */
    public Prepared(String input, String sourceUri, String nameHint, String type, String title, String sha256,
                    long size, Path stagedRaw, String rawExtension, Path stagedSource, List<Artifact> extras,
                    String etag, String lastModified, boolean updates, List<String> warnings, String added,
                    List<String> aliases, FileStat stat, PageOrigin origin) {
        this(input, sourceUri, nameHint, type, title, sha256, size, stagedRaw, rawExtension, stagedSource, extras, etag,
                lastModified, updates, warnings, added, aliases, stat, origin, null);
    }

    /** A document whose page's origin is not recorded. */
    public Prepared(String input, String sourceUri, String nameHint, String type, String title, String sha256,
                    long size, Path stagedRaw, String rawExtension, Path stagedSource, List<Artifact> extras,
                    String etag, String lastModified, boolean updates, List<String> warnings, String added,
                    List<String> aliases, FileStat stat) {
        this(input, sourceUri, nameHint, type, title, sha256, size, stagedRaw, rawExtension, stagedSource, extras, etag,
                lastModified, updates, warnings, added, aliases, stat, null);
    }

    /** A document without a stat-cache entry. */
    public Prepared(String input, String sourceUri, String nameHint, String type, String title, String sha256,
                    long size, Path stagedRaw, String rawExtension, Path stagedSource, List<Artifact> extras,
                    String etag, String lastModified, boolean updates, List<String> warnings, String added,
                    List<String> aliases) {
        this(input, sourceUri, nameHint, type, title, sha256, size, stagedRaw, rawExtension, stagedSource, extras, etag,
                lastModified, updates, warnings, added, aliases, null);
    }

    /** A document registered under {@code sourceUri} alone. */
    public Prepared(String input, String sourceUri, String nameHint, String type, String title, String sha256,
                    long size, Path stagedRaw, String rawExtension, Path stagedSource, List<Artifact> extras,
                    String etag, String lastModified, boolean updates, List<String> warnings, String added) {
        this(input, sourceUri, nameHint, type, title, sha256, size, stagedRaw, rawExtension, stagedSource, extras, etag,
                lastModified, updates, warnings, added, List.of());
    }

    /** {@code sourceUri} first, then the aliases: every key its document may be registered under. */
    public List<String> sourceKeys() {
        List<String> keys = new ArrayList<>(List.of(sourceUri));
        keys.addAll(aliases);
        return keys;
    }

    /** A document whose row's {@code added_at}, when new, is its commit time. */
    public Prepared(String input, String sourceUri, String nameHint, String type, String title, String sha256,
                    long size, Path stagedRaw, String rawExtension, Path stagedSource, List<Artifact> extras,
                    String etag, String lastModified, boolean updates, List<String> warnings) {
        this(input, sourceUri, nameHint, type, title, sha256, size, stagedRaw, rawExtension, stagedSource, extras, etag,
                lastModified, updates, warnings, null);
    }

    /** An extra staged file, published beside the source as {@code <name><suffix>}, e.g. ".tree.json". */
    public record Artifact(Path staged, String suffix) {
    }
}
