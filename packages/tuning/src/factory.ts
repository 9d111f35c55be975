import type { SearchSpace } from '@trainyard/shared';
import { AshaPruner } from './pruners/asha';
import { HyperbandPruner } from './pruners/hyperband';
import { MedianPruner } from './pruners/median';
import { NonePruner } from './pruners/none';
import type { Pruner } from './pruners/pruner';
import { GridSampler } from './samplers/grid';
import { RandomSampler } from './samplers/random';
import type { Sampler } from './samplers/sampler';
import { TpeSampler } from './samplers/tpe';

/** The samplers by the names the job spec uses. */
export type SamplerName = 'grid' | 'random' | 'bayesian';
/** The pruners by name; `asha` is a single successive-halving bracket. */
export type PrunerName = 'none' | 'median' | 'asha' | 'hyperband';

/** The one place sampler names become samplers. `seed` defaults to 0; the grid ignores it. */
export function createSampler(
  name: SamplerName,
  space: SearchSpace,
  options: { seed?: number } = {},
): Sampler {
  switch (name) {
    case 'grid':
      return new GridSampler(space);
    case 'random':
      return new RandomSampler(space, options);
    case 'bayesian':
      return new TpeSampler(space, options);
  }
}

/**
 * The one place pruner names become pruners, with their defaults. `maxResource` (the epochs of
 * a full trial) is what Hyperband needs to size its brackets.
 */
export function createPruner(name: PrunerName, options: { maxResource: number }): Pruner {
  switch (name) {
    case 'none':
      return new NonePruner();
    case 'median':
      return new MedianPruner();
    case 'asha':
      return new AshaPruner();
    case 'hyperband':
      return new HyperbandPruner({ maxResource: options.maxResource });
  }
}
