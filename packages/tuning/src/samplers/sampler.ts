import type { Direction, Params, TrialRecord } from '../types';

/** What a sampler knows when it is asked for the next trial's parameters. */
export interface SuggestContext {
  /**
   * The number of the trial being suggested. Seeded samplers draw from a stream keyed by it, so
   * the same seed, number and history give the same suggestion in any process.
   */
  readonly trialNumber: number;
  /**
   * Every trial of the study so far, in any state. Running trials are how a sampler avoids
   * suggesting the same point to parallel workers; failed ones are ignored.
   */
  readonly trials: readonly TrialRecord[];
  readonly direction: Direction;
}

/** Chooses the parameters of the next trial. One implementation per file in this folder. */
export interface Sampler {
  /** The strategy name as the job spec spells it (`grid`, `random`, `bayesian`). */
  readonly name: string;
  /** How many distinct suggestions there are, when finite (the grid's size); else absent. */
  readonly size?: number;
  suggest(context: SuggestContext): Params;
}
