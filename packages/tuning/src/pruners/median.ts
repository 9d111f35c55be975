import { reportedSteps } from '../types';
import type { PruneContext, Pruner } from './pruner';

/** Options of {@link MedianPruner}; the defaults are Optuna's. */
export interface MedianPrunerArgs {
  /** Completed trials needed before anything is pruned. Default 5. */
  nStartupTrials?: number;
  /** Steps (epochs) a trial may run before it can be pruned. Default 0. */
  nWarmupSteps?: number;
  /** Judge once every this many steps after the warm-up. Default 1. */
  intervalSteps?: number;
  /** Completed trials that must have reported the step for a median to count. Default 1. */
  nMinTrials?: number;
}

/**
 * Optuna's `MedianPruner`: stops a trial when its best intermediate value so far is worse than
 * the median of the completed trials' values at the same step. A trial whose values are all NaN
 * is stopped too. Only completed trials set the bar: pruned ones would drag the median down and
 * running ones have not shown where they end.
 */
export class MedianPruner implements Pruner {
  readonly name = 'median';
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;

  constructor(args: MedianPrunerArgs = {}) {
    this.nStartupTrials = args.nStartupTrials ?? 5;
    this.nWarmupSteps = args.nWarmupSteps ?? 0;
    this.intervalSteps = args.intervalSteps ?? 1;
    this.nMinTrials = args.nMinTrials ?? 1;
  }

  shouldPrune({ trial, trials, direction }: PruneContext): boolean {
    const completed = trials.filter((t) => t.state === 'completed' && t.number !== trial.number);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const steps = reportedSteps(trial);
    const step = steps.at(-1);
    if (step === undefined || step < this.nWarmupSteps) return false;
    // Judge at the first report at or past each interval boundary, even if steps were skipped.
    const boundary =
      Math.floor((step - this.nWarmupSteps) / this.intervalSteps) * this.intervalSteps +
      this.nWarmupSteps;
    const previous = steps.length > 1 ? steps[steps.length - 2]! : -1;
    if (previous >= boundary) return false;

    const values = steps.map((s) => trial.intermediate[s]!).filter((v) => !Number.isNaN(v));
    if (values.length === 0) return true;
    const best = direction === 'minimize' ? Math.min(...values) : Math.max(...values);
    const atStep = completed
      .map((t) => t.intermediate[step])
      .filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (atStep.length === 0 || atStep.length < this.nMinTrials) return false;
    const median = percentile(atStep, 50);
    return direction === 'minimize' ? best > median : best < median;
  }
}

/** The `q`-th percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * q) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}
