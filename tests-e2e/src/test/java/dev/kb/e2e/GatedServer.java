package dev.kb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A web server whose documents are each held back until the test releases them: a real kb writer
 * then stays in the middle of its batch, waiting for the input next in line, for as long as the
 * test needs to look at it. A path not made gated is a 404.
 */
final class GatedServer implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    GatedServer(String... paths) {
        for (String p : paths) {
            gates.put(p, new CountDownLatch(1));
        }
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) throws InterruptedException {
                CountDownLatch gate = gates.get(r.getPath());
                if (gate == null) {
                    return new MockResponse().setResponseCode(404);
                }
                // bounded, so a test that died leaves no server thread behind for long
                gate.await(90, TimeUnit.SECONDS);
                return new MockResponse().setHeader("Content-Type", "text/markdown; charset=utf-8")
                        .setBody("# " + r.getPath().substring(1) + "\n\nHeld back until the test let it go.\n");
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:port<path>}, with {@code userinfo} ("user:password@") after the scheme. */
    String url(String path, String userinfo) {
        return "http://" + userinfo + "127.0.0.1:" + server.getPort() + path;
    }

    String url(String path) {
        return url(path, "");
    }

    void release(String path) {
        gates.get(path).countDown();
    }

    @Override
    public void close() {
        gates.values().forEach(CountDownLatch::countDown);
        try {
            server.shutdown();
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
