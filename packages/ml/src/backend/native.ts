import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from './errors';

const require = createRequire(import.meta.url);

/** What a native package exposes on its backend once loaded (tfjs-node's `NodeJSKernelBackend`). */
interface NativeBackend {
  readonly isUsingGpuDevice?: boolean;
}

/**
 * Loads `@tensorflow/tfjs-node-gpu` and checks that TensorFlow sees a GPU. Throws with the reason
 * otherwise. The package is an optional dependency: where libtensorflow could not be downloaded at
 * install time, `require` throws, which is the common case on a laptop.
 */
export async function loadTensorflowGpu(): Promise<void> {
  require('@tensorflow/tfjs-node-gpu');
  await tf.setBackend('tensorflow');
  const backend = tf.backend() as unknown as NativeBackend;
  if (backend.isUsingGpuDevice !== true) {
    throw new BackendUnavailableError(
      '@tensorflow/tfjs-node-gpu loaded, but TensorFlow sees no GPU (no CUDA device)',
    );
  }
}

/** Loads `@tensorflow/tfjs-node` (libtensorflow on the CPU). Throws when it is not installed. */
export async function loadTensorflow(): Promise<void> {
  // When the GPU package loaded but found no GPU, its `tensorflow` backend runs on the CPU just as
  // well, and registering the CPU package as well would clash with it.
  if (tf.findBackendFactory('tensorflow') === null) require('@tensorflow/tfjs-node');
  await tf.setBackend('tensorflow');
}
