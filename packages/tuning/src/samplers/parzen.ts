import type { Rng } from '../prng';
import { logGaussMass, logNormalPdf, sampleTruncatedNormal } from './gauss';

/**
 * One dimension of a Parzen estimator, in the sampler's internal space: a real or stepped range
 * (already in log space for `log_uniform`), or the indices of a choice.
 */
export type Dim =
  | { kind: 'numeric'; min: number; max: number; step?: number }
  | { kind: 'categorical'; size: number };

/** Options of the estimator; the defaults are Optuna's `TPESampler` ones. */
export interface ParzenArgs {
  /** Weight of the prior kernel (a wide one centred on the range) against one observation. */
  priorWeight: number;
  /** Keep kernels at least range/min(100, kernels) wide, so no kernel becomes a spike. */
  considerMagicClip: boolean;
  /** Let the bounds count as neighbours when sizing the outermost kernels. */
  considerEndpoints: boolean;
  /** Kernel width from Scott's rule over all dimensions rather than from the neighbours. */
  multivariate: boolean;
  /** Weights of `n` observations given oldest first. */
  weights: (n: number) => number[];
  /**
   * Leave the 1/σ out of the densities of real dimensions in `logPdf`: each kernel then counts in
   * proportion to its width. Sampling is unaffected, and within one estimator this only rescales
   * kernel weights (the total is one constant that cancels in l(x)/g(x)).
   */
  weightByBandwidth: boolean;
}

interface NumericKernels {
  kind: 'numeric';
  /** Bounds of the kernels: for a stepped range, half a step beyond `min` and `max`. */
  low: number;
  high: number;
  min: number;
  max: number;
  step: number | undefined;
  mus: number[];
  sigmas: number[];
  /** log of the mass each kernel keeps inside `[low, high]`. */
  logZ: number[];
}

interface CategoricalKernels {
  kind: 'categorical';
  probs: number[][];
  logProbs: number[][];
}

/**
 * A mixture of one kernel per observation plus a prior kernel: truncated normals on numeric
 * dimensions (mass per step on stepped ones), smoothed one-hot distributions on categorical ones,
 * and a product across dimensions. TPE fits one to the good trials (l) and one to the others (g).
 */
export class ParzenEstimator {
  private readonly weights: number[];
  private readonly cumulative: number[];
  private readonly dims: (NumericKernels | CategoricalKernels)[];
  private readonly weightByBandwidth: boolean;

  /** `observations[i][d]` is observation `i` on dimension `d`, oldest observation first. */
  constructor(
    dims: readonly Dim[],
    observations: readonly (readonly number[])[],
    args: ParzenArgs,
  ) {
    const n = observations.length;
    const raw = [...args.weights(n).slice(0, n), args.priorWeight];
    const total = raw.reduce((a, b) => a + b, 0);
    this.weights = raw.map((w) => w / total);
    this.weightByBandwidth = args.weightByBandwidth;
    let running = 0;
    this.cumulative = this.weights.map((w) => (running += w));
    this.dims = dims.map((dim, d) => {
      const column = observations.map((row) => row[d]!);
      return dim.kind === 'categorical'
        ? categoricalKernels(dim.size, column, args.priorWeight)
        : numericKernels(dim, column, dims.length, args);
    });
  }

  /** `count` points drawn from the mixture, one array of dimension values each. */
  sample(rng: Rng, count: number): number[][] {
    const points: number[][] = [];
    for (let i = 0; i < count; i++) {
      const u = rng();
      let k = this.cumulative.findIndex((c) => u < c);
      if (k < 0) k = this.weights.length - 1;
      points.push(this.dims.map((dim) => sampleKernel(dim, k, rng)));
    }
    return points;
  }

  /** log density (log mass on stepped and categorical dimensions) of the mixture at `point`. */
  logPdf(point: readonly number[]): number {
    const terms = this.weights.map((w, k) => {
      let sum = Math.log(w);
      for (let d = 0; d < this.dims.length; d++) {
        sum += logKernel(this.dims[d]!, k, point[d]!, this.weightByBandwidth);
      }
      return sum;
    });
    const m = Math.max(...terms);
    if (m === Number.NEGATIVE_INFINITY) return m;
    return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  }
}

