package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local source's identity is its real path: the same file reached through a symbolically
 * linked directory, {@code ..} after a link, another working directory or a bind mount updates
 * one document. Before, each spelling became a document of its own, the older ones going stale.
 */
class SourceIdentityTest extends E2EBase {
    Path notes;
    Path x;
    String identity;

    @BeforeEach
    void files() throws IOException {
        init();
        x = file("real/notes/x.md", markdown("X", "version 0"));
        notes = x.getParent();
        BadInputTest.symlink(work.resolve("link"), notes);
        identity = x.toRealPath().toString();
    }

    private void rewrite(int version) {
        file("real/notes/x.md", markdown("X", "version " + version));
    }

    /** The status of the one event, after checking that the KB holds one document, of {@code x}. */
    private String addedOnce(Kb.Result r) {
        List<KbState.Row> rows = KbState.assertAtRest(kb);
        assertEquals(1, rows.size(), "one document: " + rows);
        assertEquals(identity, rows.get(0).sourceUri());
        assertEquals(KbState.sha256(x), rows.get(0).sha256(), "the document has the file's latest bytes");
        return r.events().get(0).get("status").asText();
    }

    @Test
    void everySpellingOfAFileUpdatesOneDocument() {
        assertEquals("added", addedOnce(kb("add", "--json", "link/x.md").expect(0)));
        int v = 1;
        for (String spelling : List.of("real/notes/x.md", "link/../notes/x.md", "./link/./x.md",
                work.resolve("link/x.md").toString())) {
            rewrite(v++);
            assertEquals("updated", addedOnce(kb("add", "--json", spelling).expect(0)), spelling);
        }
        rewrite(v);
        Kb.Result fromInside = Kb.run(work.resolve("link"), env, withKb("add", "--json", "x.md")).expect(0);
        assertEquals("updated", addedOnce(fromInside), "relative to another working directory");
        assertEquals("skipped", addedOnce(kb("add", "--json", "link/x.md", "real/notes/x.md").expect(0)));
    }

    /**
     * A bind mount is no symbolic link: the real path still names the mount. It runs in a private
     * mount namespace ({@code unshare -m}), so the mount is gone with the process, whatever happens.
     */
    @Test
    void aFileReachedThroughABindMountUpdatesTheSameDocument() throws Exception {
        Path bound = Files.createDirectories(work.resolve("bound"));
        assertEquals("added", addedOnce(kb("add", "--json", "real/notes/x.md").expect(0)));
        rewrite(1);
        Kb.Result viaMount = inBindMount(notes, bound, "add", "--json", "bound/x.md");
        assertEquals("updated", addedOnce(viaMount.expect(0)), viaMount.err());

        KbState.deleteTree(kb);
        init();
        rewrite(2);
        Kb.Result first = inBindMount(notes, bound, "add", "--json", "bound/x.md");
        assertEquals("added", addedOnce(first.expect(0)), "the mount's spelling is not the identity");
    }

    /** kb with {@code dir} bound onto {@code mountPoint} in a mount namespace of its own, or the test skipped. */
    private Kb.Result inBindMount(Path dir, Path mountPoint, String... args) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean canMount = root && Files.isExecutable(Path.of("/usr/bin/unshare"));
        if (canMount) {
            Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "/bin/sh", "-c",
                    "mount --bind \"$0\" \"$1\"", dir.toString(), mountPoint.toString()).redirectErrorStream(true)
                    .start();
            canMount = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        if (!canMount) {
            System.out.println("skipped: bind-mount test needs root and unshare -m with mount --bind");
            Assumptions.abort("cannot bind-mount in a private namespace here");
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "-m", "/bin/sh", "-c",
                "mount --bind \"$0\" \"$1\" && shift && exec \"$@\"", dir.toString(), mountPoint.toString()));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(withKb(args)));
        return Kb.startRaw(cmd, work, env).await();
    }

    /**
     * A KB written by an older kb holds the absolute path as it was written (through the link).
     * It is still that file's document: found by {@code kb show} and {@code kb remove} under any
     * spelling, updated by an add (which rewrites its {@code source_uri} to the real path).
     */
    @Test
    void aKbThatHoldsTheOldSpellingKeepsWorking() throws Exception {
        kb("add", "link/x.md").expect(0);
        String old = work.resolve("link/x.md").toString();
        setSourceUri("x", old);
        for (String spelling : List.of("link/x.md", "real/notes/x.md", old)) {
            JsonNode shown = kb("show", "--json", spelling).expect(0).json().get(0);
            assertEquals("x", shown.get("doc").asText(), spelling);
        }

        rewrite(1);
        Kb.Result r = kb("add", "--json", "link/x.md").expect(0);
        assertEquals("updated", addedOnce(r), "one document, upgraded to the real path");

        setSourceUri("x", old);
        Files.delete(x);
        Kb.Result removed = kb("remove", "--json", "real/notes/x.md").expect(0);
        assertEquals("removed", removed.events().get(0).get("status").asText(), removed.out());
        assertEquals(List.of(), KbState.assertAtRest(kb));
    }

    @Test
    void aDeletedFileIsRemovedByAnySpelling() throws Exception {
        file("real/notes/y.md", markdown("Y", "to be deleted"));
        kb("add", "link/x.md", "real/notes/y.md").expect(0);
        Files.delete(notes.resolve("y.md"));
        Files.delete(x);
        kb("remove", "link/y.md", "link/../notes/x.md").expect(0);
        assertEquals(List.of(), KbState.assertAtRest(kb));
    }

    private void setSourceUri(String doc, String uri) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + kb.resolve(".kb/registry.db"));
             PreparedStatement s = c.prepareStatement("UPDATE documents SET source_uri = ? WHERE doc_name = ?")) {
            s.setString(1, uri);
            s.setString(2, doc);
            assertEquals(1, s.executeUpdate());
        }
    }
}
