import { searchSpaceSchema } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { isInside } from '../space';
import { RandomSampler } from './random';

const mixedSpace = searchSpaceSchema.parse({
  'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-5, max: 1e-1 },
  'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
  'architecture.head.units': { type: 'int', min: 16, max: 512, step: 16 },
  'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'sgd', 'rmsprop'] },
});

const suggestions = (seed: number, count: number) => {
  const sampler = new RandomSampler(mixedSpace, { seed });
  return Array.from({ length: count }, (_, n) =>
    sampler.suggest({ trialNumber: n, trials: [], direction: 'minimize' }),
  );
};

describe('RandomSampler', () => {
  it('stays inside the space and covers it: every choice, both ends of the log range', () => {
    const drawn = suggestions(7, 2000);
    expect(drawn.every((p) => isInside(mixedSpace, p))).toBe(true);
    expect(new Set(drawn.map((p) => p['hyperparameters.optimizer']))).toEqual(
      new Set(['adam', 'sgd', 'rmsprop']),
    );
    const lrs = drawn.map((p) => p['hyperparameters.learning_rate'] as number);
    // Log-uniform: about a quarter of the draws in each decade.
    expect(lrs.filter((lr) => lr < 1e-4).length / lrs.length).toBeGreaterThan(0.2);
    expect(lrs.filter((lr) => lr > 1e-2).length / lrs.length).toBeGreaterThan(0.2);
    const units = new Set(drawn.map((p) => p['architecture.head.units']));
    expect(units.has(16) && units.has(512)).toBe(true);
  });

  it('is reproducible with a seed and differs between seeds', () => {
    expect(suggestions(42, 20)).toEqual(suggestions(42, 20));
    expect(suggestions(42, 20)).not.toEqual(suggestions(43, 20));
  });
});