function categoricalKernels(
  size: number,
  column: readonly number[],
  priorWeight: number,
): CategoricalKernels {
  // Each observation puts 1 on its choice over a floor of priorWeight / kernels on every choice;
  // the prior kernel is the floor alone, that is uniform.
  const floor = priorWeight / (column.length + 1);
  const rows = [...column, -1].map((observed) => {
    const row = Array.from({ length: size }, (_, c) => floor + (c === observed ? 1 : 0));
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((p) => p / sum);
  });
  return { kind: 'categorical', probs: rows, logProbs: rows.map((row) => row.map(Math.log)) };
}

function numericKernels(
  dim: Extract<Dim, { kind: 'numeric' }>,
  column: readonly number[],
  nDims: number,
  args: ParzenArgs,
): NumericKernels {
  const half = dim.step === undefined ? 0 : dim.step / 2;
  const low = dim.min - half;
  const high = dim.max + half;
  const range = high - low;
  const mus = [...column, 0.5 * (low + high)];
  let sigmas: number[];
  if (args.multivariate) {
    // Scott's rule as in BOHB and Optuna's multivariate TPE.
    const sigma0 = 0.2 * Math.max(column.length, 1) ** (-1 / (nDims + 4)) * range;
    sigmas = mus.map(() => sigma0);
  } else {
    sigmas = neighbourSigmas(mus, low, high, args.considerEndpoints);
  }
  const maxSigma = range;
  const minSigma = args.considerMagicClip ? range / Math.min(100, 1 + mus.length) : 1e-12;
  sigmas = sigmas.map((s) => Math.min(maxSigma, Math.max(minSigma, s)));
  // The prior kernel spans the whole range whatever its neighbours say.
  sigmas[sigmas.length - 1] = range;
  const logZ = mus.map((mu, k) => logGaussMass((low - mu) / sigmas[k]!, (high - mu) / sigmas[k]!));
  return {
    kind: 'numeric',
    low,
    high,
    min: dim.min,
    max: dim.max,
    step: dim.step,
    mus,
    sigmas,
    logZ,
  };
}

/**
 * Each kernel as wide as the larger gap to its neighbours in sorted order (the bounds count as
 * neighbours only with `considerEndpoints`), so kernels are narrow where observations crowd.
 */
function neighbourSigmas(
  mus: readonly number[],
  low: number,
  high: number,
  considerEndpoints: boolean,
): number[] {
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = [low, ...order.map((i) => mus[i]!), high];
  const gaps = order.map((_, j) =>
    Math.max(sorted[j + 1]! - sorted[j]!, sorted[j + 2]! - sorted[j + 1]!),
  );
  if (!considerEndpoints && sorted.length >= 4) {
    gaps[0] = sorted[2]! - sorted[1]!;
    gaps[gaps.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
  }
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, j) => {
    sigmas[i] = gaps[j]!;
  });
  return sigmas;
}

function sampleKernel(dim: NumericKernels | CategoricalKernels, k: number, rng: Rng): number {
  if (dim.kind === 'categorical') {
    const u = rng();
    const row = dim.probs[k]!;
    let acc = 0;
    for (let c = 0; c < row.length; c++) {
      acc += row[c]!;
      if (u < acc) return c;
    }
    return row.length - 1;
  }
  const x = sampleTruncatedNormal(rng, dim.mus[k]!, dim.sigmas[k]!, dim.low, dim.high);
  if (dim.step === undefined) return Math.min(dim.max, Math.max(dim.min, x));
  const snapped = dim.min + Math.round((x - dim.min) / dim.step) * dim.step;
  return Math.min(dim.max, Math.max(dim.min, snapped));
}

function logKernel(
  dim: NumericKernels | CategoricalKernels,
  k: number,
  x: number,
  weightByBandwidth: boolean,
): number {
  if (dim.kind === 'categorical') return dim.logProbs[k]![x] ?? Number.NEGATIVE_INFINITY;
  const mu = dim.mus[k]!;
  const sigma = dim.sigmas[k]!;
  if (dim.step === undefined) {
    const logWidth = weightByBandwidth ? 0 : Math.log(sigma);
    return logNormalPdf((x - mu) / sigma) - logWidth - dim.logZ[k]!;
  }
  const lower = Math.max(x - dim.step / 2, dim.low);
  const upper = Math.min(x + dim.step / 2, dim.high);
  return logGaussMass((lower - mu) / sigma, (upper - mu) / sigma) - dim.logZ[k]!;
}
