package dev.kb.core.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kb.core.fs.TestKb;
import dev.kb.core.mutation.RemovePlanner;
import dev.kb.core.store.DocumentRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local source's identity is its real path: every spelling of one file updates one document,
 * and rows an older kb registered under the absolute path as written are still found.
 */
class SourcePathsTest {
    @TempDir
    Path tmp;

    Path real;
    Path link;

    @BeforeEach
    void layout() throws IOException {
        real = Files.createDirectories(tmp.resolve("real/inner"));
        Files.writeString(real.resolve("x.md"), "# X\n");
        Files.writeString(tmp.resolve("real/up.md"), "# Up\n");
        link = tmp.resolve("link");
        try {
            Files.createSymbolicLink(link, real);
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("no symbolic links here: " + e);
        }
    }

    @Test
    void everySpellingOfOneFileHasOneIdentity() throws IOException {
        String identity = real.resolve("x.md").toRealPath().toString();
        for (Path spelling : List.of(real.resolve("x.md"), link.resolve("x.md"), link.resolve("../inner/x.md"),
                tmp.resolve("real/./inner/x.md"), link.resolve("x.md").toAbsolutePath())) {
            assertEquals(identity, SourcePaths.identity(spelling), spelling.toString());
        }
        // ".." after a link goes where the link leads, not where the text says: a different file
        assertEquals(tmp.resolve("real/up.md").toRealPath().toString(), SourcePaths.identity(link.resolve("../up.md")));
    }

    @Test
    void aRemovedFileIsNamedThroughItsFoldersRealPath() throws IOException {
        Path gone = link.resolve("gone/deeper/../g.md");
        assertEquals(real.toRealPath().resolve("gone/g.md").toString(), SourcePaths.identity(gone));
    }

    @Test
    void theOldSpellingIsASecondKeyUnlessItNamesAnotherFile() throws IOException {
        Path viaLink = link.resolve("x.md");
        assertEquals(List.of(real.resolve("x.md").toRealPath().toString(), viaLink.toAbsolutePath().toString()),
                SourcePaths.spellings(viaLink));
        assertEquals(List.of(real.resolve("x.md").toRealPath().toString()), SourcePaths.spellings(real.resolve("x.md")),
                "no second key when the spelling is the identity");

        // link/../up.md is real/up.md; the text normalises to tmp/up.md, which is someone else's file
        Files.writeString(tmp.resolve("up.md"), "# Another file\n");
        assertEquals(List.of(tmp.resolve("real/up.md").toRealPath().toString()),
                SourcePaths.spellings(link.resolve("../up.md")));
    }

    @Test
    void aBindMountIsSpelledThroughTheFirstMountThatShowsTheSameFile() {
        List<SourcePaths.Mount> mounts = SourcePaths.parse(List.of(
                "22 27 0:21 / /proc rw,relatime - proc proc rw",
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "42 27 254:0 /srv/data /mnt/my\\040data rw,relatime - ext4 /dev/vda rw",
                "43 27 254:1 / /mnt/other rw,relatime - ext4 /dev/vdb rw",
                "44 27 0:50 net:[4026531840] /run/netns/x rw - nsfs nsfs rw"));
        assertEquals(List.of(new SourcePaths.Mount("0:21", "/", "/proc"), new SourcePaths.Mount("254:0", "/", "/"),
                new SourcePaths.Mount("254:0", "/srv/data", "/mnt/my data"),
                new SourcePaths.Mount("254:1", "/", "/mnt/other")), mounts,
                "octal escapes decoded, non-paths left out");

        Path viaBind = Path.of("/mnt/my data/notes/a.md");
        assertEquals(Path.of("/srv/data/notes/a.md"), SourcePaths.canonical(viaBind, mounts, (a, b) -> true));
        assertEquals(Path.of("/srv/data/notes/a.md"),
                SourcePaths.canonical(Path.of("/srv/data/notes/a.md"), mounts, (a, b) -> true), "already canonical");
        assertEquals(viaBind, SourcePaths.canonical(viaBind, mounts, (a, b) -> false),
                "a spelling that does not reach the same file (a covered mount point) is never used");
        assertEquals(Path.of("/mnt/other/a.md"),
                SourcePaths.canonical(Path.of("/mnt/other/a.md"), mounts, (a, b) -> true),
                "another device: only its own mount shows it");
        assertEquals(viaBind, SourcePaths.canonical(viaBind, List.of(), (a, b) -> true),
                "no mount table: the real path");
    }

