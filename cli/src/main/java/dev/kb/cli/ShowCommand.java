package dev.kb.cli;

import dev.kb.core.KbException;
import dev.kb.core.app.Listing;
import dev.kb.core.fetch.UrlFetcher;
import dev.kb.core.input.Inputs;
import dev.kb.core.store.DocumentRow;
import dev.kb.core.text.Sizes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "show",
        description = ShowCommand.SUMMARY)
final class ShowCommand implements Callable<Integer> {
    /** The first line of its help, which the root's command list shows too. */
    static final String SUMMARY = "Show one document's registry row and its files (by name, or by the source it came from).";

    @ParentCommand
    KbCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object on stdout.")
    boolean json;

    @Parameters(paramLabel = "DOC", description = "A document name, or the source it came from.")
    String doc;

    @Override
    public Integer call() {
        Listing.Shown shown = Listing.show(root.knowledgeBase(), doc, root.cwd).orElseThrow(() ->
                KbException.inputFailed(UrlFetcher.shown(doc) // a password is never echoed back
                        + ": not in the knowledge base (no document of that name or source)"));
        PrintWriter out = spec.commandLine().getOut();
        DocumentRow r = shown.row();
        if (json) {
            JsonLine n = ListCommand.object(r);
            n.put("raw_path", r.rawPath());
            n.put("source_path", r.sourcePath());
            List<Object> files = new ArrayList<>();
            for (Listing.File f : shown.files()) {
                JsonLine o = Output.object();
                o.put("path", f.path());
                o.put("role", f.role());
                o.put("size", f.missing() ? null : f.size());
                o.put("exists", !f.missing());
                files.add(o);
            }
            n.put("files", files);
            out.println(n);
        } else {
            row(out, "doc", r.docName());
            row(out, "title", r.title());
            row(out, "type", r.type());
            row(out, "source", r.sourceUri());
            row(out, "sha256", r.sha256());
            row(out, "size", Sizes.format(r.size()));
            row(out, "added", r.addedAt());
            row(out, "updated", r.updatedAt());
            if (r.etag() != null || r.lastModified() != null) {
                row(out, "validators", (r.etag() == null ? "" : "ETag " + r.etag())
                        + (r.etag() != null && r.lastModified() != null ? ", " : "")
                        + (r.lastModified() == null ? "" : "Last-Modified " + r.lastModified()));
            }
            out.println("files:");
            for (Listing.File f : shown.files()) {
                out.println(Inputs.printable("  " + f.path() + "  (" + f.role() + ", "
                        + (f.missing() ? "MISSING" : Sizes.format(f.size())) + ")"));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void row(PrintWriter out, String key, String value) {
        out.println(Inputs.printable(String.format("%-11s%s", key + ":", value == null ? "" : value)));
    }
}
