package dev.kb.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The class-data archive the build makes beside the jar (cli/pom.xml, ArchiveTraining): the
 * launcher gives it to the JVM that made it, and only to that one, and whatever the JVM thinks of
 * it, stdout carries kb's output alone (its CDS warnings would break {@code --json}).
 */
class ClassDataArchiveTest extends E2EBase {

    private static Path cliDir() {
        return Kb.jar().getParent().getParent();
    }

    private Map<String, String> launcherEnv(String... extra) {
        Map<String, String> e = Kb.env(home, extra);
        String java = Path.of(System.getProperty("java.home"), "bin").toString();
        e.put("PATH", java + ":" + e.getOrDefault("PATH", ""));
        return e;
    }

    private Kb.Result launch(Path launcher, Map<String, String> env, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return Kb.startRaw(cmd, work, env).await();
    }

    /** A copy of cli/kb with the built jar under target/, and the given kb-archive description. */
    private Path launcherCopy(String archiveFile) throws IOException {
        Path cli = Files.createTempDirectory(tmp, "cli");
        Path target = Files.createDirectories(cli.resolve("target"));
        Files.copy(cliDir().resolve("kb"), cli.resolve("kb"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(target.resolve("kb.jar"), Kb.jar().toAbsolutePath());
        if (archiveFile != null) {
            Files.writeString(target.resolve("kb-archive"), archiveFile, StandardCharsets.UTF_8);
        }
        return cli.resolve("kb");
    }

    @Test
    void theBuildMadeAnArchiveThatTheLauncherUsesWithCleanOutput() throws IOException {
        Path described = cliDir().resolve("target").resolve("kb-archive");
        assertTrue(Files.isRegularFile(described), "the build made no " + described);
        List<String> lines = Files.readAllLines(described, StandardCharsets.UTF_8);
        assertEquals(System.getProperty("java.home"), lines.get(0), "the archive was made by another JVM");

        kb("init").expect(0);
        // the JVM logs every class it loads to a file: those from the archive say so
        Path log = tmp.resolve("classes.log");
        Kb.Result r = launch(cliDir().resolve("kb"), launcherEnv("KB_JAVA_OPTS", "-XX:+UseSerialGC "
                + "-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xlog:class+load=info:file=" + log), "status", "--json",
                "--kb", kb.toString()).expect(0);
        assertEquals(1, r.out().lines().count(), "stdout: " + r.out());
        assertTrue(r.out().startsWith("{\"kb\":"), r.out());
        String loaded = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(loaded.contains("dev.kb.cli.StatusCommand source: shared objects file (top)")
                        || loaded.contains("dev.kb.cli.StatusCommand source: shared objects file"),
                "kb's classes did not come from the archive:\n" + loaded.lines().filter(l -> l.contains("dev.kb"))
                        .limit(5).toList());
        // and none from the jar or the JDK's modules, where each is read, parsed and verified anew
        // on every start (slf4j 1.7's Java 5 classes were so, refused by the archive): events the
        // JDK defines on first use (a process started, a provider loaded) are the only exception
        // JDK 25's AOT cache does not keep three of java.base's classes: even a cache trained by
        // this very command line has the runtime image load them (checked by hand, JDK 25.0.3)
        List<String> notKept = Runtime.version().feature() >= 25 ? List.of(" java.io.RandomAccessFile$1 ",
                " java.lang.invoke.DirectMethodHandle$1 ", " java.util.jar.JarVerifier ") : List.of();
        List<String> outside = loaded.lines()
                .filter(l -> l.contains(" source: file:") || l.contains(" source: jrt:"))
                .filter(l -> !l.contains(" jdk.internal.event."))
                .filter(l -> notKept.stream().noneMatch(l::contains)).toList();
        assertEquals(List.of(), outside, "classes a polled status loads from outside the archive");
    }

    /** The archive file the JVM mapped for {@code args}, as its class-data log names it. */
    private String archiveMapped(String... args) throws IOException {
        Path log = Files.createTempFile(tmp, "cds", ".log");
        List<String> line = new java.util.ArrayList<>(List.of("--kb", kb.toString()));
        line.addAll(List.of(args));
        launch(cliDir().resolve("kb"), launcherEnv("KB_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
                + "-XX:-UsePerfData -Xlog:" + (Runtime.version().feature() >= 25 ? "aot" : "cds") + "=info:file=" + log), line.toArray(String[]::new));
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("Opened ") && !l.contains(System.getProperty("java.home")))
                .map(l -> l.replaceAll(".*Opened (AOT cache|archive) ", "").replaceAll("\\.$", ""))
                .findFirst().orElse("none");
    }

    /**
     * The build made two archives; the launcher gives the one of what a status loads to a line
     * whose command word is status (JDK 25's AOT cache loads all it holds at start), the whole
     * one to the others.
     */
    @Test
    void aStatusGetsTheStatusArchiveAndEveryOtherCommandTheWholeOne() throws IOException {
        List<String> lines = Files.readAllLines(cliDir().resolve("target").resolve("kb-archive"), StandardCharsets.UTF_8);
        assertEquals(5, lines.size(), "the build described both archives: " + lines);
        String whole = lines.get(2).split(" ", 2)[1];
        String status = lines.get(4).split(" ", 2)[1];
        assertNotEquals(whole, status);
        kb("init").expect(0);
        assertEquals(status, archiveMapped("status"));
        assertEquals(status, archiveMapped("-v", "status", "--json"));
        assertEquals(whole, archiveMapped("list"));
        assertEquals(whole, archiveMapped("show", "status")); // a word after the command is no command
    }

    /** Line 3 of a description: the size and path of {@code file}, as the build writes it. */
    private static String sizeLine(Path file) throws IOException {
        return Files.size(file) + " " + file.toAbsolutePath() + "\n";
    }

    @Test
    void anArchiveMadeByAnotherJavaIsNotGivenToThisOne() throws IOException {
        Path some = Files.write(tmp.resolve("some.jsa"), new byte[] {1, 2, 3});
        // an option no JVM knows: passed on, java would refuse to start
        Path other = launcherCopy("/nonexistent/java/home\n-XX:+NoSuchOptionAnywhere\n" + sizeLine(some));
        // (a command's help: a lone --help runs without any archive)
        Kb.Result r = launch(other, launcherEnv(), "status", "--help").expect(0);
        assertTrue(r.out().startsWith("Usage: kb status"), r.out());
        assertEquals("", r.err());

        // the same description naming this JVM is passed on: the check above is what kept it out
        Path same = launcherCopy(System.getProperty("java.home") + "\n-XX:+NoSuchOptionAnywhere\n" + sizeLine(some));
        assertNotEquals(0, launch(same, launcherEnv(), "status", "--help").code());
    }

    @Test
    void anArchiveCutShortSinceTheBuildIsNotGivenToTheJvm() throws IOException {
        // the JVM maps an archive before checking it: cut short, it dies of SIGBUS, with its crash
        // report on stdout; the launcher leaves out an archive written to since it was described
        Path real = cliDir().resolve("target").resolve("kb-archive");
        List<String> lines = Files.readAllLines(real, StandardCharsets.UTF_8);
        Path built = Path.of(lines.get(2).split(" ", 2)[1]);
        Path cut = tmp.resolve("cut.jsa");
        String options = lines.get(1).replaceAll("=\\S*kb\\.(jsa|aot)", "=" + cut);
        Path copy = launcherCopy(lines.get(0) + "\n" + options + "\n" + Files.size(built) + " " + cut + "\n");
        // described by a build an hour ago, cut short (written) since
        Files.setLastModifiedTime(copy.resolveSibling("target").resolve("kb-archive"),
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
        try (var in = Files.newInputStream(built)) {
            Files.write(cut, in.readNBytes((int) Math.min(1_000_000, Files.size(built) / 2)));
        }
        kb("init").expect(0);
        Kb.Result r = launch(copy, launcherEnv(), "status", "--json", "--kb", kb.toString()).expect(0);
        assertEquals(1, r.out().lines().count(), "stdout: " + r.out());
        assertTrue(r.out().startsWith("{\"kb\":"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void aLoneVersionOrHelpRunsWithoutTheArchive() throws IOException {
        // they load too few classes to repay mapping one: the launcher leaves it out (the option
        // it names would stop the JVM, so a zero exit shows it was left out)
        Path some = Files.write(tmp.resolve("some.jsa"), new byte[] {1, 2, 3});
        Path same = launcherCopy(System.getProperty("java.home") + "\n-XX:+NoSuchOptionAnywhere\n" + sizeLine(some));
        Kb.Result r = launch(same, launcherEnv(), "--version").expect(0);
        assertTrue(r.out().startsWith("kb "), r.out());
        assertEquals(0, launch(same, launcherEnv(), "-V").code());
        Kb.Result help = launch(same, launcherEnv(), "--help").expect(0);
        assertTrue(help.out().startsWith("Usage: kb "), help.out());
        assertEquals(0, launch(same, launcherEnv(), "-h").code());
        assertNotEquals(0, launch(same, launcherEnv(), "status", "--version").code());
        assertNotEquals(0, launch(same, launcherEnv(), "status", "--help").code());
    }

    @Test
    void aDamagedArchiveIsIgnoredSilently() throws IOException {
        Path junk = Files.write(tmp.resolve("kb.jsa"), new byte[] {'n', 'o', 't', ' ', 'c', 'd', 's'});
        List<String> lines = Files.readAllLines(cliDir().resolve("target").resolve("kb-archive"));
        String options = lines.get(1).replaceAll("=\\S*kb\\.(jsa|aot)", "=" + junk);
        Path copy = launcherCopy(System.getProperty("java.home") + "\n" + options + "\n" + sizeLine(junk));
        kb("init").expect(0);
        Kb.Result r = launch(copy, launcherEnv(), "status", "--json", "--kb", kb.toString()).expect(0);
        assertEquals(1, r.out().lines().count(), "stdout: " + r.out());
        assertTrue(r.out().startsWith("{\"kb\":"), r.out());
        assertEquals("", r.err());
    }

    /** A JDK other than this one, 24 or later, if the machine has one (this kind puts Temurin 25 beside 17). */
    private static java.util.Optional<Path> newerJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return java.util.Optional.empty();
        }
        Path self = Path.of(System.getProperty("java.home")).toRealPath();
        try (java.util.stream.Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")) && Files.isRegularFile(h.resolve("release")))
                    .filter(h -> {
                        try {
                            String release = Files.readString(h.resolve("release"));
                            java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)")
                                    .matcher(release);
                            return m.find() && Integer.parseInt(m.group(1)) >= 24 && !h.toRealPath().equals(self);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    @Test
    void anotherJdkRunsKbWithoutAWordOnStdoutOrStderr() throws IOException {
        java.util.Optional<Path> other = newerJava();
        org.junit.jupiter.api.Assumptions.assumeTrue(other.isPresent(), "no JDK 24 or later under /usr/lib/jvm");
        kb("init").expect(0);
        Map<String, String> e = Kb.env(home);
        e.put("PATH", other.get().resolve("bin") + ":" + e.getOrDefault("PATH", ""));
        // the archive is this JDK's: the launcher must not pass it; and JDK 24+ warns about
        // sqlite-jdbc's native library on stderr unless the jar's manifest allows native access
        Kb.Result r = launch(cliDir().resolve("kb"), e, "status", "--json", "--kb", kb.toString()).expect(0);
        assertEquals(1, r.out().lines().count(), "stdout: " + r.out());
        assertTrue(r.out().startsWith("{\"kb\":"), r.out());
        assertEquals("", r.err(), "under " + other.get());
    }
}
