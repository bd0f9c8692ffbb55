package dev.kb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind the class-data archive the build makes beside the jar (AppCDS on JDK
 * 17 to 24, the AOT cache on JDK 25 and later): the cli module's pom runs it once, at package
 * time, under {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput}, and the JVM archives
 * every class it loaded. A {@code kb status} polled every second then maps those classes instead
 * of reading, verifying and linking them from the jar on every start.
 *
 * <p>It runs the commands people run, in-process through {@link Main#run}, on a scratch KB inside
 * the build directory (its cache directory too: nothing outside {@code target/}). Then it writes
 * {@code kb-archive} (once a kb started with the archive has answered, see {@link #describe}):
 * line 1 the Java home that made the archive, line 2 the options that use it, line 3 its size
 * and path.
 * The launcher passes them only to that same JVM, since another JDK refuses the archive (and an
 * option it does not know, such as {@code -XX:AOTCache} on JDK 17, would stop it from starting).
 * The JVM itself still checks the archive against the jar and the flags, and a mismatch is
 * ignored silently: its warnings would go to stdout and break {@code --json}, hence
 * {@code -Xlog:cds*=off}.
 */
public final class ArchiveTraining {
    private ArchiveTraining() {
    }

    /** The launcher's default flags (cli/kb): the archive is checked as it will be used. */
    private static final List<String> LAUNCHER_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xms48m", "-Xmn32m");

    /**
     * {@code train TARGET ARCHIVE}: the training run, under the JVM's dump option; it leaves its
     * scratch KB for {@code train-status TARGET ARCHIVE}, the status archive's training run (in a
     * JVM of its own, so that archive holds what a status loads and nothing else); {@code describe
     * TARGET ARCHIVE STATUS_ARCHIVE}: after both, writes {@code kb-archive} for the archives that
     * work. TARGET is the build directory holding kb.jar.
     *
     * <p>Why two: JDK 25's AOT cache loads and links every class it holds as the JVM starts, so
     * a polled {@code kb status} paid for all that add, import and the converters load (a status
     * took 86 ms with the whole cache, 47 ms with one of its own). The launcher gives the status
     * archive to a line whose command is {@code status}, the whole one to every other.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path target = Path.of(args[1]).toAbsolutePath();
        Path archive = Path.of(args[2]).toAbsolutePath();
        Path work = target.resolve("archive-training");
        if (args[0].equals("describe")) {
            System.exit(describe(target, archive, Path.of(args[3]).toAbsolutePath()));
        }
        Path description = target.resolve("kb-archive");
        Files.deleteIfExists(description); // an old description must not vouch for the new archive
        if (args[0].equals("train-status")) {
            try {
                if (Files.isDirectory(work.resolve("kb"))) {
                    trainStatus(target, work);
                }
            } finally {
                delete(work);
            }
            return; // as a polled status ends (Main.main): its way out is archived too
        }
        delete(work);
        Files.createDirectories(work);
        try {
            train(work);
        } catch (IOException | RuntimeException e) {
            delete(work);
            throw e;
        }
        System.exit(0); // the archive is written as the JVM exits, whatever threads the commands left
    }

    /**
     * Describes the archives only after a kb started with each has answered: an archive cut short
     * (a full disk while it was dumped) is mapped by the JVM before any check, and it dies of
     * SIGBUS. Written last, it is newer than the archives: the launcher passes an archive only while
     * that holds (a test of bash's, no fork), so one written to later (a half-finished copy, a
     * truncation) is left out rather than crashing every command. Lines 1 to 3: the Java home, the
     * options that use the whole archive, its size and path; lines 4 and 5, when the status
     * archive works: the same two for it. The sizes are informative.
     */
    private static int describe(Path target, Path archive, Path statusArchive) throws IOException,
            InterruptedException {
        Path description = target.resolve("kb-archive");
        Files.deleteIfExists(description);
        String use = works(target, archive);
        if (use == null) {
            Files.deleteIfExists(statusArchive); // never used without the whole one
            return 0;
        }
        StringBuilder d = new StringBuilder(System.getProperty("java.home") + "\n" + use + "\n" + Files.size(archive)
                + " " + archive + "\n");
        String statusUse = works(target, statusArchive);
        if (statusUse != null) {
            d.append(statusUse).append('\n').append(Files.size(statusArchive)).append(' ').append(statusArchive)
                    .append('\n');
        }
        Files.writeString(description, d, StandardCharsets.UTF_8);
        return 0;
    }

    /** The options that use {@code archive}, once a kb started with them has answered; else null. */
    private static String works(Path target, Path archive) throws IOException, InterruptedException {
        if (!Files.isRegularFile(archive)) {
            System.out.println("no class-data archive " + archive.getFileName() + " was made: kb runs without it");
            return null;
        }
        boolean aot = Runtime.version().feature() >= 25;
        String use = (aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive + " -Xlog:cds*=off"
                + (aot ? " -Xlog:aot*=off" : "");
        List<String> check = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:+DisplayVMOutputToStderr"));
        check.addAll(List.of(use.split(" ")));
        check.addAll(LAUNCHER_FLAGS);
        check.addAll(List.of("-jar", target.resolve("kb.jar").toString(), "--version"));
        Process p = new ProcessBuilder(check).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.startsWith("kb ")) {
            System.out.println("the class-data archive " + archive + " does not work (" + out.lines().findFirst()
                    .orElse("exit " + p.exitValue()) + "): kb runs without it");
            Files.deleteIfExists(archive);
            return null;
        }
        return use;
    }

    /**
     * What a polled status loads, on the KB the whole training left (its registry settled by now):
     * served unopened, then with the summary gone (read from SQLite and rebuilt), then with a
     * KB that is not there.
     */
    private static void trainStatus(Path target, Path work) throws IOException {
        // what 'java -jar' does before main, and this run (-cp) does not: the manifest read, verified
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(target.resolve("kb.jar").toFile())) {
            jar.getManifest();
        }
        Map<String, String> env = env(work);
        String k = work.resolve("kb").toString();
        for (int i = 0; i < 2; i++) {
            run(List.of("--kb", k, "status"), env, work);
            run(List.of("--kb", k, "status", "--json"), env, work);
            Files.deleteIfExists(work.resolve("kb").resolve(".kb").resolve(dev.kb.core.kb.KnowledgeBase.SUMMARY_FILE));
        }
        run(List.of("--kb", k, "-v", "status", "--json"), env, work);
        run(List.of("--kb", work.resolve("no-kb").toString(), "status"), env, work);
        run(List.of("--kb", work.resolve("no-kb").toString(), "status", "--json"), env, work);
    }

    private static void train(Path work) throws IOException {
        Path kb = work.resolve("kb");
        Path docs = Files.createDirectories(work.resolve("docs"));
        // the data: link makes its section one that is parsed to neutralise it (ActiveLinks): without
        // one, the Markdown parser's ~190 classes were read from the jar by the first such page of
        // every bulk add (151 of the 7,425 corpus pages)
        Files.writeString(docs.resolve("note.md"), "---\ntags: [a, b]\n---\n# A note\n\nSome *text* with a "
                + "[link](https://example.org/).\n\nA [data: link](data:text/plain,x) is made inert.\n\n"
                + "- a list item with [another](data:text/plain,y)\n1. and a numbered one\n\n***\n",
                StandardCharsets.UTF_8);
        Files.writeString(docs.resolve("plain.txt"), "A plain text file.\nSecond line.\n", StandardCharsets.UTF_8);
        Files.writeString(docs.resolve("page.html"), "<!doctype html><html><head><title>A page</title></head><body>"
                + "<article><h1>A page</h1><p>Text with <a href=\"/x\">a link</a>.</p><ul><li>one</li></ul>"
                + "<table><tr><th>h</th></tr><tr><td>c</td></tr></table></article></body></html>",
                StandardCharsets.UTF_8);
        Map<String, String> env = env(work);
        String k = kb.toString();
        List<List<String>> commands = List.of(
                List.of("--version"), List.of("--help"), List.of("frobnicate"),
                List.of("init", k),
                List.of("--kb", k, "status"), List.of("--kb", k, "status", "--json"),
                List.of("--kb", k, "add", docs.toString()),
                List.of("--kb", k, "add", "--json", docs.resolve("note.md").toString()),
                List.of("--kb", k, "add", docs.resolve("missing.md").toString()),
                List.of("--kb", k, "status"), List.of("--kb", k, "status", "--json"),
                List.of("--kb", k, "list"), List.of("--kb", k, "list", "--json"),
                List.of("--kb", k, "show", "note"), List.of("--kb", k, "show", "--json", "note"),
                List.of("--kb", k, "remove", "plain"), List.of("--kb", k, "recover"),
                // a Redis cache's client (Jedis) is loaded as the SPEC is read, before it connects:
                // archived, its first connection costs a cold JVM half as much. Nothing listens on
                // port 1 of the loopback: the connect is refused at once, and the add goes on without it
                List.of("--kb", k, "add", "--cache", "redis://127.0.0.1:1", docs.resolve("page.html").toString()),
                List.of("--kb", k, "add", "--help"), List.of("--kb", k, "status", "--help"));
        for (List<String> c : commands) {
            run(c, env, work);
        }
        // the status a script polls: of a registry that has not changed for a while, served
        // without opening it (RegistryStamp); the first of these stores the stamp, the rest use it
        try {
            Thread.sleep(dev.kb.core.summary.RegistryStamp.SETTLED.toMillis() + 250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (int i = 0; i < 2; i++) {
            run(List.of("--kb", k, "status"), env, work);
            run(List.of("--kb", k, "status", "--json"), env, work);
        }
    }

    /** The environment the training's commands see: a home and a cache directory inside {@code work}. */
    private static Map<String, String> env(Path work) {
        return Map.of("HOME", work.toString(), "XDG_CACHE_HOME", work.resolve("cache").toString(),
                "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    private static void run(List<String> command, Map<String, String> env, Path work) {
        StringWriter sink = new StringWriter();
        Main.run(command.toArray(String[]::new), new PrintWriter(sink), new PrintWriter(sink), env, work);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
