import { TuningError } from '../errors';
import { deriveSeed } from '../prng';
import { AshaPruner } from './asha';
import type { PruneContext, Pruner } from './pruner';

/** Options of {@link HyperbandPruner}; the defaults are those of Optuna's `HyperbandPruner`. */
export interface HyperbandPrunerArgs {
  /** Steps every trial of the most aggressive bracket gets. Default 1. */
  minResource?: number;
  /** Steps of a full trial: the job's epochs. Required. */
  maxResource: number;
  /** η of every bracket. Default 3. */
  reductionFactor?: number;
  /** As in {@link AshaPruner}. Default 0. */
  bootstrapCount?: number;
}

/**
 * Hyperband (Li et al. 2018) over ASHA brackets, as Optuna's `HyperbandPruner`: successive halving
 * alone has to guess how early a trial can be judged; Hyperband hedges by running brackets
 * `0 … floor(log_η(max/min))`, bracket `b` skipping its `b` lowest rungs. Each trial joins one
 * bracket, chosen from its number by a hash weighted by the brackets' trial budgets
 * `ceil(B·η^s/(s+1))`, and competes only with the trials of its bracket. A trial that reached
 * `maxResource` steps is never pruned.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  /** One ASHA pruner per bracket, most aggressive first. */
  readonly brackets: readonly AshaPruner[];
  private readonly budgets: readonly number[];
  private readonly totalBudget: number;
  private readonly maxResource: number;

  constructor(args: HyperbandPrunerArgs) {
    const { minResource = 1, maxResource, reductionFactor = 3, bootstrapCount = 0 } = args;
    if (!(maxResource >= minResource)) {
      throw new TuningError(
        `maxResource ${maxResource} must be at least minResource ${minResource}`,
        { code: 'invalid_pruner' },
      );
    }
    this.maxResource = maxResource;
    // floor(log_η(max/min)) + 1, counted in integers to avoid log rounding at exact powers.
    let count = 1;
    while (minResource * reductionFactor ** count <= maxResource) count++;
    this.brackets = Array.from(
      { length: count },
      (_, b) =>
        new AshaPruner({ minResource, reductionFactor, minEarlyStoppingRate: b, bootstrapCount }),
    );
    this.budgets = this.brackets.map((_, b) => {
      const s = count - 1 - b;
      return Math.ceil((count * reductionFactor ** s) / (s + 1));
    });
    this.totalBudget = this.budgets.reduce((a, b) => a + b, 0);
  }

  /** The bracket of a trial: a pure function of its number. */
  bracketOf(trialNumber: number): number {
    let n = deriveSeed(trialNumber) % this.totalBudget;
    for (let b = 0; b < this.budgets.length; b++) {
      n -= this.budgets[b]!;
      if (n < 0) return b;
    }
    return this.budgets.length - 1;
  }

  shouldPrune(context: PruneContext): boolean {
    // Unlike Optuna, never judge at the last step: the most patient bracket's top rung is
    // maxResource itself, and stopping a trial there saves nothing but loses its result.
    const steps = Object.keys(context.trial.intermediate).map(Number);
    if (steps.length > 0 && Math.max(...steps) >= this.maxResource) return false;
    const bracket = this.bracketOf(context.trial.number);
    const peers = context.trials.filter((t) => this.bracketOf(t.number) === bracket);
    return this.brackets[bracket]!.judge(context, peers);
  }
}
