/**
 * What the user asks kb to take in, up to a staged document: expanding arguments (files,
 * directories walked, URLs, cloud ids; what is skipped and why), the {@link dev.kb.core.input.Source}s
 * that read, download and convert one input into private staging outside the lock, the
 * {@link dev.kb.core.input.Prepared} document they hand to planning, and the
 * {@link dev.kb.core.input.Outcome} every input ends with (the contract's per-input event). Nothing
 * here writes to {@code raw/} or {@code wiki/}.
 */
package dev.kb.core.input;
