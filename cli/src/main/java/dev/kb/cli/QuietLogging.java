package dev.kb.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * The configuration of java.util.logging, named by {@code java.util.logging.config.class}: no
 * handlers, every level off. The libraries that log there (PDFBox through commons-logging, OkHttp)
 * would otherwise print their INFO lines and warnings on stderr, between kb's own one-line errors.
 *
 * <p>Named as a property rather than applied: {@link LogManager} reads it when a library first
 * logs, so a command that never does (a polled {@code kb status}) never starts java.util.logging,
 * which cost ~8 ms of every start when it was reset eagerly.
 */
public final class QuietLogging {
    static final String CONFIG_CLASS = "java.util.logging.config.class";
    static final String CONFIG_FILE = "java.util.logging.config.file";

    /** Called by {@link LogManager} through reflection, while it initialises. */
    public QuietLogging() throws IOException {
        LogManager.getLogManager().readConfiguration(
                new ByteArrayInputStream("handlers=\n.level=OFF\n".getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Makes this class the configuration, unless the user named one (a file or a class) with -D. */
    static void install() {
        if (System.getProperty(CONFIG_CLASS) == null && System.getProperty(CONFIG_FILE) == null) {
            System.setProperty(CONFIG_CLASS, QuietLogging.class.getName());
        }
    }
}
