package dev.kb.cli;

import picocli.CommandLine.Option;

/** {@code --quiet} of add, import and remove (contract). */
final class QuietOption {
    @Option(names = {"-q", "--quiet"},
            description = "On stderr, show only failures, warnings and the summary.")
    boolean quiet;
}
