/**
 * Every change to a knowledge base (add, update, remove, repair) is a planned change under one
 * protocol, the one written down in {@link dev.kb.core.journal}.
 *
 * <ul>
 *   <li><b>Planning</b> decides what a group changes, under the writer lock, reading the registry
 *       as committed: a {@link dev.kb.core.mutation.Planner} per kind of change
 *       ({@link dev.kb.core.mutation.AddPlanner}: skip rules and naming;
 *       {@link dev.kb.core.mutation.RemovePlanner}; {@link dev.kb.core.mutation.RepairPlanner})
 *       fills a {@link dev.kb.core.mutation.Plan}: files to publish or retire, rows to write or
 *       delete, what the log says. One group becomes one {@link dev.kb.core.mutation.Mutation}: one
 *       journal, one registry transaction.</li>
 *   <li><b>Carrying out</b> is the {@link dev.kb.core.mutation.Coordinator}: journal → publish →
 *       registry transaction (the single commit point) → mark → post-commit hooks → discard. It
 *       knows no rule of any kind of change, and talks to storage only through the seams of
 *       {@link dev.kb.core.store}.</li>
 *   <li><b>Recovery</b> ({@link dev.kb.core.mutation.Recovery}) finishes or undoes what an
 *       interrupted writer left, deciding from the registry.</li>
 *   <li><b>The session</b> ({@link dev.kb.core.mutation.WriterSession}) is one writing process's
 *       hold on a KB for a whole batch: staging, writer registry, recovery, hooks and coordinator
 *       wired once; each group takes the lock, recovers, plans and commits, and a failed group is
 *       retried one item at a time so one bad item fails alone. {@link dev.kb.core.mutation.Storage}
 *       chooses the implementations behind the seams.</li>
 * </ul>
 */
package dev.kb.core.mutation;
