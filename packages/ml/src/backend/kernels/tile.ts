import { type TensorInfo, Tile, type TileAttrs, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

type Heap = Float32Array | Int32Array | Uint8Array;

/**
 * Tile by block copies in the wasm heap. tfjs-backend-wasm's Tile computes a source index per
 * output element and took ~100 ms to spread a [1, 1, 1, C] vector over a 64×28×28 batch, which the
 * batch-norm gradient does for every layer on every step. Here each input row is copied once and
 * every repetition is a `copyWithin` (a memmove) of an already-written block, doubling each time.
 */
export function tile(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: TileAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype === 'string' || x.shape.length === 0) {
    return originalKernelFunc(Tile)(args as never) as TensorInfo;
  }
  const outShape = x.shape.map((d, i) => d * attrs.reps[i]!);
  // Trailing axes that are not repeated are one contiguous block in both input and output: merge
  // them into one, so that each block is copied by a single call rather than row by row.
  let keep = x.shape.length;
  while (keep > 1 && attrs.reps[keep - 1] === 1) keep--;
  const inShape = [...x.shape.slice(0, keep - 1), util.sizeFromShape(x.shape.slice(keep - 1))];
  const reps = attrs.reps.slice(0, keep);
  const merged = inShape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.includes(0)) return out;
  // Views are taken after makeOutput: allocating may grow the heap and detach older views.
  const src = backend.typedArrayFromHeap(x) as Heap;
  const dst = backend.typedArrayFromHeap(out) as Heap;
  const rank = inShape.length;
  const inStrides = strides(inShape);
  const outStrides = strides(merged);

  /** Writes the tile of input block `dim` at `from` to `to`, including its repetitions. */
  const fill = (dim: number, from: number, to: number): void => {
    const inner = inShape[dim]!;
    if (dim === rank - 1) {
      dst.set(src.subarray(from, from + inner), to);
    } else {
      for (let i = 0; i < inner; i++) {
        fill(dim + 1, from + i * inStrides[dim]!, to + i * outStrides[dim]!);
      }
    }
    repeat(dst, to, inner * outStrides[dim]!, reps[dim]!);
  };
  fill(0, 0, 0);
  return out;
}

/** Makes `times` copies in a row of the `size` values at `at`, doubling the copied span. */
function repeat(heap: Heap, at: number, size: number, times: number): void {
  let done = 1;
  while (done < times) {
    const n = Math.min(done, times - done);
    heap.copyWithin(at + done * size, at, at + n * size);
    done += n;
  }
}

function strides(shape: number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/** `tile` as the wasm backend's `Tile` kernel. */
export const tileConfig = wasmKernel(Tile, tile);
