package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kb's cache directory, the one place outside a KB that kb writes: SQLite's native library is
 * unpacked there and loaded from there, and PDFBox keeps its font cache there. So it must be an
 * absolute private directory, never the working directory, and what kb loads from it must be the
 * jar's library and nothing else.
 *
 * <p>Every child JVM gets its own {@code user.home} (what Java takes from the passwd entry) and
 * {@code java.io.tmpdir}, so that nothing these tests provoke lands in the real ones.
 */
class CacheDirTest extends E2EBase {
    Path passwdHome;
    Path sysTmp;

    @BeforeEach
    void places() throws IOException {
        passwdHome = Files.createDirectories(tmp.resolve("passwd-home"));
        sysTmp = Files.createDirectories(tmp.resolve("systmp"));
        Files.setAttribute(sysTmp, "unix:mode", 01777); // as /tmp
    }

    private List<String> jvm(String userHome) {
        return List.of("-Duser.home=" + userHome, "-Djava.io.tmpdir=" + sysTmp);
    }

    private Kb.Result run(Path cwd, Map<String, String> childEnv, List<String> jvm, String... args) {
        List<String> cmd = new ArrayList<>(Kb.javaCommand());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", Kb.jar().toString()));
        cmd.addAll(List.of(args));
        return Kb.startRaw(cmd, cwd, childEnv).await();
    }

    private Kb.Result kbIn(Map<String, String> childEnv, String... args) {
        return run(work, childEnv, jvm(passwdHome.toString()), withKb(args));
    }

