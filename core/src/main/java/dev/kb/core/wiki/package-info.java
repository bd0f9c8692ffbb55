/**
 * What kb writes for people to read in {@code wiki/}: the YAML front matter of each page
 * ({@link dev.kb.core.wiki.FrontMatter}), the post-commit hooks that append to {@code wiki/log.md}
 * and keep {@code wiki/index.md} ({@link dev.kb.core.wiki.WikiHooks}; derived, never a reason to undo
 * a commit), and which files in {@code wiki/sources/} are a document's artifacts
 * ({@link dev.kb.core.wiki.Artifacts}).
 */
package dev.kb.core.wiki;
