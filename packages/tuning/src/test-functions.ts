import type { SearchSpace } from '@trainyard/shared';
import { normal, type Rng } from './prng';
import type { Params } from './types';

/**
 * Standard functions for checking optimisers (Surjanovic & Bingham's library), as minimisation
 * problems over a search space. The tests and `npm run bench:tuning` use them; the Python side of
 * the benchmark defines the same ones.
 */
export interface TestFunction {
  readonly name: string;
  readonly space: SearchSpace;
  /** The global minimum of the noiseless function. */
  readonly minimum: number;
  /** The noiseless value at `params`. */
  value(params: Params): number;
  /** What a trial observes: the value, plus noise for the noisy functions. */
  observe(params: Params, rng: Rng): number;
}

const x = (params: Params, name: string) => params[name] as number;

function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** Branin-Hoo on x1 ∈ [-5, 10], x2 ∈ [0, 15]: three global minima of 0.397887. */
export const braninFunction: TestFunction = {
  name: 'branin',
  space: {
    x1: { type: 'uniform', min: -5, max: 10 },
    x2: { type: 'uniform', min: 0, max: 15 },
  },
  minimum: 0.397887357729739,
  value: (p) => branin(x(p, 'x1'), x(p, 'x2')),
  observe: (p) => branin(x(p, 'x1'), x(p, 'x2')),
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const H_DIMS = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'];

function hartmann6(p: Params): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (x(p, H_DIMS[j]!) - H_P[i]![j]!) ** 2;
    sum += H_ALPHA[i]! * Math.exp(-inner);
  }
  return -sum;
}

/** Hartmann 6-D on [0, 1]^6: one global minimum of -3.32237 among six local ones. */
export const hartmann6Function: TestFunction = {
  name: 'hartmann6',
  space: Object.fromEntries(H_DIMS.map((d) => [d, { type: 'uniform', min: 0, max: 1 }])),
  minimum: -3.32236801141551,
  value: hartmann6,
  observe: hartmann6,
};

/** Standard deviation of the noise of {@link noisyBraninFunction}. */
export const NOISY_BRANIN_SD = 2;

/**
 * Branin observed through Gaussian noise of standard deviation 2 (about a tenth of the function's
 * spread near the optimum region). Regret is measured on the noiseless value of the trial that
 * looked best, which is what a user of the tuned model would get.
 */
export const noisyBraninFunction: TestFunction = {
  ...braninFunction,
  name: 'noisy_branin',
  observe: (p, rng) => branin(x(p, 'x1'), x(p, 'x2')) + NOISY_BRANIN_SD * normal(rng),
};

/** The functions of the benchmark, in its order. */
export const testFunctions: readonly TestFunction[] = [
  braninFunction,
  hartmann6Function,
  noisyBraninFunction,
];
