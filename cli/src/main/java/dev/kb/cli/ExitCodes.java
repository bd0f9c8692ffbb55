package dev.kb.cli;

import dev.kb.core.KbException;

/** The contract's exit codes, in one place. */
final class ExitCodes {
    static final int OK = 0;
    static final int INPUT_FAILED = 1;
    /** The command did its work but its stdout could not be written: the contract's general failure. */
    static final int OUTPUT_LOST = 1;
    static final int USAGE = 2;
    static final int KB_UNUSABLE = 3;
    static final int LOCK_BUSY = 75;
    /** An unexpected error inside kb (a bug): like sysexits' EX_SOFTWARE. */
    static final int INTERNAL = 70;

    private ExitCodes() {
    }

    static int of(KbException.Kind kind) {
        return switch (kind) {
            case INPUT_FAILED -> INPUT_FAILED;
            case USAGE -> USAGE;
            case KB_UNUSABLE -> KB_UNUSABLE;
            case LOCK_BUSY -> LOCK_BUSY;
        };
    }
}
