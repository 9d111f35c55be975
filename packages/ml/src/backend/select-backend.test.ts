import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './errors';
import { describeChoice, selectBackend } from './select-backend';

const fail = (message: string) => async () => {
  throw new Error(message);
};
const ok = (detail?: string) => async () => detail;
// What Node throws for a package that is not installed.
const missing = (name: string) => async () => {
  throw Object.assign(new Error(`Cannot find module '${name}'\nRequire stack: …`), {
    code: 'MODULE_NOT_FOUND',
  });
};

describe('selectBackend', () => {
  it('falls through tensorflow-gpu → tensorflow → wasm and says why each was skipped', async () => {
    const choice = await selectBackend({
      loaders: {
        'tensorflow-gpu': fail('@tensorflow/tfjs-node-gpu loaded, but TensorFlow sees no GPU'),
        tensorflow: missing('@tensorflow/tfjs-node'),
        wasm: ok('SIMD, 2 threads'),
        cpu: fail('must not be tried'),
      },
    });
    expect(choice.backend).toBe('wasm');
    expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['tensorflow-gpu', false],
      ['tensorflow', false],
      ['wasm', true],
    ]);
    expect(describeChoice(choice)).toBe(
      'wasm (SIMD, 2 threads); not tensorflow-gpu: @tensorflow/tfjs-node-gpu loaded, but ' +
        'TensorFlow sees no GPU; not tensorflow: @tensorflow/tfjs-node is not installed',
    );
  });

  it('prefers the GPU when it is there', async () => {
    const choice = await selectBackend({ loaders: { 'tensorflow-gpu': ok(), wasm: fail('no') } });
    expect(choice).toEqual({
      backend: 'tensorflow-gpu',
      attempts: [{ backend: 'tensorflow-gpu', ok: true }],
    });
  });

  it('tries only the backend configuration names, and throws when it cannot start', async () => {
    const attempt = selectBackend({
      preference: 'tensorflow',
      loaders: { tensorflow: fail('libtensorflow.so: cannot open shared object file'), cpu: ok() },
    });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toMatchObject({
      code: 'backend_unavailable',
      attempts: [
        {
          backend: 'tensorflow',
          ok: false,
          reason: 'libtensorflow.so: cannot open shared object file',
        },
      ],
    });
  });

  it('on this machine (no native binaries) auto runs wasm with SIMD', async () => {
    const choice = await selectBackend({ wasm: { threads: 1 } });
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.slice(0, 2)).toEqual([
      {
        backend: 'tensorflow-gpu',
        ok: false,
        reason: '@tensorflow/tfjs-node-gpu is not installed',
      },
      { backend: 'tensorflow', ok: false, reason: '@tensorflow/tfjs-node is not installed' },
    ]);
    expect(describeChoice(choice)).toMatch(/^wasm \(SIMD( \(relaxed\))?, 1 thread\)/);
    expect(await tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).data()).toEqual(
      new Float32Array([4, 6]),
    );
  });

  it('honours an explicit cpu', async () => {
    const choice = await selectBackend({ preference: 'cpu' });
    expect(choice.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
