import type { ParamValue, SearchParam, SearchSpace } from '@trainyard/shared';
import { TrialStateError, TuningError } from '../errors';
import { entriesOf, intCount } from '../space';
import type { Params } from '../types';
import type { Sampler, SuggestContext } from './sampler';

/** Options of {@link GridSampler}. */
export interface GridSamplerArgs {
  /** Prefix of the `param` named in errors. Default `tuning.search_space`. */
  paramPrefix?: string;
}

/**
 * The exact cartesian product of the parameters' values, one point per trial, in order: trial
 * `n` gets point `n`, the last path (alphabetically) varying fastest. A trial number depends on
 * nothing but the order trials were asked for, so a resumed study continues where it stopped.
 *
 * `int` and `choice` parameters contribute all their values. A real interval has no finite grid
 * of its own, so `uniform` and `log_uniform` need `grid_points` (evenly spaced, on a log scale
 * for `log_uniform`, both ends included); without it the sampler is rejected with a
 * `TuningError` naming the parameter, rather than picking a count the user did not choose.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  readonly size: number;
  private readonly axes: { path: string; values: ParamValue[] }[];

  constructor(space: SearchSpace, args: GridSamplerArgs = {}) {
    const { paramPrefix = 'tuning.search_space' } = args;
    this.axes = entriesOf(space).map(({ path, param }) => ({
      path,
      values: axisValues(path, param, paramPrefix),
    }));
    this.size = this.axes.reduce((product, axis) => product * axis.values.length, 1);
  }

  suggest({ trialNumber }: SuggestContext): Params {
    if (!Number.isInteger(trialNumber) || trialNumber < 0 || trialNumber >= this.size) {
      throw new TrialStateError(
        `grid point ${trialNumber} asked for; the grid has ${this.size} points`,
        { code: 'grid_exhausted' },
      );
    }
    const params: Record<string, ParamValue> = {};
    let rest = trialNumber;
    // Mixed-radix digits of the trial number, last axis first: the last path varies fastest.
    for (let i = this.axes.length - 1; i >= 0; i--) {
      const { path, values } = this.axes[i]!;
      params[path] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    return params;
  }
}

/** The values one parameter takes on the grid. */
function axisValues(path: string, param: SearchParam, paramPrefix: string): ParamValue[] {
  if (param.type === 'choice') return [...param.values];
  if (param.type === 'int') {
    const step = param.step ?? 1;
    return Array.from({ length: intCount(param) }, (_, i) => param.min + i * step);
  }
  if (param.grid_points === undefined) {
    throw new TuningError(
      `${path}: a ${param.type} range has no grid of its own; the grid strategy needs ` +
        `"grid_points" (2 or more) on it, or use "int" or "choice" instead`,
      { param: `${paramPrefix}.${path}.grid_points`, code: 'grid_points_required' },
    );
  }
  return spaced(param.min, param.max, param.grid_points, param.type === 'log_uniform');
}

/** `count` values from `min` to `max` with both ends exact, evenly spaced or log-spaced. */
function spaced(min: number, max: number, count: number, log: boolean): number[] {
  const low = log ? Math.log(min) : min;
  const high = log ? Math.log(max) : max;
  return Array.from({ length: count }, (_, i) => {
    if (i === 0) return min;
    if (i === count - 1) return max;
    const x = low + ((high - low) * i) / (count - 1);
    return log ? Math.exp(x) : x;
  });
}
