import { mulberry32 } from '@trainyard/shared';
/**
 * Makes a run repeatable: TensorFlow.js draws weight initializations and dropout masks from
 * `Math.random` when no seed is passed, so the trainer (one job per process) seeds it from the
 * job's seed before building and training a model.
 */
export function seedRandom(seed: number): void {
  Math.random = mulberry32(seed >>> 0);
}
