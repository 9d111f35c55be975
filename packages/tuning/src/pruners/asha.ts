import { TuningError } from '../errors';
import { reportedSteps, type TrialRecord } from '../types';
import type { PruneContext, Pruner } from './pruner';

/** Options of {@link AshaPruner}; the defaults are those of Optuna's `SuccessiveHalvingPruner`. */
export interface AshaPrunerArgs {
  /** Steps (epochs) every trial gets before its first judgement. Default 1. */
  minResource?: number;
  /** η: rung `k` is at `minResource · η^(s + k)`, and the best 1/η of a rung goes on. Default 4. */
  reductionFactor?: number;
  /** s: how many of the lowest rungs to skip; higher is more patient. Default 0. */
  minEarlyStoppingRate?: number;
  /** A rung judges nobody until more than this many trials reached it. Default 0. */
  bootstrapCount?: number;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2020), with the semantics of Optuna's
 * `SuccessiveHalvingPruner`. Rungs sit at `minResource · η^(s + k)` steps; a trial reaching a rung
 * goes on only if its value there is in the best `1/η` of all values recorded at that rung so far
 * (for the first `η - 1` arrivals: only if it is the best). Asynchronous: nobody waits for a rung
 * to fill, which is what lets trials run in parallel without a barrier.
 *
 * A trial's value at a rung is read from its intermediate values (the first report at or past
 * the rung's step) instead of being stored by the pruner, so the decision can be replayed from
 * the study's history alone.
 */
export class AshaPruner implements Pruner {
  readonly name: string = 'asha';
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(args: AshaPrunerArgs = {}) {
    this.minResource = args.minResource ?? 1;
    this.reductionFactor = args.reductionFactor ?? 4;
    this.minEarlyStoppingRate = args.minEarlyStoppingRate ?? 0;
    this.bootstrapCount = args.bootstrapCount ?? 0;
    if (!(this.minResource > 0))
      throw new TuningError(`minResource must be positive, got ${this.minResource}`, {
        code: 'invalid_pruner',
      });
    if (!(this.reductionFactor >= 2)) {
      throw new TuningError(`reductionFactor must be at least 2, got ${this.reductionFactor}`, {
        code: 'invalid_pruner',
      });
    }
  }

  shouldPrune(context: PruneContext): boolean {
    return this.judge(context, context.trials);
  }

  /** The decision against `competitors` only (Hyperband passes one bracket's trials). */
  judge({ trial, direction }: PruneContext, competitors: readonly TrialRecord[]): boolean {
    const steps = reportedSteps(trial);
    const step = steps.at(-1);
    if (step === undefined) return false;
    const previous = steps.length > 1 ? steps[steps.length - 2]! : Number.NEGATIVE_INFINITY;
    const value = trial.intermediate[step]!;
    for (let rung = 0; ; rung++) {
      const rungStep =
        this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
      if (step < rungStep) return false;
      // Passed at an earlier report: the trial is still running, so it was promoted then.
      if (previous >= rungStep) continue;
      if (Number.isNaN(value)) return true;
      const competing = [value];
      for (const other of competitors) {
        if (other.number === trial.number) continue;
        const atRung = valueAtRung(other, rungStep);
        if (atRung !== undefined && !Number.isNaN(atRung)) competing.push(atRung);
      }
      if (competing.length <= this.bootstrapCount) return true;
      if (!promotable(value, competing, this.reductionFactor, direction)) return true;
    }
  }
}

/** The value a trial recorded at a rung: its first report at or past the rung's step. */
function valueAtRung(trial: TrialRecord, rungStep: number): number | undefined {
  const step = reportedSteps(trial).find((s) => s >= rungStep);
  return step === undefined ? undefined : trial.intermediate[step];
}

function promotable(
  value: number,
  competing: number[],
  reductionFactor: number,
  direction: PruneContext['direction'],
): boolean {
  // The top floor(n/η) go on; with fewer than η values there is no top fraction yet, and Optuna
  // (which cannot pause a trial to wait for more) promotes only the best one.
  const index = Math.max(Math.floor(competing.length / reductionFactor) - 1, 0);
  const sorted = [...competing].sort((a, b) => a - b);
  return direction === 'minimize'
    ? value <= sorted[index]!
    : value >= sorted[sorted.length - 1 - index]!;
}
