/**
 * A knowledge base on disk: finding it ({@code --kb}, {@code KB_DIR}, the nearest {@code .kb/}) and
 * its layout. Every path of the contract's layout ({@code raw/}, {@code wiki/sources/}, the page and
 * artifact names, the temporary suffix) is spelled in {@link dev.kb.core.kb.KnowledgeBase} and
 * nowhere else; journals and the registry keep paths relative to its root, so a KB can be moved.
 */
package dev.kb.core.kb;
