import { searchSpaceSchema } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { TrialStateError, TuningError } from '../errors';
import { Study } from '../study';
import { GridSampler } from './grid';

const space = searchSpaceSchema.parse({
  'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'sgd'] },
  'architecture.head.units': { type: 'int', min: 32, max: 128, step: 32 },
  'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-4, max: 1e-2, grid_points: 3 },
  'regularization.dropout': { type: 'uniform', min: 0, max: 0.5, grid_points: 2 },
});

describe('GridSampler', () => {
  it('enumerates exactly the cartesian product, each point once, then the study stops', () => {
    const study = new Study({
      sampler: new GridSampler(space),
      direction: 'minimize',
      maxTrials: 1000,
    });
    const seen: string[] = [];
    for (let trial = study.ask(); trial; trial = study.ask()) {
      const p = trial.params;
      seen.push(
        [
          p['hyperparameters.optimizer'],
          p['architecture.head.units'],
          // The log grid's middle point is exp(mean of the logs): 1e-3 up to rounding.
          Number((p['hyperparameters.learning_rate'] as number).toPrecision(12)),
          p['regularization.dropout'],
        ].join('|'),
      );
      study.tell(trial.number, 0);
    }
    const expected: string[] = [];
    for (const optimizer of ['adam', 'sgd']) {
      for (const units of [32, 64, 96, 128]) {
        for (const lr of [1e-4, 1e-3, 1e-2]) {
          for (const dropout of [0, 0.5]) expected.push([optimizer, units, lr, dropout].join('|'));
        }
      }
    }
    expect(seen).toHaveLength(2 * 4 * 3 * 2);
    expect(new Set(seen)).toEqual(new Set(expected));
    expect(study.status).toBe('completed');
  });

  it('rejects a real range without grid_points, naming the parameter', () => {
    const open = searchSpaceSchema.parse({
      'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
    });
    expect(() => new GridSampler(open)).toThrow(TuningError);
    try {
      new GridSampler(open);
    } catch (error) {
      expect((error as TuningError).param).toBe(
        'tuning.search_space.regularization.dropout.grid_points',
      );
      expect((error as TuningError).message).toContain('regularization.dropout');
    }
  });

  it('stops int ranges at the last step that fits under max', () => {
    const stepped = searchSpaceSchema.parse({
      'hyperparameters.epochs': { type: 'int', min: 1, max: 10, step: 4 },
    });
    const grid = new GridSampler(stepped);
    expect(grid.size).toBe(3);
    const values = [0, 1, 2].map((n) =>
      grid.suggest({ trialNumber: n, trials: [], direction: 'minimize' }),
    );
    expect(values.map((v) => v['hyperparameters.epochs'])).toEqual([1, 5, 9]);
    expect(() => grid.suggest({ trialNumber: 3, trials: [], direction: 'minimize' })).toThrow(
      TrialStateError,
    );
  });
});
