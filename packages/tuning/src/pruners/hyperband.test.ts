import { describe, expect, it } from 'vitest';
import { HyperbandPruner } from './hyperband';
import { runCurves, trialWith } from './testing';

describe('HyperbandPruner', () => {
  it('runs floor(log_η(max/min)) + 1 brackets, bracket b skipping b rungs', () => {
    const pruner = new HyperbandPruner({ maxResource: 27 });
    expect(pruner.brackets.map((b) => b.minEarlyStoppingRate)).toEqual([0, 1, 2, 3]);
    expect(new HyperbandPruner({ maxResource: 26 }).brackets).toHaveLength(3);
  });

  it('assigns each trial number one bracket, the same every time, using every bracket', () => {
    const pruner = new HyperbandPruner({ maxResource: 27 });
    const brackets = Array.from({ length: 200 }, (_, n) => pruner.bracketOf(n));
    expect(brackets).toEqual(Array.from({ length: 200 }, (_, n) => pruner.bracketOf(n)));
    expect(new Set(brackets)).toEqual(new Set([0, 1, 2, 3]));
    // Budgets 27, 12, 6, 4 of 49: the most aggressive bracket gets the most trials.
    const counts = [0, 1, 2, 3].map((b) => brackets.filter((x) => x === b).length);
    expect(counts[0]).toBeGreaterThan(counts[3]!);
  });

  it('lets a trial compete only within its bracket', () => {
    const pruner = new HyperbandPruner({ maxResource: 27 });
    const numbers = Array.from({ length: 100 }, (_, n) => n);
    const a = numbers.find((n) => pruner.bracketOf(n) === 0)!;
    const sameBracket = numbers.find((n) => n !== a && pruner.bracketOf(n) === 0)!;
    const otherBracket = numbers.find((n) => pruner.bracketOf(n) === 3)!;
    const lagging = trialWith(a, [5], 'running');
    // A far better trial in another bracket does not count against it…
    const elsewhere = trialWith(otherBracket, [0.1], 'running');
    expect(
      pruner.shouldPrune({ trial: lagging, trials: [elsewhere, lagging], direction: 'minimize' }),
    ).toBe(false);
    // …one in the same bracket does.
    const rival = trialWith(sameBracket, [0.1], 'running');
    expect(
      pruner.shouldPrune({ trial: lagging, trials: [rival, lagging], direction: 'minimize' }),
    ).toBe(true);
  });

  it('stops the lagging trials of a study early; they are marked pruned; the best completes', () => {
    const study = runCurves(new HyperbandPruner({ maxResource: 27 }));
    const pruned = study.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(10);
    for (const t of pruned) expect(Object.keys(t.intermediate).length).toBeLessThan(27);
    const epochs = study.trials.reduce((sum, t) => sum + Object.keys(t.intermediate).length, 0);
    expect(epochs).toBeLessThan(0.7 * 40 * 27);
    const best = Math.min(...study.trials.map((t) => t.params.x as number));
    expect(study.bestTrial!.params.x).toBe(best);
  });
});
