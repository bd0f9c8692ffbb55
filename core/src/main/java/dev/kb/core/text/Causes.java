package dev.kb.core.text;

import java.nio.file.FileSystemException;
import java.sql.SQLException;

/**
 * The one way kb turns an exception into the cause part of a one-line message ("no space left on
 * device: raw/a.md"). A user sees one line per failure, so a library's multi-line message, a
 * {@code null} message, or a file-system exception whose text is only a path must all read as one
 * short, plain cause.
 */
public final class Causes {
    /** Longer causes are cut: a library may put a whole document or response body in a message. */
    private static final int MAX = 300;

    private Causes() {
    }

    public static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof FileSystemException fse) {
            // its getMessage() is "path: reason" or just the path; say the reason first
            m = (fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason())
                    + (fse.getFile() == null ? "" : ": " + fse.getFile());
        } else if (e instanceof SQLException && m == null) {
            m = e.toString();
        }
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > MAX ? m.substring(0, MAX - 1) + "…" : m;
    }
}
