package dev.kb.core.journal;

/**
 * Post-commit work (the wiki log and index). Runs after the commit point; a failure here is a
 * warning and never undoes the commit.
 */
public interface CommitHooks {
    CommitHooks NONE = (j, r) -> { };

    /**
     * @param repairing true when recovery finishes a journal whose hooks may have run in part
     *                  before a crash: the hooks must then make their files right, not append twice
     */
    void afterCommit(Journal journal, boolean repairing) throws Exception;
}
