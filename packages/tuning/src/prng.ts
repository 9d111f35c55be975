/**
 * Seeded randomness for the samplers. Suggestions must be reproducible from the seed and the
 * study's history alone (a study resumed in another process must ask the same thing), so each
 * suggestion draws from its own stream, seeded from the sampler's seed and the trial number,
 * rather than from one generator whose state lives in a process. The generator itself,
 * `mulberry32`, is shared's (training draws from it too).
 */
import { mulberry32, type Rng } from '@trainyard/shared';

export type { Rng };

/** The murmur3 finaliser: spreads every input bit over the output, so seeds 1 and 2 differ. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A 32-bit seed mixed from integers (for example a study seed and a trial number). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split into two 32-bit halves so that seeds above 2^32 still count in full.
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = fmix32(h ^ low) + 0x7f4a7c15;
    h = fmix32(h ^ high);
  }
  return h >>> 0;
}

/** The stream of draws for one trial of a seeded sampler. */
export function rngFor(seed: number, trialNumber: number): Rng {
  return mulberry32(deriveSeed(seed, trialNumber));
}

/** A standard normal draw (Box-Muller; the second value is dropped to keep the stream simple). */
export function normal(rng: Rng): number {
  // 1 - u is in (0, 1], so the logarithm is finite.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
