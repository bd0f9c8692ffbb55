package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kb add http://user:password@host/doc} (issue 10, item 2): the userinfo is sent as HTTP
 * Basic authentication, and the password is in no file of the KB and no line of output.
 */
class UrlCredentialsTest extends E2EBase {
    private static final String ALICE = "Zq7-alice-pa55";
    private static final String BOB = "Xk9-bob-pa55";
    private static final List<String> SECRETS = List.of(ALICE, BOB, basic("alice", ALICE), basic("bob", BOB),
            ALICE.replace("-", "%2D"), // escaped, as a test below writes it
            Base64.getEncoder().encodeToString(("alice:" + ALICE).getBytes(StandardCharsets.UTF_8)));

    private MockWebServer server;
    private final AtomicInteger version = new AtomicInteger(1);
    private final List<String> authorizations = new ArrayList<>();

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void serve() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String auth = r.getHeader("Authorization");
                synchronized (authorizations) {
                    authorizations.add(r.getPath() + " " + auth);
                }
                switch (r.getPath()) {
                    case "/private.html":
                        return basic("alice", ALICE).equals(auth)
                                ? page("Alice's page", "Version " + version.get() + " of a page behind a password.")
                                : new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate", "Basic");
                    case "/go":
                        return new MockResponse().setResponseCode(302).setHeader("Location",
                                "http://bob:" + BOB + "@127.0.0.1:" + server.getPort() + "/bob.html");
                    case "/bob.html":
                        return basic("bob", BOB).equals(auth)
                                ? page("Bob's page", "Reached through a redirect that carried its own credentials.")
                                : new MockResponse().setResponseCode(401);
                    default:
                        return page("Root page", "What the server shows at its root.");
                }
            }
        });
        server.start();
        init();
    }

    private static MockResponse page(String title, String text) {
        return new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8").setBody(html(title, text));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    private String plain(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }

    private String withLogin(String user, String password, String path) {
        return "http://" + user + ":" + password + "@127.0.0.1:" + server.getPort() + path;
    }

    /** Every file of the KB and every output line: none may hold a password or its Basic encoding. */
    private void assertNoSecretAnywhere(Kb.Result... results) throws IOException {
        for (Kb.Result r : results) {
            for (String secret : SECRETS) {
                assertFalse(r.out().contains(secret), "stdout shows a credential:\n" + r.out());
                assertFalse(r.err().contains(secret), "stderr shows a credential:\n" + r.err());
            }
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(kb)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().anyMatch(p -> p.endsWith("registry.db")), files.toString());
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            String utf16 = new String(Files.readAllBytes(f), StandardCharsets.UTF_16LE);
            for (String secret : SECRETS) {
                assertFalse(content.contains(secret) || utf16.contains(secret), f + " holds a credential");
            }
        }
    }

    @Test
    void userinfoIsSentAsBasicAuthAndNeverStoredOrPrinted() throws Exception {
        Kb.Result added = kb("add", "--json", withLogin("alice", ALICE, "/private.html")).expect(0);
        JsonNode ev = added.events().get(0);
        assertEquals("added", ev.get("status").asText(), added.err());
        assertEquals(plain("/private.html"), ev.get("input").asText(), "the input is shown without userinfo");
        synchronized (authorizations) {
            assertEquals(List.of("/private.html " + basic("alice", ALICE)), authorizations);
        }
        KbState.Row row = KbState.row(kb, "private");
        assertEquals(plain("/private.html"), row.sourceUri());
        String page = read(kb.resolve(row.sourcePath()));
        assertTrue(page.contains("Version 1 of a page behind a password"), page);
        assertTrue(page.contains("source: " + plain("/private.html")) || page.contains("source: \"" + plain("/private.html")),
                page);

        // the same document, found again through its credential-free source: an update in place
        version.set(2);
        Kb.Result updated = kb("add", "--json", withLogin("alice", ALICE, "/private.html")).expect(0);
        assertEquals("updated", updated.events().get(0).get("status").asText(), updated.err());
        assertEquals("private", updated.events().get(0).get("doc").asText());
        KbState.assertAtRest(kb);

        // wrong credentials: a failure that names the status, not the password
        Kb.Result denied = kb("add", "--json", withLogin("alice", "wrong-" + ALICE.substring(3), "/private.html")).expect(1);
        assertTrue(denied.err().contains("HTTP 401"), denied.err());

        Kb.Result verbose = kb("--verbose", "add", withLogin("alice", ALICE + "x", "/private.html")).expect(1);
        assertNoSecretAnywhere(added, updated, denied, verbose);

        // removed by the URL as given, with or without the credentials
        Kb.Result removed = kb("remove", "--json", withLogin("alice", ALICE, "/private.html")).expect(0);
        assertEquals("removed", removed.events().get(0).get("status").asText(), removed.err());
        assertNoSecretAnywhere(removed);
    }

    @Test
    void credentialsInARedirectTargetAreUsedThereAndNeverStoredOrPrinted() throws Exception {
        Kb.Result added = kb("add", "--json", plain("/go")).expect(0);
        assertEquals("added", added.events().get(0).get("status").asText(), added.err());
        synchronized (authorizations) {
            assertEquals(List.of("/go null", "/bob.html " + basic("bob", BOB)), authorizations);
        }
        KbState.Row row = KbState.assertAtRest(kb).get(0);
        assertEquals(plain("/go"), row.sourceUri());
        assertNoSecretAnywhere(added);
        Kb.Result removed = kb("remove", plain("/go")).expect(0);
        assertNoSecretAnywhere(removed);
    }

    @Test
    void aPasswordWithAStrayPercentIsABadUrlThatIsNeverPrinted() throws Exception {
        String bad = withLogin("alice", ALICE + "%", "/private.html"); // '%' begins no %XX escape
        KbState.Snapshot before = KbState.snapshotFiles(kb);
        // alone: a usage error (exit 2), one line, the error object; it was "internal error" (70)
        Kb.Result alone = kb("add", "--json", bad).expect(2)
                .oneErrorLine(plain("/private.html"), "write a literal % as %25")
                .errorObject(plain("/private.html"), "malformed URL");
        KbState.assertUnchanged(before, kb);
        synchronized (authorizations) {
            assertEquals(List.of(), authorizations, "nothing was fetched");
        }
        // with another input: this one fails, the other is added
        Kb.Result mixed = kb("add", "--json", bad, plain("/")).expect(1);
        List<JsonNode> events = mixed.events();
        assertEquals(plain("/private.html"), events.get(0).get("input").asText(), mixed.out());
        assertEquals("failed", events.get(0).get("status").asText(), mixed.out());
        assertEquals("added", events.get(1).get("status").asText(), mixed.out());
        // the password written as the message says is sent as it is meant
        Kb.Result escaped = kb("add", withLogin("alice", ALICE.replace("-", "%2D"), "/private.html")).expect(0);
        synchronized (authorizations) {
            assertTrue(authorizations.contains("/private.html " + basic("alice", ALICE)), authorizations.toString());
        }
        // a '/' in the password ends the authority early: OkHttp reads "alice" as the host and the
        // password's start as a port, and its message quoted that start
        Kb.Result slash = kb("add", "--json", withLogin("alice", ALICE + "/x", "/private.html")).expect(2)
                .oneErrorLine("malformed URL", "%-escaped").errorObject("malformed URL");
        // show of a URL with a password that is not in the KB: the failure does not repeat it
        Kb.Result show = kb("show", "--json", withLogin("alice", ALICE, "/elsewhere")).expect(1)
                .oneErrorLine(plain("/elsewhere"), "not in the knowledge base");
        assertNoSecretAnywhere(alone, mixed, escaped, slash, show);
    }

    @Test
    void aUrlWithoutPathIsNamedByItsHost() {
        kb("add", plain("/")).expect(0);
        assertEquals("127.0.0.1", KbState.assertAtRest(kb).get(0).docName());
    }

}
