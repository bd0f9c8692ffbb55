/**
 * How kb writes things for people, and reads back what people write: the one-line cause of a
 * failure ({@link dev.kb.core.text.Causes}), durations ({@link dev.kb.core.text.Durations}:
 * {@code 30s}, {@code 5m}) and byte sizes ({@link dev.kb.core.text.Sizes}: {@code 512 MiB}).
 *
 * <p>One parser and one formatter for each, so an option accepts the durations a message prints,
 * and URL fetching, local files, the lock and the cloud client word a size or a wait alike.
 * Parsing errors are {@link java.lang.IllegalArgumentException}s whose message is the one line the
 * user sees; the command line wraps them for picocli. Nothing here depends on picocli or prints.
 */
package dev.kb.core.text;
