package dev.kb.core.store;

import java.util.Collection;
import java.util.Locale;

/**
 * What one commit says of itself in the registry's history: the command that made it and how many
 * documents it added, updated, removed and repaired. Written in the commit's own transaction, so
 * the history can never name a commit that did not happen or miss one that did.
 *
 * @param command the kb command without the leading "kb " ({@code add}, {@code import --cloud},
 *                {@code remove}, {@code recover --repair}, {@code recover --rebuild-registry})
 */
public record CommitNote(String command, int added, int updated, int removed, int repaired) {
    public CommitNote {
        command = command == null || command.isBlank() ? "unknown" : command.strip();
        if (command.startsWith("kb ")) {
            command = command.substring(3).strip();
        }
        if (added < 0 || updated < 0 || removed < 0 || repaired < 0) {
            throw new IllegalArgumentException("negative count in a commit note: " + added + "/" + updated + "/"
                    + removed + "/" + repaired);
        }
    }

    /** The note of a commit whose documents did these actions ({@code add}, {@code update}, {@code remove}, {@code repair}). */
    public static CommitNote of(String command, Collection<String> actions) {
        int[] n = new int[4];
        for (String a : actions) {
            switch (a.toLowerCase(Locale.ROOT)) {
                case "add" -> n[0]++;
                case "update" -> n[1]++;
                case "remove" -> n[2]++;
                case "repair" -> n[3]++;
                default -> throw new IllegalArgumentException("unknown document action '" + a + "'");
            }
        }
        return new CommitNote(command, n[0], n[1], n[2], n[3]);
    }

    /** Documents this commit changed, whatever the action. */
    public int documents() {
        return added + updated + removed + repaired;
    }
}
