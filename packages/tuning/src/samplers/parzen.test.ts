import { describe, expect, it } from 'vitest';
import { logGaussMass } from './gauss';
import { type Dim, ParzenEstimator } from './parzen';
import { defaultWeights } from './tpe';

const args = {
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  multivariate: false,
  weights: defaultWeights,
  weightByBandwidth: false,
};

describe('logGaussMass', () => {
  it('matches the normal distribution in the middle, in the tails and on narrow intervals', () => {
    expect(Math.exp(logGaussMass(-1, 1))).toBeCloseTo(0.682689492137, 6);
    expect(Math.exp(logGaussMass(0, Number.POSITIVE_INFINITY))).toBeCloseTo(0.5, 6);
    // P(Z > 10) = 7.6199e-24: far below what a difference of CDFs can represent.
    expect(logGaussMass(10, Number.POSITIVE_INFINITY)).toBeCloseTo(Math.log(7.619853e-24), 4);
    expect(logGaussMass(-Number.POSITIVE_INFINITY, -10)).toBeCloseTo(Math.log(7.619853e-24), 4);
    // A narrow interval: width × density at its middle, where a difference of CDFs would cancel.
    const expected = (0.0001 * Math.exp(-0.5 * 0.50005 ** 2)) / Math.sqrt(2 * Math.PI);
    expect(Math.exp(logGaussMass(0.5, 0.5001)) / expected).toBeCloseTo(1, 8);
  });
});

describe('ParzenEstimator', () => {
  it('is a normalised density on a real range (with weightByBandwidth off)', () => {
    const dims: Dim[] = [{ kind: 'numeric', min: -2, max: 3 }];
    const pe = new ParzenEstimator(dims, [[-1.9], [0.1], [0.15], [2.5]], args);
    let integral = 0;
    const n = 20000;
    for (let i = 0; i < n; i++)
      integral += Math.exp(pe.logPdf([-2 + (5 * (i + 0.5)) / n])) * (5 / n);
    expect(integral).toBeCloseTo(1, 4);
  });

  it('puts masses summing to one on the steps of an int range and on choices', () => {
    const stepped = new ParzenEstimator(
      [{ kind: 'numeric', min: 1, max: 9, step: 2 }],
      [[1], [3], [3], [9]],
      args,
    );
    const steps = [1, 3, 5, 7, 9].reduce((sum, x) => sum + Math.exp(stepped.logPdf([x])), 0);
    expect(steps).toBeCloseTo(1, 9);
    const choices = new ParzenEstimator([{ kind: 'categorical', size: 3 }], [[0], [2], [2]], args);
    const masses = [0, 1, 2].map((c) => Math.exp(choices.logPdf([c])));
    expect(masses.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(masses[2]).toBeGreaterThan(masses[0]!);
    expect(masses[0]).toBeGreaterThan(masses[1]!);
  });
});
