package dev.kb.cli;

import dev.kb.core.app.Listing;
import dev.kb.core.input.Inputs;
import dev.kb.core.store.DocumentRow;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list",
        description = {ListCommand.SUMMARY,
                "Never waits for a running writer."})
final class ListCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "List the documents in name order, one line each: name, type, title, source (tab-separated).";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per document on stdout.")
    boolean json;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Only documents of this type: markdown, text, html, pdf, pageindex-cloud.")
    String type;

    @Override
    public Integer call() {
        // buffered: the command line's writer flushes on every line, one write call per document
        PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16));
        Listing.forEach(root.knowledgeBase(), type, row -> out.println(json ? object(row) : line(row)));
        out.flush();
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** The contract's object for one document (also the start of {@code kb show --json}). */
    static JsonLine object(DocumentRow r) {
        JsonLine n = Output.object();
        n.put("doc", r.docName());
        n.put("type", r.type());
        n.put("title", r.title());
        n.put("source_uri", r.sourceUri());
        n.put("sha256", r.sha256());
        n.put("size", r.size());
        n.put("added_at", r.addedAt());
        n.put("updated_at", r.updatedAt());
        return n;
    }

    /** Tab-separated, each field on one line: a title or source may hold a tab or a newline. */
    private static String line(DocumentRow r) {
        return String.join("\t", field(r.docName()), field(r.type()), field(r.title()), field(r.sourceUri()));
    }

    private static String field(String s) {
        return s == null ? "" : Inputs.printable(s).replace("\t", "\\t");
    }
}
