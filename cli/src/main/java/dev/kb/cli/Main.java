package dev.kb.cli;

import dev.kb.core.KbException;
import dev.kb.core.fs.CacheDirectory;
import dev.kb.core.fs.Hashing;
import dev.kb.core.fs.RuntimeSetup;
import dev.kb.core.input.Inputs;
import dev.kb.core.registry.SqliteNative;
import dev.kb.core.registry.SqliteRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/** Entry point: {@code System.exit(run(args))}; tests call {@link #run} with their own streams. */
public final class Main {
    private Main() {
    }

    /**
     * Whether the line ran without picocli and started no thread: a lone --version or --help, or
     * the polled status ({@link PolledStatus}).
     */
    private static boolean threadless;

    public static void main(String[] args) {
        int code = run(args, Stdout.open(), new PrintWriter(System.err, true), System.getenv(),
                Path.of("").toAbsolutePath());
        if (code == ExitCodes.OK && threadless) {
            // returning ends the JVM with 0 as System.exit would (shutdown hooks included), but
            // not through Runtime.exit, which since JDK 21 asks System.Logger whether to log the
            // call: that starts java.util.logging, 18 ms of a 100 ms 'kb status' on JDK 25
            return;
        }
        System.exit(code);
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd) {
        QuietLogging.install();
        RuntimeSetup.register(() -> prepareRuntime(env));
        int code;
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // what picocli prints for the root's --version (every subcommand's still goes through
            // it), without the ~40 ms its annotation model costs a script asking for the version
            for (String line : new KbCommand.VersionProvider().getVersion()) {
                out.println(line);
            }
            code = ExitCodes.OK;
            threadless = true;
        } else if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))
                && RootHelp.print(out)) {
            code = ExitCodes.OK;
            threadless = true;
        } else {
            Integer polled = PolledStatus.run(args, out, err, env, cwd);
            threadless = polled != null;
            code = polled != null ? polled : execute(args, out, err, env, cwd);
        }
        out.flush();
        if (out.checkError()) {
            code = outputFailed(code, out instanceof Stdout s ? s.failure() : null, err);
        }
        err.flush();
        return code;
    }

    /** The command line through picocli, as every command but a lone --version or --help runs. */
    static int execute(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd) {
        CommandLine cl = commandLine(args, out, err, env, cwd);
        return cl.execute(args);
    }

    /** The picocli model for {@code args}: only the command they name, the others as stubs. */
    static CommandLine commandLine(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
                                   Path cwd) {
        java.util.Optional<String> only = KbCommand.commandNamed(args);
        boolean every = KbCommand.completes(args);
        if (only.isPresent() && !only.get().equals("status")) {
            warmUpRegistry();
        }
        // a command that hashes its inputs: the JCA's providers, set up on the first
        // MessageDigest (~10 ms), are set up here while the main thread builds the model
        boolean hashes = only.isPresent() && (only.get().equals("add") || only.get().equals("import"));
        ModelWarmup.start(hashes ? Hashing::sha256 : () -> { }, KbCommand.COMMANDS.entrySet().stream()
                .filter(e -> every || only.isPresent() && only.get().equals(e.getKey()))
                .map(e -> e.getValue().type()).toArray(Class<?>[]::new));
        excludeUnusedConverters();
        KbCommand root = new KbCommand(env, cwd);
        CommandLine cl = new CommandLine(root);
        KbCommand.COMMANDS.forEach((name, sub) -> {
            if (every || only.isEmpty()) {
                cl.addSubcommand(name, every ? sub.model().get() : sub.stub(name));
            } else if (only.get().equals(name)) {
                cl.addSubcommand(name, sub.model().get());
            }
        });
        cl.getCommandSpec().usageMessage().footer(KbCommand.FOOTER);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        boolean json = wantsJson(args);
        cl.setParameterExceptionHandler((ex, a) -> jsonError(json, out, usageError(ex), usageMessage(ex)));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> jsonError(json, out,
                failure(ex, cmd.getErr(), root.verbose()), message(ex)));
        return cl;
    }

    /**
     * Picocli registers a converter for every java.time and java.sql type on each command line it
     * builds, and {@code Class.forName} initialises each: MonthDay, Year and YearMonth build their
     * formatters, and java.sql comes along (about 14 ms of a one-file add). No kb option has such a
     * type without a converter of its own (Durations have {@link OptionConverters.DurationConverter};
     * {@code OptionTypesTest} checks every command), so they are left out, unless the user set
     * the property.
     */
    static void excludeUnusedConverters() {
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(time|sql)\\..*");
        }
    }

    /**
     * Every named command opens the registry. Loading sqlite-jdbc (its classes, its date formats'
     * locale data, its native library: ~50 ms) on a second thread while this one builds the
     * command's picocli model (another ~50 ms) takes that off a {@code kb status} a script polls,
     * on any machine with a core to spare. It only loads: the command's own connection reports
     * any failure, and a daemon thread never holds the exit.
     */
    private static void warmUpRegistry() {
        Thread t = new Thread(SqliteRegistry::warmUp, "kb-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The command ran, but what it printed on stdout was lost ({@code > /dev/full}, a disk that
     * filled up): one line, and exit 1 if the command had otherwise succeeded, since a script
     * reading that output would find nothing. Its work stands: the commits were made before their
     * report. A reader that closed the pipe early is not a failure and keeps the command's code.
     */
    static int outputFailed(int code, java.io.IOException cause, PrintWriter err) {
        if (Stdout.readerGone(cause)) {
            return code;
        }
        err.println("kb: cannot write to standard output: " + (cause == null ? "write error" : KbException.reason(cause))
                + " (what the command did stands; its output is lost)");
        return code == ExitCodes.OK ? ExitCodes.OUTPUT_LOST : code;
    }

    /** Whether {@code --json} is among the options (before a {@code --} that ends them). */
    static boolean wantsJson(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Under {@code --json}, a command that fails as a whole also says so on stdout, as the
     * contract's {@code {"error":{"code":N,"message":"…"}}}: a script reading stdout alone would
     * otherwise see nothing at all and have to guess from the exit code.
     */
    static int jsonError(boolean json, PrintWriter out, int code, String message) {
        if (json) {
            JsonLine n = new JsonLine();
            JsonLine e = n.putObject("error");
            e.put("code", code);
            e.put("message", message == null ? "" : message.replaceAll("\\s+", " ").trim());
            out.println(n);
            out.flush();
        }
        return code;
    }

    static String message(Exception ex) {
        return ex instanceof KbException ? ex.getMessage() : "internal error: " + ex;
    }

    /** One line naming the problem and where to look, then exit 2: never a wall of usage text. */
    private static int usageError(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        // the message may quote an argument: one line even when that holds a newline
        err.println(Inputs.printable("kb: " + usageMessage(ex) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')"));
        return ExitCodes.USAGE;
    }

    /**
     * Picocli's message, except for a word where a command was expected: picocli calls that an
     * "Unmatched argument at index 0", which does not tell a user that the command is unknown.
     */
    static String usageMessage(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            return "unknown command '" + u.getUnmatched().get(0) + "' (commands: " + KbCommand.commandList(cmd) + ")";
        }
        return ex.getMessage();
    }

    static int failure(Exception ex, PrintWriter err, boolean verbose) {
        if (ex instanceof KbException ke) {
            err.println(Inputs.printable("kb: " + ke.getMessage())); // names the input, as given
            if (verbose) {
                ke.printStackTrace(err);
            }
            return ExitCodes.of(ke.kind());
        }
        if (ex instanceof java.nio.file.InvalidPathException bad) {
            // Java names files in the locale's character set, which is ASCII in the C locale
            // (cron, containers); the launcher picks C.UTF-8 there, a bare `java -jar` does not.
            err.println("kb: cannot use the file name " + bad.getInput() + ": " + bad.getReason()
                    + " in this locale's character set (" + System.getProperty("sun.jnu.encoding")
                    + "); run kb under a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
            if (verbose) {
                ex.printStackTrace(err);
            }
            return ExitCodes.USAGE;
        }
        // a bug, not a user error: say so plainly, with the trace only on request
        err.println(Inputs.printable("kb: internal error: " + ex
                + (verbose ? "" : " (run with --verbose for details)")));
        if (verbose) {
            ex.printStackTrace(err);
        }
        return ExitCodes.INTERNAL;
    }

    /**
     * Run by {@link RuntimeSetup#ensure} before the first SQLite connection or PDF, not at start.
     * Keeps every file kb writes inside the KB or its cache directory ({@link CacheDirectory}: an
     * absolute, private place, never the working directory). sqlite-jdbc's native library is
     * unpacked there once and verified before every load (it would otherwise go to /tmp, anew on
     * every start); PDFBox's font cache goes there too (it would otherwise be
     * {@code <user.home>/.pdfbox.cache}, the passwd entry's home, whatever HOME says). Libraries
     * that log through java.util.logging stay quiet by {@link QuietLogging}, set up before this.
     */
    static void prepareRuntime(Map<String, String> env) {
        boolean sqlite = System.getProperty("org.sqlite.tmpdir") == null;
        boolean pdfbox = System.getProperty("pdfbox.fontcache") == null;
        if (sqlite || pdfbox) {
            CacheDirectory.choose(env).ifPresent(choice -> {
                Path cache = choice.dir();
                if (choice.temporary()) {
                    removeAtExit(cache);
                }
                if (pdfbox) {
                    System.setProperty("pdfbox.fontcache", cache.toString());
                }
                if (sqlite) {
                    System.setProperty("org.sqlite.tmpdir", cache.toString());
                    SqliteNative.useCachedCopy(cache);
                }
            });
        }
    }

    /** A cache made for this run only (no private place was found) goes with it. */
    private static void removeAtExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException | RuntimeException e) {
                // a temporary directory: the system's clean-up of its temporary files has it
            }
        }, "kb-cache-cleanup"));
    }
}
