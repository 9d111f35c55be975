import type { Direction, TrialRecord } from '../types';

/** What a pruner knows when a trial has just reported an intermediate value. */
export interface PruneContext {
  /** The trial being judged, at its last reported step. */
  readonly trial: TrialRecord;
  /** Every trial of the study in any state; the judged trial may be among them. */
  readonly trials: readonly TrialRecord[];
  readonly direction: Direction;
}

/**
 * Decides whether a trial should stop early. Pruners keep no state of their own: the decision is
 * a function of the intermediate values in the context, so any process holding the study's
 * history decides the same. One implementation per file in this folder.
 */
export interface Pruner {
  /** The strategy name as the job spec spells it (`none`, `median`, `hyperband`, …). */
  readonly name: string;
  shouldPrune(context: PruneContext): boolean;
}
