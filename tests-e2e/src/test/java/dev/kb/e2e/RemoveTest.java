package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * {@code kb remove} as a user and a script see it: by name or by any spelling of the source
 * (relative, absolute, through a symbolic link, a URL, a file deleted since), its stderr lines,
 * its --json events and summary key for key, --quiet, --from-file, the log block and the index.
 */
class RemoveTest extends E2EBase {
    static final Pattern SUMMARY = Pattern.compile("kb: \\d+ removed, \\d+ skipped, \\d+ failed \\(\\d+\\.\\ds\\)");

    /** The KB with alpha (md), beta (txt) and gamma (html) added from in/. */
    private void three() {
        init();
        file("in/alpha.md", markdown("Alpha", "the first"));
        file("in/beta.txt", "beta, plain text\n");
        file("in/gamma.html", html("Gamma Page", "the third"));
        kb("add", "in").expect(0);
        assertEquals(Set.of("alpha", "beta", "gamma"), KbState.names(KbState.assertAtRest(kb)));
    }

    private Set<String> names() {
        return KbState.names(KbState.assertAtRest(kb));
    }

    @Test
    void removingANameTwiceFailsTheSecondTimeAndChangesNothing() {
        three();
        Kb.Result first = kb("remove", "alpha").expect(0).assertNoStackTrace();
        assertEquals("", first.out());
        assertEquals(List.of("removed  alpha"), first.errLines().subList(0, 1));
        assertEquals(2, first.errLines().size(), first.err());
        assertTrue(SUMMARY.matcher(first.errLines().get(1)).matches(), first.err());
        assertTrue(first.errLines().get(1).startsWith("kb: 1 removed, 0 skipped, 0 failed"), first.err());
        assertEquals(Set.of("beta", "gamma"), names());
        assertFalse(Files.exists(kb.resolve("raw/alpha.md")));
        assertFalse(Files.exists(kb.resolve("wiki/sources/alpha.md")));

        KbState.Snapshot before = KbState.snapshot(kb);
        Kb.Result again = kb("remove", "alpha").expect(1).assertNoStackTrace();
        assertEquals("", again.out());
        List<String> lines = again.errLines();
        assertEquals(2, lines.size(), again.err());
        assertEquals("failed   alpha: not in the knowledge base (no document of that name or source)", lines.get(0));
        assertTrue(lines.get(1).startsWith("kb: 0 removed, 0 skipped, 1 failed"), again.err());
        assertEquals(before.rows(), KbState.rows(kb));
        assertEquals(documentFiles(before), documentFiles(KbState.snapshot(kb)), "a failed remove changed files");
        KbState.assertAtRest(kb);
    }

    /** raw/, wiki/ (log and index included) with their hashes: what a remove may change. */
    private static List<String> documentFiles(KbState.Snapshot s) {
        return s.files().entrySet().stream()
                .filter(e -> e.getKey().startsWith("raw/") || e.getKey().startsWith("wiki/"))
                .map(e -> e.getKey() + " " + e.getValue()).toList();
    }

    @Test
    void theSourceNamesTheDocumentInEverySpelling() throws Exception {
        init();
        file("in/rel.md", markdown("Rel", "removed by a relative path"));
        Path abs = file("in/abs.md", markdown("Abs", "removed by an absolute path"));
        file("real/linked.md", markdown("Linked", "removed through a symbolic link to its folder"));
        file("in/sub/up.md", markdown("Up", "removed by a path that climbs"));
        file("in/deleted.md", markdown("Deleted", "its file is deleted before the remove"));
        BadInputTest.symlink(work.resolve("link"), work.resolve("real"));
        kb("add", "in", "real").expect(0);
        assertEquals(Set.of("rel", "abs", "linked", "up", "deleted"), names());
        Files.delete(work.resolve("in/deleted.md"));

        // kb show finds each of them by the same spellings
        for (String s : List.of("in/rel.md", abs.toString(), "link/linked.md", "in/deleted.md")) {
            kb("show", "--json", s).expect(0);
        }

        Kb.Result r = kb("remove", "--json", "in/rel.md", abs.toString(), "link/linked.md", "in/deleted.md")
                .expect(0).assertNoStackTrace();
        List<JsonNode> ev = r.events();
        assertEquals(List.of("in/rel.md", abs.toString(), "link/linked.md", "in/deleted.md"),
                ev.stream().map(e -> e.get("input").asText()).toList());
        assertEquals(List.of("rel", "abs", "linked", "deleted"), ev.stream().map(e -> e.get("doc").asText()).toList());
        ev.forEach(e -> assertEquals("removed", e.get("status").asText(), e.toString()));
        assertEquals("removed  in/rel.md -> rel", r.errLines().get(0));

        // relative to the working directory of the command, like every other path
        Kb.Result up = Kb.run(work.resolve("in/sub"), env, withKb("remove", "--json", "../sub/up.md")).expect(0);
        assertEquals("up", up.events().get(0).get("doc").asText());
        assertEquals(Set.of(), names());
    }