    /**
     * A walk asks the mount table once per directory, not once per file: whatever the table, the
     * answer for every file is the one the full look-up gives, also where a mount sits at a file
     * itself (a bind-mounted file), where a bind mount shows a folder first elsewhere, and where a
     * mount's root is a file of the folder.
     */
    @Test
    void theAnswerPerDirectoryIsTheAnswerPerFile() {
        List<SourcePaths.Mount> table = SourcePaths.parse(List.of(
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "42 27 254:0 /srv/data /mnt/data rw,relatime - ext4 /dev/vda rw",
                "43 27 254:1 / /mnt/other rw,relatime - ext4 /dev/vdb rw",
                "44 27 254:0 /srv/one.md /home/me/notes/pinned.md rw - ext4 /dev/vda rw",
                "45 27 254:0 /home/me/notes/x.md /opt/x.md rw - ext4 /dev/vda rw",
                "46 27 254:1 /sub /srv/data/cover rw - ext4 /dev/vdb rw"));
        // bind mounts listed before the root mount: /srv/data is shown first through /early, and
        // one file of /home/me/notes first through /opt/first.md
        List<SourcePaths.Mount> early = new java.util.ArrayList<>(SourcePaths.parse(List.of(
                "39 1 254:0 /home/me/notes/b.md /opt/first.md rw - ext4 /dev/vda rw",
                "40 1 254:0 /srv/data /early rw - ext4 /dev/vda rw")));
        early.addAll(table);
        List<String> files = List.of("/home/me/notes/a.md", "/home/me/notes/pinned.md", "/home/me/notes/x.md",
                "/home/me/notes/b.md", "/srv/data/notes/a.md", "/srv/data/a.md", "/srv/data/cover",
                "/srv/data/cover/c.md", "/mnt/data/notes/a.md", "/mnt/other/a.md", "/mnt/other/sub/a.md", "/a.md",
                "/srv/one.md", "/opt/x.md", "/early/a.md");
        for (List<SourcePaths.Mount> mounts : List.of(table, early, List.<SourcePaths.Mount>of())) {
            for (java.util.function.BiPredicate<Path, Path> same : List.<java.util.function.BiPredicate<Path, Path>>of(
                    (a, b) -> true, (a, b) -> false, (a, b) -> !a.startsWith("/mnt/data"))) {
                SourcePaths.Mounts m = new SourcePaths.Mounts(mounts);
                for (int pass = 0; pass < 2; pass++) { // the second pass answers from what the first learnt
                    for (String f : files) {
                        assertEquals(SourcePaths.canonical(Path.of(f), mounts, same), m.identity(Path.of(f), same),
                                f + " with " + mounts.size() + " mounts, pass " + pass);
                    }
                }
            }
            // a walk's folder spells each file's keys as the look-up of the file alone does
            // (these paths exist nowhere, so a spelling other than the identity is a second key)
            SourcePaths.Mounts m = new SourcePaths.Mounts(mounts);
            for (String f : files) {
                Path p = Path.of(f);
                Path identity = SourcePaths.canonical(p, mounts, (a, b) -> false);
                List<String> expected = identity.equals(p) ? List.of(f) : List.of(identity.toString(), f);
                assertEquals(expected, m.folder(p.getParent(), p.getParent()).spellings(p, p.getFileName().toString()),
                        f + " with " + mounts.size() + " mounts");
            }
        }
        SourcePaths.Mounts m = new SourcePaths.Mounts(early);
        assertEquals(List.of("/home/me/notes/a.md", "/x/link/a.md"), m.folder(Path.of("/x/link"),
                Path.of("/home/me/notes")).spellings(Path.of("/x/link/a.md"), "a.md"),
                "walked through a link: the spelling as walked is a second key");
        assertEquals(Path.of("/early/notes/a.md"), m.identity(Path.of("/srv/data/notes/a.md"), (a, b) -> true),
                "the table decides, not the directory's first file");
        assertEquals(Path.of("/srv/data/notes/a.md"), m.identity(Path.of("/srv/data/notes/a.md"), (a, b) -> false));
        assertEquals(Path.of("/home/me/notes/a.md"), m.identity(Path.of("/home/me/notes/a.md"), (a, b) -> true));
        assertEquals(Path.of("/opt/first.md"), m.identity(Path.of("/home/me/notes/b.md"), (a, b) -> true),
                "a file bind-mounted elsewhere first, in a folder whose other files are their own answer");
    }

