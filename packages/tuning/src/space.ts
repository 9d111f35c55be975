import type { ParamValue, SearchParam, SearchSpace } from '@trainyard/shared';
import type { Rng } from './prng';
import type { Params } from './types';

/** One parameter of a search space with its path. */
export interface SpaceEntry {
  readonly path: string;
  readonly param: SearchParam;
}

/**
 * The parameters of a search space in path order. Samplers walk this list, not the object's
 * key order, so that two specs listing the same parameters in another order draw the same
 * values from the same seed.
 */
export function entriesOf(space: SearchSpace): SpaceEntry[] {
  return Object.keys(space)
    .sort()
    .map((path) => ({ path, param: space[path]! }));
}

/** How many values an `int` parameter takes: `min, min + step, …` up to `max`. */
export function intCount(param: { min: number; max: number; step?: number }): number {
  return Math.floor((param.max - param.min) / (param.step ?? 1)) + 1;
}

/** A draw of one parameter, uniform over its range (log-uniform for `log_uniform`). */
export function drawUniform(param: SearchParam, rng: Rng): ParamValue {
  switch (param.type) {
    case 'uniform':
      return clamp(param.min + rng() * (param.max - param.min), param.min, param.max);
    case 'log_uniform': {
      const low = Math.log(param.min);
      const high = Math.log(param.max);
      return clamp(Math.exp(low + rng() * (high - low)), param.min, param.max);
    }
    case 'int':
      return param.min + (param.step ?? 1) * Math.floor(rng() * intCount(param));
    case 'choice':
      return param.values[Math.floor(rng() * param.values.length)]!;
  }
}

/** Whether `value` is one that `param` allows. */
export function allows(param: SearchParam, value: ParamValue | undefined): boolean {
  switch (param.type) {
    case 'uniform':
    case 'log_uniform':
      return typeof value === 'number' && value >= param.min && value <= param.max;
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return false;
      const offset = value - param.min;
      return value <= param.max && offset >= 0 && offset % (param.step ?? 1) === 0;
    }
    case 'choice':
      return value !== undefined && param.values.includes(value);
  }
}

/** Whether every parameter of `space` has an allowed value in `params`. */
export function isInside(space: SearchSpace, params: Params): boolean {
  return entriesOf(space).every(({ path, param }) => allows(param, params[path]));
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
