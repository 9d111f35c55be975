/** A generator of uniform numbers in `[0, 1)`. */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger, public domain): a seeded generator of uniform numbers in `[0, 1)`
 * with 32 bits of state (the seed is taken modulo 2^32), passing BigCrush's tests for its size,
 * short enough to audit, and identical on every JavaScript engine. Shared by training (shuffles,
 * splits, augmentation) and tuning (samplers).
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
