import { describe, expect, it } from 'vitest';
import { ParallelCoordinates } from './parallel-coordinates';

const trial = (
  number: number,
  params: Record<string, unknown>,
  objective: number | null,
  pruned = false,
) => ({
  number,
  params,
  objective,
  pruned,
  status: pruned ? 'pruned' : 'completed',
});

const render = (props: Parameters<typeof ParallelCoordinates>[0]) =>
  String(ParallelCoordinates(props) ?? '');

/** Each polyline's trial number, class and points as [x, y] pairs. */
function lines(svg: string) {
  return [...svg.matchAll(/<polyline class="line (\w+)" data-trial="(\d+)" points="([^"]*)"/g)].map(
    (m) => ({
      trial: Number(m[2]),
      kind: m[1],
      points: m[3]!
        .split(' ')
        .filter(Boolean)
        .map((p) => p.split(',').map(Number)),
    }),
  );
}

describe('ParallelCoordinates', () => {
  const space = {
    'hyperparameters.learning_rate': { type: 'log_uniform', min: 0.0001, max: 0.1 },
    'hyperparameters.optimizer': { type: 'choice', values: ['sgd', 'adam', 'rmsprop'] },
  };
  const trials = [
    trial(0, { 'hyperparameters.learning_rate': 0.001, 'hyperparameters.optimizer': 'adam' }, 0.5),
    trial(1, { 'hyperparameters.learning_rate': 0.1, 'hyperparameters.optimizer': 'sgd' }, 0.9),
    trial(
      2,
      { 'hyperparameters.learning_rate': 0.01, 'hyperparameters.optimizer': 'rmsprop' },
      0.3,
    ),
    trial(
      3,
      { 'hyperparameters.learning_rate': 0.0001, 'hyperparameters.optimizer': 'adam' },
      null,
      true,
    ),
  ];

  it('draws one line per trial through each parameter and the objective, pruned ones dashed', () => {
    const svg = render({ trials, space, best: 2 });
    expect(svg).toContain('<svg');
    const drawn = lines(svg);
    expect(drawn.map((l) => l.trial).sort()).toEqual([0, 1, 2, 3]);
    // Three axes: learning_rate, optimizer, objective; the pruned trial has no objective.
    for (const l of drawn) expect(l.points).toHaveLength(l.trial === 3 ? 2 : 3);
    expect(drawn.find((l) => l.trial === 3)!.kind).toBe('pruned');
    expect(svg).toMatch(/data-trial="3"[^>]*stroke-dasharray="5 4"/);
    expect(svg).not.toMatch(/data-trial="0"[^>]*stroke-dasharray/);
    // The best trial is drawn last, over the others.
    expect(drawn.at(-1)).toMatchObject({ trial: 2, kind: 'best' });
    expect(svg).toContain('<title>hyperparameters.learning_rate</title>learning_rate');
  });

  it('places values by their scale: log for log_uniform, listed order for choices, larger higher', () => {
    const drawn = lines(render({ trials, space, best: 2 }));
    const y = (t: number, axis: number) => drawn.find((l) => l.trial === t)!.points[axis]![1]!;
    // 1e-4, 1e-3, 1e-2, 1e-1 evenly spaced on a log axis, 1e-1 at the top.
    const gaps = [y(3, 0) - y(0, 0), y(0, 0) - y(2, 0), y(2, 0) - y(1, 0)];
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0]!, 0);
    expect(y(1, 0)).toBeLessThan(y(3, 0));
    // Choices in the listed order: sgd at the bottom, adam in the middle, rmsprop at the top.
    expect(y(1, 1)).toBeGreaterThan(y(0, 1));
    expect(y(0, 1)).toBeGreaterThan(y(2, 1));
    expect(y(0, 1)).toBe(y(3, 1));
    // Objective: 0.9 at the top, 0.3 at the bottom.
    expect(y(1, 2)).toBeLessThan(y(0, 2));
    expect(y(0, 2)).toBeLessThan(y(2, 2));
  });

  it('takes the axes from the trials when there is no search space, and draws nothing without trials', () => {
    const svg = render({ trials: trials.slice(0, 2), space: undefined, best: null });
    expect(lines(svg).map((l) => l.points.length)).toEqual([3, 3]);
    expect(render({ trials: [], space, best: null })).toBe('');
  });
});
