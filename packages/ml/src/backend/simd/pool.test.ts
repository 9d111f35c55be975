import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { InternalError } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSplitMinWork } from '../kernels/batch-split';
import { setConvCode } from '../kernels/conv2d-direct';
import { dropoutForward } from '../kernels/dropout-forward';
import { seeded, useWasm } from '../kernels/test-support';
import { heapOffset } from './module';
import { setPoolTakeBack, simdPool } from './pool';

let previousWork: number;
let previousCode: ReturnType<typeof setConvCode>;
beforeAll(async () => {
  await useWasm();
  await tf.setBackend('wasm');
  previousWork = setSplitMinWork(0); // split every call, however small
  previousCode = setConvCode('own'); // our direct convolution, not XNNPACK
});
afterAll(() => {
  setSplitMinWork(previousWork);
  setConvCode(previousCode);
  delete process.env.TRAINYARD_WASM_POOL;
});

const pool = () => simdPool(tf.backend() as BackendWasm)!;

/** The values `compute` returns with the pool, and with every kernel on this thread. */
async function splitAndWhole(compute: () => tf.Tensor[]) {
  const run = async () => {
    const outputs = tf.tidy(compute);
    const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outputs);
    return values;
  };
  const before = pool().workerCalls + pool().takenBack;
  const split = await run();
  // Halves handed to the worker: it ran them, or this thread took them back (worker not started).
  const halves = pool().workerCalls + pool().takenBack - before;
  process.env.TRAINYARD_WASM_POOL = '0';
  try {
    return { split, whole: await run(), halves };
  } finally {
    delete process.env.TRAINYARD_WASM_POOL;
  }
}

function expectClose(actual: Float32Array[], expected: Float32Array[]) {
  expect(actual.length).toBe(expected.length);
  for (const [i, want] of expected.entries()) {
    const got = actual[i]!;
    expect(got.length).toBe(want.length);
    const scale = Math.max(1, ...Array.from(want, Math.abs));
    let worst = 0;
    for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
    expect(worst / scale, `largest difference in output ${i}`).toBeLessThan(1e-5);
  }
}

const shapes = [
  {
    name: '5 images, 3×3 same, 16 → 32',
    x: [5, 9, 9, 16],
    f: [3, 3, 16, 32],
    pad: 'same',
    calls: 3,
  },
  {
    name: '7 images, 3×3 valid, 1 → 8',
    x: [7, 11, 10, 1],
    f: [3, 3, 1, 8],
    pad: 'valid',
    calls: 2,
  },
  { name: '3 images, 5×3 same, 4 → 16', x: [3, 8, 7, 4], f: [5, 3, 4, 16], pad: 'same', calls: 2 },
] as const;

