import { describe, expect, it } from 'vitest';
import { RandomSampler } from '../samplers/random';
import { Study } from '../study';
import { MedianPruner, percentile } from './median';
import { curve, trialWith } from './testing';

// Five completed trials with qualities 1..5: their median at every step is that of quality 3.
const completed = [1, 2, 3, 4, 5].map((q, i) => trialWith(i, curve(q, 10)));

describe('MedianPruner', () => {
  it('prunes a trial whose best value so far is worse than the median at its step', () => {
    const pruner = new MedianPruner();
    const lagging = trialWith(5, curve(3.5, 2), 'running');
    const leading = trialWith(6, curve(2.5, 2), 'running');
    expect(
      pruner.shouldPrune({
        trial: lagging,
        trials: [...completed, lagging],
        direction: 'minimize',
      }),
    ).toBe(true);
    expect(
      pruner.shouldPrune({
        trial: leading,
        trials: [...completed, leading],
        direction: 'minimize',
      }),
    ).toBe(false);
  });

  it('compares the other way round when maximising', () => {
    const flip = (t: ReturnType<typeof trialWith>) =>
      trialWith(
        t.number,
        Object.values(t.intermediate).map((v) => -v),
        t.state,
      );
    const lagging = flip(trialWith(5, curve(3.5, 2), 'running'));
    const trials = [...completed.map(flip), lagging];
    expect(new MedianPruner().shouldPrune({ trial: lagging, trials, direction: 'maximize' })).toBe(
      true,
    );
    expect(new MedianPruner().shouldPrune({ trial: lagging, trials, direction: 'minimize' })).toBe(
      false,
    );
  });

  it('waits for n_startup_trials completed trials and n_warmup_steps steps', () => {
    const lagging = (steps: number) => trialWith(9, curve(10, steps), 'running');
    const four = completed.slice(0, 4);
    expect(
      new MedianPruner().shouldPrune({ trial: lagging(3), trials: four, direction: 'minimize' }),
    ).toBe(false);
    const patient = new MedianPruner({ nWarmupSteps: 3 });
    expect(
      patient.shouldPrune({ trial: lagging(2), trials: completed, direction: 'minimize' }),
    ).toBe(false);
    expect(
      patient.shouldPrune({ trial: lagging(3), trials: completed, direction: 'minimize' }),
    ).toBe(true);
  });

  it('stops lagging trials of a study, which marks them pruned', () => {
    const space = { x: { type: 'uniform' as const, min: 0, max: 1 } };
    const study = new Study({
      sampler: new RandomSampler(space, { seed: 1 }),
      pruner: new MedianPruner(),
      direction: 'minimize',
      maxTrials: 20,
    });
    for (let trial = study.ask(); trial; trial = study.ask()) {
      // The sampled x is the trial's quality: higher x, higher loss at every epoch.
      const losses = curve(10 * (trial.params.x as number), 10);
      let pruned = false;
      for (const [i, loss] of losses.entries()) {
        pruned = study.report(trial.number, i + 1, loss);
        if (pruned) break;
      }
      if (!pruned) study.tell(trial.number, losses.at(-1)!);
    }
    const pruned = study.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    const completedTrials = study.trials.filter((t) => t.state === 'completed');
    const medianX = percentile(
      completedTrials.map((t) => t.params.x as number),
      50,
    );
    // Pruned trials are the lagging ones: worse than the median of those that completed.
    for (const t of pruned) expect(t.params.x as number).toBeGreaterThan(medianX);
    expect(study.bestTrial!.state).toBe('completed');
  });
});
