import { type SearchSpace, searchSpaceSchema } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { isInside } from '../space';
import { Study } from '../study';
import { braninFunction } from '../test-functions';
import type { Params, TrialRecord } from '../types';
import { RandomSampler } from './random';
import type { Sampler } from './sampler';
import { TpeSampler } from './tpe';

const mixedSpace = searchSpaceSchema.parse({
  'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-5, max: 1e-1 },
  'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
  'architecture.head.units': { type: 'int', min: 16, max: 512, step: 16 },
  'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'sgd', 'rmsprop'] },
});

/** A smooth made-up "validation loss" over the mixed space, best at lr 1e-3, 256 units, sgd. */
function mixedLoss(p: Params): number {
  const lr = Math.log10(p['hyperparameters.learning_rate'] as number) + 3;
  const units = ((p['architecture.head.units'] as number) - 256) / 256;
  const dropout = (p['regularization.dropout'] as number) - 0.2;
  const optimizer = { sgd: 0, adam: 0.5, rmsprop: 1 }[p['hyperparameters.optimizer'] as string]!;
  return lr * lr + units * units + dropout * dropout + optimizer;
}

function minimise(
  space: SearchSpace,
  sampler: Sampler,
  f: (p: Params) => number,
  trials: number,
): Study {
  const study = new Study({ sampler, direction: 'minimize', maxTrials: trials });
  for (let trial = study.ask(); trial; trial = study.ask())
    study.tell(trial.number, f(trial.params));
  expect(study.trials.every((t) => isInside(space, t.params))).toBe(true);
  return study;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
}

describe('TpeSampler (bayesian)', () => {
  it('stays inside a mixed space (log, int with step, choice) once the model takes over', () => {
    const study = minimise(mixedSpace, new TpeSampler(mixedSpace, { seed: 3 }), mixedLoss, 60);
    expect(study.trials).toHaveLength(60);
  });

  it('gives the same suggestions for the same seed and history, others for another seed', () => {
    const history = minimise(
      mixedSpace,
      new RandomSampler(mixedSpace, { seed: 1 }),
      mixedLoss,
      30,
    ).trials;
    const suggest = (seed: number) =>
      new TpeSampler(mixedSpace, { seed }).suggest({
        trialNumber: 30,
        trials: history,
        direction: 'minimize',
      });
    expect(suggest(5)).toEqual(suggest(5));
    expect(suggest(5)).not.toEqual(suggest(6));
  });

  it('finds lower median regret than random on Branin: 20 seeds, 40 trials each, under half', () => {
    const regret = (make: (seed: number) => Sampler) =>
      median(
        Array.from({ length: 20 }, (_, seed) => {
          const study = minimise(braninFunction.space, make(seed), braninFunction.value, 40);
          return study.bestTrial!.value! - braninFunction.minimum;
        }),
      );
    const bayesian = regret((seed) => new TpeSampler(braninFunction.space, { seed }));
    const random = regret((seed) => new RandomSampler(braninFunction.space, { seed }));
    expect(bayesian).toBeLessThan(0.5 * random);
  });

  it('beats random on the mixed space too: choices and stepped ints are modelled, not guessed', () => {
    const best = (make: (seed: number) => Sampler) =>
      median(
        Array.from(
          { length: 10 },
          (_, seed) => minimise(mixedSpace, make(seed), mixedLoss, 40).bestTrial!.value!,
        ),
      );
    expect(best((seed) => new TpeSampler(mixedSpace, { seed }))).toBeLessThan(
      best((seed) => new RandomSampler(mixedSpace, { seed })),
    );
  });

  it('suggests distinct points to parallel workers while trials are still running', () => {
    const sampler = new TpeSampler(braninFunction.space, { seed: 9 });
    const study = new Study({ sampler, direction: 'minimize', maxTrials: 30 });
    for (let i = 0; i < 20; i++) {
      const trial = study.ask()!;
      study.tell(trial.number, braninFunction.value(trial.params));
    }
    // Four workers ask before anyone reports: running trials count as the worst (constant liar).
    const pending = [study.ask()!, study.ask()!, study.ask()!, study.ask()!];
    const keys = pending.map((t) => JSON.stringify(t.params));
    expect(new Set(keys).size).toBe(4);
    // And a process that rebuilds the history asks the same thing for the next number.
    const again = sampler.suggest({
      trialNumber: 24,
      trials: study.trials as TrialRecord[],
      direction: 'minimize',
    });
    expect(again).toEqual(
      sampler.suggest({ trialNumber: 24, trials: [...study.trials], direction: 'minimize' }),
    );
  });

  it('maximises when asked to: the best trial is the one with the highest objective', () => {
    const study = new Study({
      sampler: new TpeSampler(braninFunction.space, { seed: 2 }),
      direction: 'maximize',
      maxTrials: 40,
    });
    for (let trial = study.ask(); trial; trial = study.ask()) {
      study.tell(trial.number, -braninFunction.value(trial.params));
    }
    const values = study.trials.map((t) => t.value!);
    expect(study.bestTrial!.value).toBe(Math.max(...values));
    expect(-study.bestTrial!.value! - braninFunction.minimum).toBeLessThan(2);
  });
});