describe('the kernel pool (threaded wasm: half a batch on a second thread)', () => {
  for (const { name, x: xShape, f: fShape, pad, calls } of shapes) {
    it(`splits the conv filter gradient and direct convolution by batch: ${name}`, async () => {
      const x = seeded([...xShape], 1);
      const filter = seeded([...fShape], 2);
      const { split, whole, halves } = await splitAndWhole(() => {
        const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, pad);
        const dy = seeded(y.shape, 3);
        const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: 'floor' };
        const dw = tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape });
        const dx = tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape });
        return [y, dw as tf.Tensor, dx as tf.Tensor];
      });
      expectClose(split, whole);
      // Forward, filter gradient and (where our kernel takes it: 8k input channels) the input
      // gradient each handed a half to the worker.
      expect(halves).toBe(calls);
      tf.dispose([x, filter]);
    });
  }

  it('splits dropout with the same mask as one call (its random stream skipped ahead)', async () => {
    const size = 10_007;
    const x = seeded([size], 6);
    const seed = (BigInt(0x9e3779b9) << 32n) | 0x7f4a7c15n;
    const backend = tf.backend() as BackendWasm;
    const { split, whole, halves } = await splitAndWhole(() => {
      const mask = tf.zeros([size]);
      const y = tf.zeros([size]);
      const at = (t: tf.Tensor) => heapOffset(backend, t);
      dropoutForward(backend, at(x), at(mask), at(y), size, 0.75, seed);
      return [mask, y];
    });
    expect(halves).toBe(1);
    expect(split).toEqual(whole);
    const kept = Array.from(whole[0]!).filter((m) => m !== 0).length / size;
    expect(kept).toBeGreaterThan(0.7);
    expect(kept).toBeLessThan(0.8);
    tf.dispose(x);
  });

  it('runs a single image on this thread alone', async () => {
    const x = seeded([1, 6, 6, 4], 4);
    const filter = seeded([3, 3, 4, 8], 5);
    const { split, whole, halves } = await splitAndWhole(() => [
      tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'),
    ]);
    expectClose(split, whole);
    expect(halves).toBe(0);
    tf.dispose([x, filter]);
  });

  it('takes first layers (fewer than 4 input channels) off XNNPACK by default only where it splits', async () => {
    setConvCode('auto');
    try {
      const filter = seeded([3, 3, 1, 16], 7);
      for (const [images, calls] of [
        [5, 1],
        [1, 0],
      ] as const) {
        const x = seeded([images, 12, 12, 1], 8);
        const parts = () => pool().workerCalls + pool().takenBack;
        const before = parts();
        const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same');
        await y.data();
        expect(parts() - before, `${images} images`).toBe(calls);
        tf.dispose([x, y]);
      }
      filter.dispose();
    } finally {
      setConvCode('own');
    }
  });

  it("reports the worker's error to the caller, after the caller's own part, and keeps working", () => {
    const previous = setPoolTakeBack(false); // the worker runs its part, however late it starts
    try {
      expectWorkerErrorsToReachTheCaller();
    } finally {
      setPoolTakeBack(previous);
    }
  });

  it('runs the worker part on the worker (its call counter), and takes back one not started', () => {
    const previous = setPoolTakeBack(false);
    try {
      const before = pool().workerCalls;
      for (let i = 0; i < 3; i++) pool().together('reluGrad', [0, 0, 0, 0], () => {});
      expect(pool().workerCalls).toBe(before + 3);
    } finally {
      setPoolTakeBack(previous);
    }
    // With take-back on, an empty caller part often finishes before the worker wakes, and the
    // caller runs the worker's part itself: whoever ran it, each part ran exactly once.
    const before = pool().workerCalls + pool().takenBack;
    for (let i = 0; i < 20; i++) pool().together('reluGrad', [0, 0, 0, 0], () => {});
    expect(pool().workerCalls + pool().takenBack).toBe(before + 20);
  });

  function expectWorkerErrorsToReachTheCaller() {
    let mainRan = false;
    // A pointer far beyond the heap: the worker's wasm traps.
    const outside = 2 ** 31;
    expect(() =>
      pool().together('reluGrad', [outside, outside, outside, 1024], () => {
        mainRan = true;
      }),
    ).toThrow(InternalError);
    expect(mainRan).toBe(true);
    expect(() => pool().together('reluGrad', [outside, outside, outside, 1024], () => {})).toThrow(
      /reluGrad.*out of bounds/s,
    );
    const before = pool().workerCalls;
    pool().together('reluGrad', [0, 0, 0, 0], () => {});
    expect(pool().workerCalls).toBe(before + 1);
  }

  it('lets a process that used it exit by itself', () => {
    const fixture = fileURLToPath(new URL('./pool-exit.fixture.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/worker calls: 1\b/);
  });

  it('is not used when switched off (TRAINYARD_WASM_POOL=0)', () => {
    process.env.TRAINYARD_WASM_POOL = '0';
    try {
      expect(simdPool(tf.backend() as BackendWasm)).toBeUndefined();
    } finally {
      delete process.env.TRAINYARD_WASM_POOL;
    }
  });
});
