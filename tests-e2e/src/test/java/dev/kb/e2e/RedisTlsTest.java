package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kb.testing.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://}: TLS to a real redis-server with a certificate made for the test (keytool,
 * for 127.0.0.1). kb trusts it only through the JVM's trust store, and checks the host name.
 */
class RedisTlsTest extends E2EBase {
    static final String STOREPASS = "changeit";

    /** The certificate, its key and a trust store holding it: made once, keytool is slow to start. */
    @TempDir
    static Path certs;
    static Path cert;
    static Path keyPem;
    static Path trustStore;

    MockWebServer web;
    RedisServer redis;
    int bodies;

    @BeforeAll
    static void certificate() throws Exception {
        Path p12 = certs.resolve("server.p12");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", p12.toString(), "-storetype", "PKCS12",
                "-storepass", STOREPASS);
        cert = certs.resolve("cert.pem");
        keytool("-exportcert", "-rfc", "-alias", "redis", "-keystore", p12.toString(), "-storepass", STOREPASS,
                "-file", cert.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, STOREPASS.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("redis", STOREPASS.toCharArray());
        keyPem = certs.resolve("key.pem");
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(
                StandardCharsets.US_ASCII)).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        trustStore = certs.resolve("trust.p12");
        keytool("-importcert", "-noprompt", "-alias", "redis", "-file", cert.toString(), "-keystore",
                trustStore.toString(), "-storetype", "PKCS12", "-storepass", STOREPASS);
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.startTls(tmp.resolve("redis"), cert, keyPem);

        web = new MockWebServer();
        web.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String etag = "\"" + r.getPath().hashCode() + "\"";
                if (etag.equals(r.getHeader("If-None-Match"))) {
                    return new MockResponse().setResponseCode(304).setHeader("ETag", etag);
                }
                synchronized (RedisTlsTest.this) {
                    bodies++;
                }
                return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setHeader("ETag", etag)
                        .setBody(html("Page " + r.getPath(), "Served for " + r.getPath() + "."));
            }
        });
        web.start();
        // a TLS handshake on a cold JVM is the slow part of this test; its deadline is not what is tested here
        Files.createDirectories(home.resolve(".config/kb"));
        Files.writeString(home.resolve(".config/kb/cache.properties"), "deadline = 5s\n");
    }

    @AfterEach
    void stop() throws IOException {
        if (web != null) {
            web.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ": " + out);
    }

    List<String> trusting() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + STOREPASS);
    }

    Kb.Result add(Path k, List<String> jvm, String spec, List<String> urls) {
        Kb.run(work, env, "init", k.toString()).expect(0);
        List<String> a = new ArrayList<>(List.of("--kb", k.toString(), "add", "--json", "--cache", spec));
        a.addAll(urls);
        Kb.Result r = Kb.runWithJvmFlags(work, env, jvm, a.toArray(String[]::new)).expect(0);
        assertEquals(urls.size(), r.events().size(), r.err());
        r.events().forEach(e -> assertEquals("added", e.get("status").asText(), r.err()));
        return r;
    }

    static List<String> cacheWarnings(Kb.Result r) {
        return RedisCacheTest.cacheWarnings(r);
    }

    @Test
    void aTrustedServerCachesOverTls() throws IOException {
        List<String> urls = List.of(web.url("/a.html").toString(), web.url("/b.html").toString());
        String spec = "rediss://127.0.0.1:" + redis.tlsPort();
        Kb.Result first = add(tmp.resolve("kb1"), trusting(), spec, urls);
        assertEquals(List.of(), cacheWarnings(first));
        assertTrue(((List<?>) redis.command("KEYS", "kb:e:*")).size() >= 2, "nothing stored over TLS");
        bodies = 0;
        Kb.Result second = add(tmp.resolve("kb2"), trusting(), spec, urls);
        assertEquals(List.of(), cacheWarnings(second));
        assertEquals(0, bodies, "the second KB downloaded again");
        assertEquals(RedisCacheTest.content(tmp.resolve("kb1")), RedisCacheTest.content(tmp.resolve("kb2")));
    }

    @Test
    void anUntrustedCertificateIsOneWarning() throws IOException {
        List<String> urls = List.of(web.url("/c.html").toString());
        Kb.Result r = add(tmp.resolve("kb"), List.of(), "rediss://127.0.0.1:" + redis.tlsPort(), urls);
        List<String> w = cacheWarnings(r);
        assertEquals(1, w.size(), r.err());
        assertTrue(w.get(0).contains("TLS handshake failed") && w.get(0).contains("certification path"), w.get(0));
        assertEquals(List.of(), redis.command("KEYS", "*"));
    }

    @Test
    void aCertificateForAnotherHostIsOneWarning() throws IOException {
        // the certificate names 127.0.0.1 only
        List<String> urls = List.of(web.url("/d.html").toString());
        Kb.Result r = add(tmp.resolve("kb"), trusting(), "rediss://localhost:" + redis.tlsPort(), urls);
        List<String> w = cacheWarnings(r);
        assertEquals(1, w.size(), r.err());
        assertTrue(w.get(0).contains("TLS handshake failed") && w.get(0).contains("localhost"), w.get(0));
        assertEquals(List.of(), redis.command("KEYS", "*"));
    }

    @Test
    void plainRedisAgainstTheTlsPortIsOneWarning() throws IOException {
        List<String> urls = List.of(web.url("/e.html").toString());
        Kb.Result r = add(tmp.resolve("kb"), trusting(), "redis://127.0.0.1:" + redis.tlsPort(), urls);
        assertEquals(1, cacheWarnings(r).size(), r.err());
    }
}
