import { describe, expect, it } from 'vitest';
import { AshaPruner } from './asha';
import { runCurves, trialWith } from './testing';

describe('AshaPruner', () => {
  it('promotes the first arrival at a rung and prunes a later, worse one (η = 2)', () => {
    const pruner = new AshaPruner({ reductionFactor: 2 });
    const first = trialWith(0, [1.0], 'running');
    expect(pruner.shouldPrune({ trial: first, trials: [first], direction: 'minimize' })).toBe(
      false,
    );
    const worse = trialWith(1, [1.5], 'running');
    expect(
      pruner.shouldPrune({ trial: worse, trials: [first, worse], direction: 'minimize' }),
    ).toBe(true);
    const better = trialWith(2, [0.5], 'running');
    expect(
      pruner.shouldPrune({ trial: better, trials: [first, worse, better], direction: 'minimize' }),
    ).toBe(false);
  });

  it('judges only at rung steps min_resource · η^k, and a pruned trial still sets its rung', () => {
    const pruner = new AshaPruner({ minResource: 2, reductionFactor: 2 });
    const leader = trialWith(0, [9, 1, 9, 0.5, 9, 9, 9, 0.2]);
    const pruned = trialWith(1, [9, 3], 'pruned');
    // Steps 1 and 3 are between rungs (2, 4, 8): never judged there, however bad.
    for (const steps of [1, 3]) {
      const t = trialWith(2, Array(steps).fill(100), 'running');
      expect(
        pruner.shouldPrune({ trial: t, trials: [leader, pruned, t], direction: 'minimize' }),
      ).toBe(false);
    }
    // At step 2, among 3 values (1, 3, 2): floor(3/2) = 1, so only the best goes on.
    const middling = trialWith(2, [9, 2], 'running');
    expect(
      pruner.shouldPrune({
        trial: middling,
        trials: [leader, pruned, middling],
        direction: 'minimize',
      }),
    ).toBe(true);
  });

  it('judges a trial again at each higher rung it reaches', () => {
    const pruner = new AshaPruner({ reductionFactor: 2 });
    const leader = trialWith(0, [1, 1, 1, 1]);
    const fading = (values: number[]) => trialWith(1, values, 'running');
    const judge = (values: number[]) =>
      pruner.shouldPrune({
        trial: fading(values),
        trials: [leader, fading(values)],
        direction: 'minimize',
      });
    expect(judge([0.5])).toBe(false);
    expect(judge([0.5, 0.5])).toBe(false);
    expect(judge([0.5, 0.5, 2])).toBe(false);
    // Rung 2 is at step 4, where it now lags the leader.
    expect(judge([0.5, 0.5, 2, 2])).toBe(true);
  });

  it('prunes a NaN at a rung', () => {
    const t = trialWith(0, [Number.NaN], 'running');
    expect(new AshaPruner().shouldPrune({ trial: t, trials: [t], direction: 'minimize' })).toBe(
      true,
    );
  });

  it('stops the lagging trials of a study early and keeps the best one running to the end', () => {
    const study = runCurves(new AshaPruner({ reductionFactor: 3 }));
    const pruned = study.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(20);
    const epochs = study.trials.reduce((sum, t) => sum + Object.keys(t.intermediate).length, 0);
    expect(epochs).toBeLessThan(0.5 * 40 * 27);
    const best = Math.min(...study.trials.map((t) => t.params.x as number));
    expect(study.bestTrial!.params.x).toBe(best);
    // Every pruned trial lagged: its x was worse than the best trial's.
    for (const t of pruned) expect(t.params.x as number).toBeGreaterThan(best);
  });
});
