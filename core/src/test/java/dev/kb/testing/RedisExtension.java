package dev.kb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RedisServer} for each test: {@code @RegisterExtension final RedisExtension redis = new
 * RedisExtension();} starts one before the test (and its {@code @BeforeEach} methods) and stops
 * it after. Without redis-server the test fails, saying how to install it.
 */
public final class RedisExtension implements BeforeEachCallback, AfterEachCallback {
    private final String password;
    private final String[] options;
    private RedisServer server;
    private Path dir;

    public RedisExtension(String... options) {
        this(null, options);
    }

    /** A server that requires {@code password} ({@code --requirepass}). */
    public static RedisExtension withPassword(String password, String... options) {
        return new RedisExtension(password, options);
    }

    private RedisExtension(String password, String[] options) {
        this.password = password;
        this.options = options.clone();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kb-redis-test-");
        server = RedisServer.startWithPassword(dir, password, options);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dir = null;
        }
    }

    /** This test's server. */
    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("no Redis server outside a test");
        }
        return server;
    }

    /** The options it was started with, for a message. */
    public List<String> options() {
        return List.of(options);
    }
}
