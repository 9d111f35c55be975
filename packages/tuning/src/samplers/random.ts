import type { ParamValue, SearchSpace } from '@trainyard/shared';
import { rngFor } from '../prng';
import { drawUniform, entriesOf } from '../space';
import type { Params } from '../types';
import type { Sampler, SuggestContext } from './sampler';

/** Options of {@link RandomSampler}. */
export interface RandomSamplerArgs {
  /** Seed of the draws. Default 0. */
  seed?: number;
}

/**
 * Independent uniform draws: `uniform` evenly, `log_uniform` evenly in log space, `int` and
 * `choice` with equal odds per value. Trial `n` draws from its own stream seeded by `(seed, n)`,
 * so suggestions ignore the history and parallel workers never need to coordinate.
 */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  private readonly seed: number;

  constructor(
    private readonly space: SearchSpace,
    args: RandomSamplerArgs = {},
  ) {
    this.seed = args.seed ?? 0;
  }

  suggest({ trialNumber }: SuggestContext): Params {
    const rng = rngFor(this.seed, trialNumber);
    const params: Record<string, ParamValue> = {};
    for (const { path, param } of entriesOf(this.space)) params[path] = drawUniform(param, rng);
    return params;
  }
}
