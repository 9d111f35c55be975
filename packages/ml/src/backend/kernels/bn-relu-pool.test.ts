import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapOffset } from '../simd';
import { setPoolTakeBack, simdPool } from '../simd/pool';
import { setSplitMinWork } from './batch-split';
import { type BnReluPoolGeometry, bnReluPoolBackward, bnReluPoolForward } from './bn-relu-pool';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

let previousWork: number;
beforeAll(async () => {
  await useWasm();
  previousWork = setSplitMinWork(0); // split every block with a batch of two or more
});
afterAll(() => {
  setSplitMinWork(previousWork);
  delete process.env.TRAINYARD_WASM_POOL;
});

/**
 * Odd batches (the worker takes the larger half), images the windows do not tile (rows and columns
 * left outside every window), rectangular windows, and row counts the sums' 64-row blocks do not
 * divide.
 */
const cases: { name: string; geometry: BnReluPoolGeometry }[] = [
  {
    name: '5 images 17×13×16, 2×2 windows (a row and a column outside)',
    geometry: { batch: 5, inH: 17, inW: 13, channels: 16, poolH: 2, poolW: 2, epsilon: 1e-3 },
  },
  {
    name: '7 images 10×11×8, 3×2 windows (a row and a column outside)',
    geometry: { batch: 7, inH: 10, inW: 11, channels: 8, poolH: 3, poolW: 2, epsilon: 1e-3 },
  },
  {
    name: '2 images 8×8×4, 2×2 windows (one image a thread; all 32 outputs in the second sum)',
    geometry: { batch: 2, inH: 8, inW: 8, channels: 4, poolH: 2, poolW: 2, epsilon: 1e-5 },
  },
];

/** The block's outputs and gradients on wasm through `bn-relu-pool.ts`, from seeded inputs. */
function block(g: BnReluPoolGeometry, seed: number) {
  const backend = tf.backend() as BackendWasm;
  const at = (t: tf.Tensor) => heapOffset(backend, t);
  const { batch, inH, inW, channels, poolH, poolW } = g;
  const outShape = [batch, Math.floor(inH / poolH), Math.floor(inW / poolW), channels];
  // Scaled and shifted so that the statistics are not those of plain uniform noise.
  const x = seeded([batch, inH, inW, channels], seed).mul(3).add(0.5);
  const gamma = seeded([channels], seed + 1).add(1.5);
  const beta = seeded([channels], seed + 2);
  const dPooled = seeded(outShape, seed + 3);
  const pooled = tf.zeros(outShape);
  const winner = tf.zeros(outShape, 'int32');
  const winnerX = tf.zeros(outShape);
  const mean = tf.zeros([channels]);
  const variance = tf.zeros([channels]);
  const dx = tf.zeros(x.shape);
  const dgamma = tf.zeros([channels]);
  const dbeta = tf.zeros([channels]);
  const scratch = () => at(tf.zeros([9 * channels]));
  const forward = { x: at(x), gamma: at(gamma), beta: at(beta) };
  const saved = { pooled: at(pooled), winner: at(winner), winnerX: at(winnerX) };
  const statistics = { mean: at(mean), variance: at(variance) };
  bnReluPoolForward(backend, { ...forward, ...saved, ...statistics, scratch: scratch() }, g);
  bnReluPoolBackward(
    backend,
    {
      dPooled: at(dPooled),
      x: at(x),
      ...saved,
      ...statistics,
      gamma: at(gamma),
      dx: at(dx),
      dgamma: at(dgamma),
      dbeta: at(dbeta),
      scratch: scratch(),
    },
    g,
  );
  return { pooled, winner, winnerX, mean, variance, dx, dgamma, dbeta };
}

/** The same block as tfjs's own ops (on `cpu`: its reference implementation), and its gradients. */
function reference(g: BnReluPoolGeometry, seed: number) {
  const { batch, inH, inW, channels, poolH, poolW, epsilon } = g;
  const x = seeded([batch, inH, inW, channels], seed).mul(3).add(0.5);
  const gamma = seeded([channels], seed + 1).add(1.5);
  const beta = seeded([channels], seed + 2);
  const forward = (a: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    const y = tf.relu(tf.batchNorm(a, mean, variance, b, k, epsilon));
    return {
      pooled: tf.maxPool(y as tf.Tensor4D, [poolH, poolW], [poolH, poolW], 'valid'),
      mean,
      variance,
    };
  };
  const { pooled, mean, variance } = forward(x, gamma, beta);
  const dPooled = seeded(pooled.shape, seed + 3);
  const [dx, dgamma, dbeta] = tf.grads((a: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
    forward(a, k, b).pooled.mul(dPooled).sum(),
  )([x, gamma, beta]) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return { pooled, mean, variance, dx, dgamma, dbeta };
}

const pool = () => simdPool(tf.backend() as BackendWasm)!;

describe('batch norm + ReLU + max pool as one block, split over the kernel pool', () => {
  for (const [i, { name, geometry }] of cases.entries()) {
    it(`matches tfjs's layers and their gradients on cpu, split: ${name}`, async () => {
      await expectSameOnCpuAndWasm((backend) => {
        const r = backend === 'cpu' ? reference(geometry, 10 * i) : block(geometry, 10 * i);
        return [r.pooled, r.mean, r.variance, r.dx, r.dgamma, r.dbeta];
      });
    });

    it(`gives what the whole-batch kernels give, the worker running its halves: ${name}`, async () => {
      await tf.setBackend('wasm');
      const run = async () => {
        const outputs = tf.tidy(() => Object.values(block(geometry, 10 * i + 5)));
        const values = await Promise.all(outputs.map((t) => t.data()));
        tf.dispose(outputs);
        return values.map((v) => Array.from(v));
      };
      const previous = setPoolTakeBack(false); // the worker runs its part, however late it starts
      let split: number[][];
      let calls: number;
      try {
        const before = pool().workerCalls;
        split = await run();
        calls = pool().workerCalls - before;
      } finally {
        setPoolTakeBack(previous);
      }
      // Forward: Σ x, Σ (x − mean)², the windows; backward: the two sums, the windows.
      expect(calls).toBe(5);
      const worker = pool();
      process.env.TRAINYARD_WASM_POOL = '0';
      let whole: number[][];
      try {
        const before = worker.workerCalls + worker.takenBack;
        whole = await run();
        expect(worker.workerCalls + worker.takenBack).toBe(before);
      } finally {
        delete process.env.TRAINYARD_WASM_POOL;
      }
      // Sums split at a multiple of the kernels' 64-row blocks: the same float32 blocks, and (for
      // these inputs) the same float64 totals, so every output agrees bit for bit.
      expect(split).toEqual(whole);
    });
  }

  it('keeps a one-image block whole on this thread', async () => {
    await tf.setBackend('wasm');
    const before = pool().workerCalls + pool().takenBack;
    const geometry = { ...cases[0]!.geometry, batch: 1 };
    tf.dispose(tf.tidy(() => Object.values(block(geometry, 3))));
    expect(pool().workerCalls + pool().takenBack).toBe(before);
  });
});
