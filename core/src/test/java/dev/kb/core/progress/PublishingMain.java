package dev.kb.core.progress;

import dev.kb.core.kb.KnowledgeBase;
import java.nio.file.Path;

/**
 * A running batch in another process, as far as {@code kb status} can see one: the production
 * {@link ProgressPublisher} for the KB at {@code args[0]}, with 3 inputs of which 1 is done. Prints
 * {@code published <file>} once its file is there; when its stdin closes it halts as if killed (no
 * cleanup), unless {@code args[1]} is {@code close}: then it ends its batch first. With
 * {@code forever} it does not read stdin (a shell's background job has none) and runs until killed.
 */
public final class PublishingMain {
    private PublishingMain() {
    }

    public static void main(String[] args) throws Exception {
        BatchProgress progress = new BatchProgress("kb add");
        progress.inputs(3);
        progress.finished(dev.kb.core.input.Outcome.Status.ADDED);
        progress.working("http://example.com/b.md");
        ProgressPublisher p = ProgressPublisher.start(KnowledgeBase.open(Path.of(args[0])), progress,
                w -> System.err.println("warning: " + w));
        System.out.println("published " + p.file());
        System.out.flush();
        while (args.length > 1 && args[1].equals("forever")) {
            Thread.sleep(1000);
        }
        while (System.in.read() != -1) {
            // a batch at work, until the test closes our stdin
        }
        if (args.length > 1 && args[1].equals("close")) {
            p.close();
        }
        Runtime.getRuntime().halt(0);
    }
}
