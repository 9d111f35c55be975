import { RandomSampler } from '../samplers/random';
import { Study } from '../study';
import type { TrialRecord, TrialState } from '../types';
import type { Pruner } from './pruner';

/** A trial record with the given per-step values (steps 1, 2, …), for the pruner tests. */
export function trialWith(
  number: number,
  values: readonly number[],
  state: TrialState = 'completed',
): TrialRecord {
  const intermediate: Record<number, number> = {};
  values.forEach((value, i) => {
    intermediate[i + 1] = value;
  });
  return {
    number,
    state,
    params: {},
    intermediate,
    ...(state === 'completed' ? { value: values.at(-1) } : {}),
  };
}

/** A learning curve: loss falling from `1 + quality` towards `quality` over the epochs. */
export function curve(quality: number, epochs: number): number[] {
  return Array.from({ length: epochs }, (_, i) => quality + 1 / (i + 1));
}

/**
 * Runs 40 trials of 27 epochs whose quality is the sampled x (lower is better), reporting every
 * epoch; returns the study.
 */
export function runCurves(pruner: Pruner, trials = 40, epochs = 27): Study {
  const space = { x: { type: 'uniform' as const, min: 0, max: 1 } };
  const study = new Study({
    sampler: new RandomSampler(space, { seed: 4 }),
    pruner,
    direction: 'minimize',
    maxTrials: trials,
  });
  for (let trial = study.ask(); trial; trial = study.ask()) {
    const losses = curve(trial.params.x as number, epochs);
    let pruned = false;
    for (const [i, loss] of losses.entries()) {
      pruned = study.report(trial.number, i + 1, loss);
      if (pruned) break;
    }
    if (!pruned) study.tell(trial.number, losses.at(-1)!);
  }
  return study;
}
