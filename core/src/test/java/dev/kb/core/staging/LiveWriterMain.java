package dev.kb.core.staging;

import dev.kb.core.kb.KnowledgeBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Another kb writer, as far as recovery can see one: a process with its own staging area (the
 * production {@link StagingArea}) in the KB at {@code args[0]}, holding a staged raw file
 * ({@code args[1]}'s bytes) and a staged page. Prints {@code staged <raw> <page>} (KB-relative)
 * once they are written. When its stdin closes it halts as if killed: no cleanup, so its folder
 * stays behind with an owner file nobody locks, like any crashed writer's.
 */
public final class LiveWriterMain {
    private LiveWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        KnowledgeBase kb = KnowledgeBase.open(Path.of(args[0]));
        StagingArea area = StagingArea.create(kb);
        Path raw = area.write(".raw", args[1].getBytes(StandardCharsets.UTF_8));
        Path page = area.write(".md", ("# " + args[1] + "\n").getBytes(StandardCharsets.UTF_8));
        System.out.println("staged " + kb.relative(raw) + " " + kb.relative(page));
        System.out.flush();
        while (System.in.read() != -1) {
            // writing, as far as anyone can tell, until the test closes our stdin
        }
        Runtime.getRuntime().halt(0);
    }
}
