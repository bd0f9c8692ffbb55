/**
 * Conversion: from a file of original bytes to clean Markdown plus metadata.
 *
 * <p>{@link dev.kb.core.convert.Sniffer} decides what the bytes are — the bytes decide, a declared
 * Content-Type or a file name only break ties — and {@link dev.kb.core.convert.Converter} turns a
 * supported kind into a {@link dev.kb.core.convert.Converted}: Markdown (its own YAML front matter
 * kept as the file wrote it, split into entries by {@link dev.kb.core.convert.YamlEntries}),
 * plain text, HTML (main content by Readability4J, Markdown by flexmark),
 * or PDF (PDFBox text, one {@code <!-- page N -->} marker per page).
 *
 * <p>Everything here is a pure function of the input file. It runs in the prepare phase, outside
 * the writer lock, and writes nothing but temporary files in the scratch directory it is given,
 * which are gone again when the call returns or throws. HTML conversion is bounded whatever the
 * page: at most 32 MiB, a charset found as browsers find it, nesting lifted at 512 levels, about
 * linear time, and a deadline ({@code --timeout}) checked throughout. A PDF is at most 256 MiB.
 * Markdown and text are converted as a stream ({@link dev.kb.core.convert.Converter#open}, {@link
 * dev.kb.core.convert.TextConversion}): a file of any size in a few MiB. No page that comes out holds
 * an active {@code javascript:}, {@code vbscript:} or {@code data:} link or image. Failures are
 * {@link dev.kb.core.KbException}s of kind INPUT_FAILED with a one-line cause; the caller names
 * the input.
 */
package dev.kb.core.convert;
