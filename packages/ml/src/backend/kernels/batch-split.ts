import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type SimdPool, simdPool } from '../simd/pool';

/**
 * Below this many multiply-adds a kernel call stays whole on the calling thread: handing half to
 * the pool's worker costs a wake-up (tens of µs) and, for the filter gradient, a sum of the two
 * halves' results. The bench CNN's smallest split calls have ~6-7 million (its second batch norm +
 * ReLU + max pool block, weighed in `bn-relu-pool.ts`; conv 1's filter gradient).
 */
let minWork = 1 << 20;

/** Sets the threshold above (tests use 0 to split every call); returns the previous one. */
export function setSplitMinWork(next: number): number {
  const previous = minWork;
  minWork = next;
  return previous;
}

/** A batch (of images, or of elements) cut in two: [0, first) on this thread, the rest on the worker. */
export interface BatchSplit {
  pool: SimdPool;
  first: number;
}

/**
 * How to share a kernel call over `batch` items and `work` multiply-adds with the pool's worker,
 * or undefined to run it whole on this thread (no pool: see `simdPool`; one image; little work).
 * The worker takes the larger half of an odd batch.
 */
export function batchSplit(
  backend: BackendWasm,
  batch: number,
  work: number,
): BatchSplit | undefined {
  if (batch < 2 || work < minWork) return undefined;
  const pool = simdPool(backend);
  return pool ? { pool, first: Math.floor(batch / 2) } : undefined;
}