    static List<String> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path cachedLibrary(Path cache) throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.getFileName().toString().startsWith("libsqlitejdbc")
                    && !p.getFileName().toString().endsWith(".sha256")).findFirst().orElseThrow();
        }
    }

    private void assertNoCrashLeftovers(Path... dirs) {
        for (Path d : dirs) {
            assertTrue(filesUnder(d).stream().noneMatch(f -> f.contains("hs_err_pid")), "a JVM crash log in " + d);
        }
    }

    /**
     * A copy cut short (a full disk under an older kb, a crash mid-copy by hand) passed the old
     * 4-byte check and crashed the JVM with SIGBUS on every command (exit 134, an hs_err_pid log
     * in the working directory). It is replaced, and the command works.
     */
    @Test
    void aTruncatedCachedLibraryIsReplacedNotLoaded() throws Exception {
        Map<String, String> childEnv = Kb.env(home);
        run(work, childEnv, jvm(passwdHome.toString()), "init", kb.toString()).expect(0);
        Path lib = cachedLibrary(home.resolve(".cache/kb"));
        byte[] original = Files.readAllBytes(lib);
        Files.write(lib, Arrays.copyOf(original, 64 * 1024));

        Kb.Result st = kbIn(childEnv, "status", "--json").expect(0);
        assertEquals(0, st.json().get(0).get("documents").asInt(), st.out());
        assertEquals("", st.err());
        assertNoCrashLeftovers(work, tmp);
        assertArrayEquals(original, Files.readAllBytes(lib), "the truncated copy was not replaced");
    }

    /** The same size and the same first bytes, other code (planted): only a hash tells, and it does. */
    @Test
    void aCachedLibraryWithOtherBytesIsReplacedNotLoaded() throws Exception {
        Map<String, String> childEnv = Kb.env(home);
        run(work, childEnv, jvm(passwdHome.toString()), "init", kb.toString()).expect(0);
        Path lib = cachedLibrary(home.resolve(".cache/kb"));
        byte[] original = Files.readAllBytes(lib);
        byte[] planted = original.clone();
        for (int i = planted.length / 2; i < planted.length / 2 + 64; i++) {
            planted[i] ^= (byte) 0x5a;
        }
        Files.write(lib, planted);

        kbIn(childEnv, "status").expect(0);
        assertArrayEquals(original, Files.readAllBytes(lib), "a library that is not the jar's was kept");
        assertNoCrashLeftovers(work, tmp);
    }

    /**
     * A cache directory that others can write (mode 777), or that belongs to someone else, is
     * never loaded from: the truncated library planted in it would crash the JVM if it were. kb
     * goes on with the next place (here the passwd entry's home) and leaves the planted file be.
     */
    @Test
    void aCacheDirectoryOthersCanWriteIsNotUsed() throws Exception {
        Map<String, String> childEnv = Kb.env(home);
        run(work, childEnv, jvm(passwdHome.toString()), "init", kb.toString()).expect(0);
        Path cache = home.resolve(".cache/kb");
        Path lib = cachedLibrary(cache);
        byte[] truncated = Arrays.copyOf(Files.readAllBytes(lib), 64 * 1024);
        Files.write(lib, truncated);
        Files.setAttribute(cache, "unix:mode", 0777);

        kbIn(childEnv, "status").expect(0);
        assertArrayEquals(truncated, Files.readAllBytes(lib), "kb wrote into a directory others can write");
        assertTrue(Files.size(cachedLibrary(passwdHome.resolve(".cache/kb"))) > truncated.length,
                "the next place holds the library: " + filesUnder(passwdHome));
        assertNoCrashLeftovers(work, tmp);

        if (((Integer) Files.getAttribute(work, "unix:uid")) == 0) { // root can give it away
            Files.setAttribute(cache, "unix:mode", 0700);
            Files.setAttribute(cache, "unix:uid", ReadOnlyKbTest.NOBODY);
            kbIn(childEnv, "status").expect(0);
            assertArrayEquals(truncated, Files.readAllBytes(lib), "kb used a directory of another user");
        }
    }

    /**
     * An empty HOME, a relative XDG_CACHE_HOME and a user.home of "?" (Java's word for a uid
     * without a passwd entry) each put the cache under the working directory. Now: the next
     * absolute place, and nothing new in the working directory.
     */
    @Test
    void theCacheNeverLandsInTheWorkingDirectory() throws Exception {
        init();
        List<String> before = filesUnder(work);

        Map<String, String> emptyHome = Kb.env(home, "HOME", "");
        kbIn(emptyHome, "status").expect(0);
        assertEquals(before, filesUnder(work), "HOME= wrote into the working directory");
        assertTrue(Files.isRegularFile(cachedLibrary(passwdHome.resolve(".cache/kb"))), filesUnder(passwdHome).toString());

        Map<String, String> relativeXdg = Kb.env(home, "XDG_CACHE_HOME", "relcache");
        kbIn(relativeXdg, "status").expect(0);
        assertEquals(before, filesUnder(work), "a relative XDG_CACHE_HOME wrote into the working directory");
        assertTrue(Files.isRegularFile(cachedLibrary(home.resolve(".cache/kb"))), filesUnder(home).toString());

        Map<String, String> noHome = new HashMap<>(Kb.env(home));
        noHome.remove("HOME");
        run(work, noHome, jvm("?"), withKb("status")).expect(0);
        assertEquals(before, filesUnder(work), "user.home=? wrote into the working directory");
        long uid = (Integer) Files.getAttribute(work, "unix:uid");
        assertTrue(Files.isRegularFile(cachedLibrary(sysTmp.resolve("kb-" + uid))), filesUnder(sysTmp).toString());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(sysTmp.resolve("kb-" + uid))));
    }

    /** {@code docker run --user 12345}: a uid with no passwd entry and no HOME, as a real process. */
    @Test
    void aUserWithoutAPasswdEntryGetsAPrivateCacheInTmp() throws Exception {
        int uid = 12345;
        assumeTrue(ReadOnlyKbTest.succeeds("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "true"),
                "CacheDirTest skipped: cannot run a process as uid " + uid + " (setpriv)");
        assumeTrue(!ReadOnlyKbTest.succeeds("getent", "passwd", String.valueOf(uid)), "uid " + uid + " has a passwd entry");
        for (Path p = work; p != null && !p.equals(tmp.getParent()); p = p.getParent()) {
            Files.setAttribute(p, "unix:mode", 0755);
        }
        Files.setAttribute(work, "unix:uid", uid); // the working directory is theirs, so kb could write there
        Map<String, String> childEnv = new HashMap<>(Kb.env(home));
        childEnv.remove("HOME");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        cmd.addAll(Kb.javaCommand());
        cmd.addAll(List.of("-Djava.io.tmpdir=" + sysTmp, "-jar", Kb.jar().toString()));
        List<String> init = new ArrayList<>(cmd);
        init.addAll(List.of("init", "newkb"));
        Kb.startRaw(init, work, childEnv).await().expect(0);
        List<String> status = new ArrayList<>(cmd);
        status.addAll(List.of("--kb", "newkb", "status"));
        Kb.startRaw(status, work, childEnv).await().expect(0);
        assertEquals(List.of("newkb"), filesUnder(work).stream().filter(f -> !f.startsWith("newkb/")).toList(),
                "only the KB is new in the working directory");
        Path cache = sysTmp.resolve("kb-" + uid);
        assertEquals(uid, (Integer) Files.getAttribute(cache, "unix:uid"));
        assertTrue(Files.isRegularFile(cachedLibrary(cache)), filesUnder(sysTmp).toString());
    }

    /**
     * PDFBox keeps a font cache at {@code <user.home>/.pdfbox.cache} when it maps a font the PDF
     * does not embed: outside the KB, and in the passwd entry's home whatever HOME says. It goes
     * into kb's cache directory; nothing else is written anywhere.
     */
    @Test
    void aPdfAddWritesNothingOutsideTheKbAndTheCache() throws Exception {
        Map<String, String> childEnv = Kb.env(home);
        run(work, childEnv, jvm(passwdHome.toString()), "init", kb.toString()).expect(0);
        file("doc.pdf", pdfWithAFontItDoesNotEmbed("Fonts are looked up on this system"));
        List<String> workBefore = filesUnder(work);

        Kb.Result add = kbIn(childEnv, "add", "--json", "doc.pdf").expect(0);
        JsonNode ev = add.events().get(0);
        assertEquals("added", ev.get("status").asText(), add.out());
        assertTrue(read(kb.resolve("wiki/sources/doc.md")).contains("Fonts are looked up on this system"));

        assertEquals(List.of(), filesUnder(passwdHome), "written into the passwd entry's home");
        assertEquals(List.of(), filesUnder(sysTmp), "written into the temporary directory");
        assertEquals(workBefore, filesUnder(work), "written into the working directory");
        List<String> inHome = filesUnder(home);
        assertTrue(inHome.stream().allMatch(f -> f.equals(".cache") || f.startsWith(".cache/kb")), inHome.toString());
        assertTrue(inHome.contains(".cache/kb/.pdfbox.cache"), "PDFBox's font cache is in kb's: " + inHome);
    }

    /**
     * SQLite opens its temporary files in {@code SQLITE_TMPDIR} (else {@code TMPDIR}, else
     * {@code /var/tmp}) and unlinks them at once, so no listing ever shows them: an add of a few
     * thousand files spilled each statement's undo record there, 55,000 writes outside the KB for
     * the corpus. Watched with inotify, which sees a file however briefly it lived; the test's own
     * marker file, created after kb has exited, is the last event, so every earlier one has arrived.
     */
    @Test
    void sqliteWritesNoTemporaryFileOutsideTheKb() throws Exception {
        Path sqliteTmp = Files.createDirectories(tmp.resolve("sqlite-tmp"));
        Map<String, String> childEnv = Kb.env(home, "SQLITE_TMPDIR", sqliteTmp.toString(), "TMPDIR", sqliteTmp.toString());
        run(work, childEnv, jvm(passwdHome.toString()), "init", kb.toString()).expect(0);
        // 3,000 notes: as measured, the first spill comes past ~2,000 rows in one KB (1,000 made none)
        for (int i = 0; i < 3000; i++) {
            file("notes/n" + i + ".md", "# Note " + i + "\n\nbody " + i + "\n");
        }
        List<String> created = new ArrayList<>();
        try (java.nio.file.WatchService watch = sqliteTmp.getFileSystem().newWatchService()) {
            sqliteTmp.register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            Kb.Result add = kbIn(childEnv, "add", "notes").expect(0);
            assertTrue(add.err().contains("3000 added"), add.err());
            Files.createFile(sqliteTmp.resolve("marker"));
            boolean marked = false;
            while (!marked) {
                java.nio.file.WatchKey key = watch.take();
                for (java.nio.file.WatchEvent<?> e : key.pollEvents()) {
                    String name = String.valueOf(e.context());
                    if (name.equals("marker")) {
                        marked = true;
                    } else {
                        created.add(name); // OVERFLOW included: events were lost, so it fails too
                    }
                }
                key.reset();
            }
        }
        assertEquals(List.of(), created, "files created in SQLITE_TMPDIR during the add");
    }

    /** One page of text in a TrueType font named but not embedded, so PDFBox maps it to a system font. */
    static byte[] pdfWithAFontItDoesNotEmbed(String text) {
        String content = "BT /F1 18 Tf 72 720 Td (" + text + ") Tj ET";
        String[] objects = {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    + "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream",
            "<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 32 /LastChar 126 /Widths ["
                    + " 500".repeat(95) + "] /FontDescriptor 6 0 R >>",
            "<< /Type /FontDescriptor /FontName /Arial /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
                    + "/Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>",
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder xref = new StringBuilder("xref\n0 " + (objects.length + 1) + "\n0000000000 65535 f \n");
        out.writeBytes("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < objects.length; i++) {
            xref.append(String.format("%010d 00000 n \n", out.size()));
            out.writeBytes(((i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n").getBytes(StandardCharsets.US_ASCII));
        }
        int start = out.size();
        out.writeBytes((xref + "trailer\n<< /Size " + (objects.length + 1) + " /Root 1 0 R >>\nstartxref\n" + start
                + "\n%%EOF\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