    @Test
    void aUrlSourceNamesItsDocument() throws Exception {
        init();
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                    .setBody(html("Served Page", "An article served over HTTP.")));
            server.start();
            String url = server.url("/articles/served-page.html").toString();
            kb("add", url).expect(0);
            assertEquals(Set.of("served-page"), names());
            assertEquals(url, KbState.row(kb, "served-page").sourceUri());
            JsonNode shown = kb("show", "--json", url).expect(0).json().get(0);
            assertEquals("served-page", shown.get("doc").asText());

            Kb.Result r = kb("remove", "--json", url).expect(0).assertNoStackTrace();
            JsonNode e = r.events().get(0);
            assertEquals(url, e.get("input").asText());
            assertEquals("served-page", e.get("doc").asText());
            assertEquals("removed", e.get("status").asText());
            assertEquals(Set.of(), names());
            assertEquals(1, server.getRequestCount(), "remove never fetches its source");
            String log = read(kb.resolve("wiki/log.md"));
            assertTrue(log.contains("- removed served-page from `" + url + "`"), log);
        }
    }

    @Test
    void jsonEventsAndSummaryAreExactlyTheContractsObjects() {
        three();
        Kb.Result r = kb("remove", "--json", "alpha", "in/alpha.md", "nowhere", "beta").expect(1).assertNoStackTrace();
        List<JsonNode> all = r.json();
        assertEquals(5, all.size(), r.out());
        assertEquals(all.size(), r.out().lines().count(), "one object per line");

        JsonNode removed = all.get(0);
        assertEquals(Set.of("input", "status", "doc", "error"), keys(removed));
        assertEquals("alpha", removed.get("input").asText());
        assertEquals("removed", removed.get("status").asText());
        assertEquals("alpha", removed.get("doc").asText());
        assertTrue(removed.get("error").isNull());

        // the same document a second time: skipped, with why
        JsonNode skipped = all.get(1);
        assertEquals(Set.of("input", "status", "doc", "error", "reason"), keys(skipped));
        assertEquals("in/alpha.md", skipped.get("input").asText());
        assertEquals("skipped", skipped.get("status").asText());
        assertEquals("alpha", skipped.get("doc").asText());
        assertTrue(skipped.get("error").isNull());
        assertTrue(skipped.get("reason").asText().contains("more than once"), skipped.toString());

        JsonNode failed = all.get(2);
        assertEquals(Set.of("input", "status", "doc", "error"), keys(failed));
        assertEquals("nowhere", failed.get("input").asText());
        assertEquals("failed", failed.get("status").asText());
        assertTrue(failed.get("doc").isNull());
        assertEquals("not in the knowledge base (no document of that name or source)", failed.get("error").asText());

        assertEquals("removed", all.get(3).get("status").asText());
        assertEquals("beta", all.get(3).get("doc").asText());

        JsonNode summary = all.get(4);
        assertEquals(Set.of("summary"), keys(summary));
        assertEquals(Set.of("removed", "skipped", "failed"), keys(summary.get("summary")));
        assertEquals(2, summary.get("summary").get("removed").asInt());
        assertEquals(1, summary.get("summary").get("skipped").asInt());
        assertEquals(1, summary.get("summary").get("failed").asInt());
        summary.get("summary").forEach(n -> assertTrue(n.isInt(), summary.toString()));

        // stderr has the human lines, one per input and the summary
        List<String> err = r.errLines();
        assertEquals(5, err.size(), r.err());
        assertEquals("skipped  in/alpha.md -> alpha (given more than once)", err.get(1));
        assertTrue(err.get(4).startsWith("kb: 2 removed, 1 skipped, 1 failed"), r.err());
        assertEquals(Set.of("gamma"), names());
    }

    @Test
    void theSameDocumentTwiceIsASkipNotAFailure() {
        three();
        Kb.Result r = kb("remove", "--json", "gamma", "in/gamma.html").expect(0);
        assertEquals(List.of("removed", "skipped"),
                r.events().stream().map(e -> e.get("status").asText()).toList());
        assertEquals(Set.of("alpha", "beta"), names());
    }

    /**
     * A document named again further down a long list, in a later group than its removal (a
     * list with a line repeated, or a name and a path of one document), is skipped as given more
     * than once, not failed as unknown: the outcome must not depend on where the groups split.
     */
    @Test
    void theSameDocumentTwiceInDifferentGroupsIsStillASkip() throws Exception {
        int n = ProtocolSteps.removeGroup() + 10;
        init();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            file("many/m" + i + ".md", markdown("M " + i, "document " + i));
            list.append("m").append(i).append('\n');
        }
        kb("add", "--quiet", "many").expect(0);
        list.append("m0\n").append("many/m5.md\n");
        file("list.txt", list.toString());
        Kb.Result r = kb("remove", "--json", "--from-file", "list.txt").expect(0).assertNoStackTrace();
        List<JsonNode> ev = r.events();
        assertEquals(n + 2, ev.size());
        for (JsonNode e : ev.subList(n, n + 2)) {
            assertEquals("skipped", e.get("status").asText(), e.toString());
            assertTrue(e.get("reason").asText().contains("more than once"), e.toString());
        }
        assertEquals("m0", ev.get(n).get("doc").asText());
        assertEquals("m5", ev.get(n + 1).get("doc").asText());
        assertEquals(n, r.summary().get("removed").asInt());
        assertEquals(2, r.summary().get("skipped").asInt());
        assertEquals(0, r.summary().get("failed").asInt());
        assertEquals(Set.of(), names());

        // once the command is over, naming it again is a failure as usual
        kb("remove", "m0").expect(1);
    }

    @Test
    void quietShowsOnlyTheSummaryOnSuccessAndFailuresWhenThereAreSome() {
        three();
        // add takes it too
        file("more/delta.md", markdown("Delta", "added quietly"));
        Kb.Result add = kb("add", "-q", "more").expect(0);
        assertEquals(1, add.errLines().size(), add.err());
        assertTrue(add.err().startsWith("kb: 1 added, 0 updated, 0 skipped, 0 failed ("), add.err());
        kb("remove", "-q", "delta").expect(0);

        Kb.Result ok = kb("remove", "--quiet", "alpha", "in/beta.txt").expect(0).assertNoStackTrace();
        assertEquals("", ok.out());
        assertEquals(1, ok.errLines().size(), ok.err());
        assertTrue(SUMMARY.matcher(ok.errLines().get(0)).matches(), ok.err());
        assertTrue(ok.err().startsWith("kb: 2 removed, 0 skipped, 0 failed"), ok.err());

        Kb.Result bad = kb("remove", "-q", "gamma", "nothing-like-it").expect(1).assertNoStackTrace();
        assertEquals("failed   nothing-like-it: not in the knowledge base (no document of that name or source)",
                bad.errLines().get(0));
        assertEquals(2, bad.errLines().size(), bad.err());
        assertTrue(bad.errLines().get(1).startsWith("kb: 1 removed, 0 skipped, 1 failed"), bad.err());
        assertEquals(Set.of(), names());
    }

    @Test
    void quietKeepsTheJsonOnStdout() {
        three();
        Kb.Result r = kb("remove", "--quiet", "--json", "alpha", "beta").expect(0);
        assertEquals(List.of("alpha", "beta"), r.events().stream().map(e -> e.get("doc").asText()).toList());
        assertEquals(2, r.summary().get("removed").asInt());
        assertEquals(1, r.errLines().size(), r.err());
    }

    @Test
    void fromFileAndFromStdin() throws Exception {
        three();
        file("extra.md", markdown("Extra", "named on stdin"));
        kb("add", "extra.md").expect(0);
        // a byte-order mark, comments, blank lines, surrounding blanks; a name and a source
        file("list.txt", "\uFEFFalpha\n# a comment\n\n   in/beta.txt  \n");
        Kb.Result r = kb("remove", "--json", "--from-file", "list.txt", "gamma").expect(0).assertNoStackTrace();
        // the positional inputs first, then the file's
        assertEquals(List.of("gamma", "alpha", "in/beta.txt"),
                r.events().stream().map(e -> e.get("input").asText()).toList());
        assertEquals(3, r.summary().get("removed").asInt());
        assertEquals(Set.of("extra"), names());

        Kb.Running stdin = startKb("remove", "--json", "--from-file", "-");
        try (OutputStream in = stdin.process.getOutputStream()) {
            in.write("extra\n".getBytes(StandardCharsets.UTF_8));
        }
        Kb.Result s = stdin.await().expect(0);
        assertEquals("extra", s.events().get(0).get("doc").asText());
        assertEquals(Set.of(), names());

        kb("remove", "--from-file", "missing.txt").expect(2).oneErrorLine("--from-file", "missing.txt", "no such file");
        kb("remove").expect(2).oneErrorLine("nothing to remove");
        file("empty.txt", "# nothing but a comment\n");
        kb("remove", "--from-file", "empty.txt").expect(2).oneErrorLine("nothing to remove");
    }

    @Test
    void theLogGetsARemoveBlockAndTheIndexLosesTheLine() {
        three();
        Path in = work.resolve("in");
        String before = read(kb.resolve("wiki/log.md"));
        kb("remove", "beta", "gamma").expect(0);
        String log = read(kb.resolve("wiki/log.md"));
        assertTrue(log.startsWith(before), "the log is only appended to:\n" + log);
        List<String> block = log.substring(before.length()).lines().filter(l -> !l.isEmpty()).toList();
        assertTrue(Pattern.matches("## \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ kb remove · journal [0-9a-f-]{36}",
                block.get(0)), "the block's heading: " + block.get(0));
        assertEquals(List.of("- removed beta from `" + real(in.resolve("beta.txt")) + "`",
                "- removed gamma from `" + real(in.resolve("gamma.html")) + "`"), block.subList(1, block.size()));
        assertEquals(Set.of("alpha"), KbState.indexNames(kb));
        assertTrue(read(kb.resolve("wiki/index.md")).contains("- [[alpha]] — Alpha\n"));
    }

    /**
     * Names that extend others with a dot ("a", "a.b", "a.b.c"): each document's artifacts are
     * its own. A folder wiki/sources/a.b/ is the folder of a.b, not an artifact "a.<ext>" of a, so
     * removing a (or a.b) leaves the longer names' pages, artifacts and folders alone.
     */
    @Test
    void artifactsGoWithTheirDocumentButALongerNameKeepsItsOwn() throws Exception {
        init();
        file("in/a.md", markdown("A", "the short name"));
        file("in/a.b.md", markdown("A dot B", "a longer name that starts like the short one"));
        file("in/a.b.c.md", markdown("A dot B dot C", "a longer name still"));
        kb("add", "in").expect(0);
        assertEquals(Set.of("a", "a.b", "a.b.c"), names());
        Files.writeString(kb.resolve("wiki/sources/a.tree.json"), "{\"nodes\":[]}\n");
        Files.createDirectories(kb.resolve("wiki/sources/a/img"));
        Files.writeString(kb.resolve("wiki/sources/a/img/fig1.txt"), "a figure\n");
        Files.writeString(kb.resolve("wiki/sources/a.b.tree.json"), "{\"nodes\":[1]}\n");
        Files.createDirectories(kb.resolve("wiki/sources/a.b"));
        Files.writeString(kb.resolve("wiki/sources/a.b/fig.txt"), "a figure of a.b\n");
        Files.createDirectories(kb.resolve("wiki/sources/a.b.c"));
        Files.writeString(kb.resolve("wiki/sources/a.b.c/fig.txt"), "a figure of a.b.c\n");
        KbState.assertAtRest(kb);

        assertEquals(Set.of("raw/a.md", "wiki/sources/a.md", "wiki/sources/a.tree.json", "wiki/sources/a"),
                shownFiles("a"));
        assertEquals(Set.of("raw/a.b.md", "wiki/sources/a.b.md", "wiki/sources/a.b.tree.json", "wiki/sources/a.b"),
                shownFiles("a.b"));
        assertEquals(Set.of("raw/a.b.c.md", "wiki/sources/a.b.c.md", "wiki/sources/a.b.c"), shownFiles("a.b.c"));

        kb("remove", "a").expect(0);
        assertEquals(Set.of("a.b", "a.b.c"), names());
        for (String gone : List.of("raw/a.md", "wiki/sources/a.md", "wiki/sources/a.tree.json", "wiki/sources/a")) {
            assertFalse(Files.exists(kb.resolve(gone)), gone + " is left");
        }
        for (String kept : List.of("raw/a.b.md", "wiki/sources/a.b.md", "wiki/sources/a.b.tree.json",
                "wiki/sources/a.b/fig.txt", "wiki/sources/a.b.c.md", "wiki/sources/a.b.c/fig.txt")) {
            assertTrue(Files.exists(kb.resolve(kept)), kept + " went with a");
        }
        kb("remove", "a.b").expect(0);
        assertEquals(Set.of("a.b.c"), names());
        assertFalse(Files.exists(kb.resolve("wiki/sources/a.b")), "a.b's folder is left");
        assertTrue(Files.exists(kb.resolve("wiki/sources/a.b.c/fig.txt")), "a.b.c's folder went with a.b");
    }

    private Set<String> shownFiles(String doc) {
        JsonNode shown = kb("show", "--json", doc).expect(0).json().get(0);
        Set<String> files = new TreeSet<>();
        shown.get("files").forEach(f -> files.add(f.get("path").asText()));
        return files;
    }

    /** The object's keys (in any order: JSON objects have none). */
    private static Set<String> keys(JsonNode n) {
        Set<String> k = new TreeSet<>();
        n.fieldNames().forEachRemaining(k::add);
        return k;
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
