import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * A dropout mask of a given shape (1/keep with probability keep = 1 − rate, else 0), drawn in wasm
 * (`assembly/dropout.ts`). tfjs draws dropout's uniform noise in JavaScript, one seedrandom call
 * per element: ~2 ms for a 64×7×7×32 activation, 6% of the bench CNN's step.
 */
export const DROPOUT_MASK = 'TrainyardDropoutMask';

export interface DropoutMaskAttrs extends NamedAttrMap {
  /** The mask's shape (no inputs: nothing for the gradient to flow back to). */
  shape: number[];
  rate: number;
  /** 64 bits of seed as two 32-bit halves (attrs are numbers). */
  seedHigh: number;
  seedLow: number;
}

function dropoutMask(args: { backend: BackendWasm; attrs: DropoutMaskAttrs }): TensorInfo {
  const { backend, attrs } = args;
  const mask = backend.makeOutput(attrs.shape, 'float32');
  const seed = (BigInt(attrs.seedHigh >>> 0) << 32n) | BigInt(attrs.seedLow >>> 0);
  simdKernels(backend).dropoutMask(
    heapOffset(backend, mask),
    attrs.shape.reduce((a, b) => a * b, 1),
    1 - attrs.rate,
    seed,
  );
  return mask;
}

/** `dropoutMask` as the wasm backend's `DROPOUT_MASK` kernel. */
export const dropoutMaskConfig = wasmKernel(DROPOUT_MASK, dropoutMask);