    /** A KB written by an older kb holds the absolute path as written; the same file is still its document. */
    @Test
    void aRowUnderTheOldSpellingIsUpdatedFoundAndRewrittenToTheRealPath() throws Exception {
        Path viaLink = link.resolve("x.md");
        String identity = real.resolve("x.md").toRealPath().toString();
        try (TestKb t = TestKb.create(tmp.resolve("kb"))) {
            assertEquals(Outcome.Status.ADDED, add(t, viaLink).status());
            assertEquals(identity, t.registry.byName("x").orElseThrow().sourceUri());
            setSourceUri(t, "x", viaLink.toAbsolutePath().toString()); // as the older kb registered it

            // kb remove and kb show find it by every spelling, before and after the upgrade
            assertFound(t, "link/x.md", "real/inner/x.md", "link/../inner/x.md");

            Files.writeString(real.resolve("x.md"), "# X, second version\n");
            assertEquals(Outcome.Status.UPDATED, add(t, viaLink).status());
            DocumentRow row = t.registry.byName("x").orElseThrow();
            assertEquals(identity, row.sourceUri(), "the update upgrades the row to the real path");
            assertEquals(1, t.rows().size(), "one document, not a second, stale one");
            assertFound(t, "link/x.md", "real/inner/x.md", "link/../inner/x.md");

            Files.writeString(real.resolve("x.md"), "# X, third version\n");
            assertEquals(Outcome.Status.UPDATED, add(t, real.resolve("x.md")).status());
            assertEquals(1, t.rows().size());

            Files.delete(real.resolve("x.md"));
            assertFound(t, "link/x.md", "real/inner/x.md");
            t.closeStaging();
            t.assertAtRest();
        }
    }

    private void assertFound(TestKb t, String... spellings) {
        for (String s : spellings) {
            assertEquals("x", RemovePlanner.find(t.registry, RemovePlanner.Target.of(s, tmp)).map(DocumentRow::docName)
                    .orElse(null), s);
        }
    }

    private static void setSourceUri(TestKb t, String doc, String uri) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t.kb.registryFile());
             PreparedStatement s = c.prepareStatement("UPDATE documents SET source_uri = ? WHERE doc_name = ?")) {
            s.setString(1, uri);
            s.setString(2, doc);
            assertEquals(1, s.executeUpdate());
        }
    }

    private static Outcome add(TestKb t, Path file) throws Exception {
        Source.Prep prep = new FileSource(file, file.toString(), Long.MAX_VALUE)
                .prepare(new PrepareContext(t.staging(), t.registry));
        assertNotNull(prep.prepared(), "prepared, not decided early: " + prep.early());
        return t.add(prep.prepared()).get(0);
    }
}
