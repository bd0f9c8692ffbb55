/**
 * Document names: made safe for every file system (reserved names, separators, length), compared
 * the way case-insensitive file systems compare them, and made unique with a stable short hash.
 */
package dev.kb.core.name;
