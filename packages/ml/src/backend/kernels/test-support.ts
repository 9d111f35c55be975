import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { loadWasm } from '../wasm';

/** Starts the wasm backend (threaded, our kernels registered) once per test file. */
export async function useWasm(): Promise<void> {
  await loadWasm({ threads: 2 });
}

/**
 * Runs `compute` on the `cpu` backend (tfjs's reference implementation) and on `wasm`, and expects
 * every output to agree within float32 rounding, scaled to the output's magnitude. `compute` is
 * told which backend runs, for references that cpu computes another way.
 */
export async function expectSameOnCpuAndWasm(
  compute: (backend: 'cpu' | 'wasm') => tf.Tensor | tf.Tensor[],
  tolerance = 1e-4,
): Promise<void> {
  const run = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const outputs = tf.tidy(() => [compute(backend)].flat());
    const values = await Promise.all(
      outputs.map(async (t) => ({ shape: t.shape, data: await t.data() })),
    );
    tf.dispose(outputs);
    return values;
  };
  const expected = await run('cpu');
  const actual = await run('wasm');
  expect(actual.length).toBe(expected.length);
  for (const [i, want] of expected.entries()) {
    const got = actual[i]!;
    expect(got.shape, `shape of output ${i}`).toEqual(want.shape);
    const scale = Math.max(1, ...Array.from(want.data, Math.abs));
    let worst = 0;
    for (let k = 0; k < want.data.length; k++) {
      worst = Math.max(worst, Math.abs(Number(got.data[k]) - Number(want.data[k])));
    }
    expect(worst / scale, `largest difference in output ${i}`).toBeLessThan(tolerance);
  }
}

/** Deterministic values in [-1, 1) so both backends see the same inputs. */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}
