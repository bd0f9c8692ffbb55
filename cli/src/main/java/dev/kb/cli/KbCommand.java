package dev.kb.cli;

import dev.kb.core.Version;
import dev.kb.core.kb.KnowledgeBase;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

// scope = INHERIT copies --help, --version and the version provider to every subcommand, so a
// new subcommand cannot forget them (the contract promises both on every level).
@Command(name = "kb", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = KbCommand.VersionProvider.class,
        description = "Ingest documents into a crash-safe knowledge base.")
public final class KbCommand implements Runnable {
    /**
     * The subcommands, in the order help lists them. Main builds only what a command line uses
     * ({@link #commandNamed}): picocli reads each command's annotations when it is added, and
     * building all of them cost every {@code kb status} tens of milliseconds for models it never
     * used. Root help and the usage errors that list the commands need only each one's name and
     * summary, which {@link #stub} gives without reading an annotation.
     */
    static final Map<String, Subcommand> COMMANDS = commands();

    /** A subcommand: how to make its full model, and the first line of its help. */
    record Subcommand(Class<?> type, Supplier<Object> model, String summary) {
        /** What the root's command list shows of it, and nothing more. */
        picocli.CommandLine.Model.CommandSpec stub(String name) {
            picocli.CommandLine.Model.CommandSpec spec = picocli.CommandLine.Model.CommandSpec.create().name(name);
            spec.usageMessage().description(summary);
            return spec;
        }
    }

    private static Map<String, Subcommand> commands() {
        Map<String, Subcommand> m = new LinkedHashMap<>();
        m.put("init", new Subcommand(InitCommand.class, InitCommand::new, InitCommand.SUMMARY));
        m.put("add", new Subcommand(AddCommand.class, AddCommand::new, AddCommand.SUMMARY));
        m.put("import", new Subcommand(ImportCommand.class, ImportCommand::new, ImportCommand.SUMMARY));
        m.put("remove", new Subcommand(RemoveCommand.class, RemoveCommand::new, RemoveCommand.SUMMARY));
        m.put("list", new Subcommand(ListCommand.class, ListCommand::new, ListCommand.SUMMARY));
        m.put("show", new Subcommand(ShowCommand.class, ShowCommand::new, ShowCommand.SUMMARY));
        m.put("recover", new Subcommand(RecoverCommand.class, RecoverCommand::new, RecoverCommand.SUMMARY));
        m.put("status", new Subcommand(StatusCommand.class, StatusCommand::new, StatusCommand.SUMMARY));
        m.put("cache", new Subcommand(CacheCommand.class, CacheCommand::new, CacheCommand.SUMMARY));
        m.put("completion", new Subcommand(CompletionCommand.class, CompletionCommand::new, CompletionCommand.SUMMARY));
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The subcommand {@code args} run, when only that one needs a model: the first word that is
     * not a root option or the value of {@code --kb}. Empty when the line names none (root help,
     * a missing or unknown command: their messages list every command) or names
     * {@code completion}, whose script is generated from the whole model.
     */
    static java.util.Optional<String> commandNamed(String[] args) {
        return commandWord(args).filter(w -> COMMANDS.containsKey(w) && !w.equals("completion"));
    }

    /** Whether the line runs {@code completion}, the one command that needs every full model. */
    static boolean completes(String[] args) {
        return commandWord(args).filter(w -> w.equals("completion")).isPresent();
    }

    private static java.util.Optional<String> commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--kb")) {
                i++;
            } else if (a.equals("--")) {
                return java.util.Optional.empty();
            } else if (!a.startsWith("-")) {
                return java.util.Optional.of(a);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The root's help footer. Main sets it once the subcommands are built: in {@code @Command} it
     * would be inherited too, and 'kb status --help' would promise an exit 75 it never gives.
     */
    static final String[] FOOTER = {"", "Exit codes: 0 ok, 1 an input failed, 2 usage error, 3 knowledge base "
            + "unusable, 70 internal error (a bug in kb), 75 busy (another writer holds the lock), 130 and 143 "
            + "interrupted by Ctrl-C or SIGTERM (after the group being committed)."};

    @Option(names = "--kb", paramLabel = "DIR", scope = ScopeType.INHERIT,
            // Java's line breaking allows a break after the dot of ".kb/": picocli printed "contains ."
            // and "kb/)" on the next line. Worded so that the 80 columns of the help end elsewhere
            // (UsageTest checks every command's help for a word cut after its leading dot).
            description = "Knowledge base directory (default: $KB_DIR, else the nearest directory with a .kb/ "
                    + "folder, at or above the working directory).")
    Path kbDir;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces with errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    final Map<String, String> env;
    final Path cwd;

    KbCommand(Map<String, String> env, Path cwd) {
        this.env = env;
        this.cwd = cwd;
    }

    boolean verbose() {
        return verbose;
    }

    /** The KB the contract's discovery rules select. */
    KnowledgeBase knowledgeBase() {
        return KnowledgeBase.discover(kbDir == null ? null : cwd.resolve(kbDir), env.get("KB_DIR"), cwd);
    }

    @Override
    public void run() {
        picocli.CommandLine cl = spec.commandLine();
        throw new picocli.CommandLine.ParameterException(cl, "missing command (commands: " + commandList(cl) + ")");
    }

    /** "init, add, …": the commands a one-line usage error names. */
    static String commandList(picocli.CommandLine cl) {
        return String.join(", ", cl.getSubcommands().keySet());
    }

    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kb " + Version.get()};
        }
    }
}
