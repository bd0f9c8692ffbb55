package dev.kb.core;

/**
 * A failure the user can act on. The message is one line that names the input and the cause;
 * the CLI prints it as is and maps {@link #kind()} to the contract's exit code.
 */
public class KbException extends RuntimeException {

    /** What went wrong, in the terms of the contract's exit codes. */
    public enum Kind {
        /** One input could not be ingested; the others go on (exit 1). */
        INPUT_FAILED,
        /** The command line itself is wrong, or an unsupported input was given on its own (exit 2). */
        USAGE,
        /** The knowledge base cannot be used: missing, unreadable, or needs {@code kb recover} (exit 3). */
        KB_UNUSABLE,
        /** Another process holds the writer lock and the wait ran out (exit 75). */
        LOCK_BUSY
    }

    private final Kind kind;

    public KbException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KbException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Shorthand for the most common case: this input failed. */
    public static KbException inputFailed(String message) {
        return new KbException(Kind.INPUT_FAILED, message);
    }

    public static KbException inputFailed(String message, Throwable cause) {
        return new KbException(Kind.INPUT_FAILED, message, cause);
    }

    /** The KB cannot be used because {@code what} failed; the message ends with the OS's reason. */
    public static KbException unusable(String what, java.io.IOException cause) {
        return new KbException(Kind.KB_UNUSABLE, what + ": " + reason(cause), cause);
    }

    /**
     * The OS's words for an I/O failure ("Permission denied (/kb/.kb)"): Java's own message of
     * many file-system exceptions is only the path, which names no cause.
     */
    public static String reason(java.io.IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return "permission denied (" + f.getFile() + ")";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
