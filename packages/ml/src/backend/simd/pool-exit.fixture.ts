/**
 * Run by `pool.test.ts` as a process of its own: starts the threaded wasm backend, runs filter
 * gradients split over the kernel pool, prints how many calls the worker ran and then simply ends,
 * leaving the worker waiting for calls. The process must exit by itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadWasm } from '../wasm';
import { setPoolTakeBack, simdPool } from './pool';

await loadWasm({ threads: 2 });
setPoolTakeBack(false); // the worker runs its half, however late it starts
const x = tf.randomUniform([9, 14, 14, 16], -1, 1, 'float32', 1);
const dy = tf.randomUniform([9, 14, 14, 32], -1, 1, 'float32', 2);
const dw = tf.engine().runKernel(
  'Conv2DBackpropFilter',
  { x, dy },
  {
    strides: [1, 1],
    pad: 'same',
    dataFormat: 'NHWC',
    dimRoundingMode: 'floor',
    filterShape: [3, 3, 16, 32],
  },
) as tf.Tensor;
await dw.data();
console.log(`worker calls: ${simdPool(tf.backend() as BackendWasm)?.workerCalls ?? 0}`);
