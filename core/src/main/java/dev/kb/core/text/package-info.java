/**
 * How kb words things for people: one-line causes of exceptions ({@link dev.kb.core.text.Causes}),
 * and durations and sizes as the command line writes them.
 */
package dev.kb.core.text;
