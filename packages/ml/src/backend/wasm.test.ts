import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadWasm } from './wasm';

describe('loadWasm', () => {
  it('runs the threaded SIMD build from node_modules on every core Node offers', async () => {
    const info = await loadWasm({ threads: 2 });
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.threads).toBe(Math.min(2, os.availableParallelism()));
    const y = tf.conv2d(
      tf.ones([1, 4, 4, 2]) as tf.Tensor4D,
      tf.ones([3, 3, 2, 1]) as tf.Tensor4D,
      1,
      'valid',
    );
    expect(Array.from(await y.data())).toEqual([18, 18, 18, 18]);
  });
});
