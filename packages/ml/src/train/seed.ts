import { mulberry32 } from '@trainyard/shared';

let masks: () => number = Math.random;

/**
 * Makes a run repeatable. TensorFlow.js draws weight initializations from `Math.random` when no
 * seed is passed, so this seeds `Math.random` from `seed`; call it right before building a model,
 * with nothing asynchronous in between (anything else in the process that draws from
 * `Math.random` meanwhile, such as the AWS SDK's retry jitter, would shift the draws). Dropout
 * masks, drawn all through training while S3 requests come and go, take their seeds from a
 * stream of their own (`maskRandom`), seeded here too. Data order and augmentation take their
 * own seeds from the job (`fit`'s `seed`).
 */
export function seedRandom(seed: number): void {
  Math.random = mulberry32(seed >>> 0);
  masks = mulberry32((seed ^ 0x5bd1e995) >>> 0);
}

/**
 * A number in [0, 1) from the dropout-mask stream: seeded by `seedRandom`, drawn only by dropout,
 * so a mask depends on the job's seed and on how many masks came before it, nothing else.
 * `Math.random` until `seedRandom` is first called.
 */
export function maskRandom(): number {
  return masks();
}
