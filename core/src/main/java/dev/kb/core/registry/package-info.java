/**
 * The SQLite implementation of {@link dev.kb.core.store.Registry}: WAL mode (readers never block
 * the writer), {@code synchronous=FULL} (a returned commit survives a power cut), the schema and
 * its upgrades (versioned with {@code PRAGMA user_version}), and the native library unpacked once
 * into kb's cache directory.
 */
package dev.kb.core.registry;
