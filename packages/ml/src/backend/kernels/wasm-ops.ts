import {
  getKernel,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { InternalError } from '@trainyard/shared';

/**
 * The kernels here are written in terms of tfjs-backend-wasm's own kernels (XNNPACK convolution and
 * matmul, transpose, pad, reduce), called directly on the backend: no tape, no engine scopes, and
 * every intermediate freed as soon as it is used. These helpers keep that bookkeeping short.
 */
export class WasmOps {
  private readonly temps: TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs a wasm kernel; its output is freed by `dispose()` unless passed to `keep`. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = kernelFunc(kernelName)({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.temps.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** A float32 scalar in the wasm heap. */
  scalar(value: number): TensorInfo {
    const t = this.adopt(this.backend.makeOutput([], 'float32'));
    (this.backend.typedArrayFromHeap(t) as Float32Array)[0] = value;
    return t;
  }

  /** NHWC convolution on XNNPACK, with explicit padding `[top, bottom, left, right]`. */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: [number, number],
    dilations: [number, number],
    pads: [number, number, number, number],
  ): TensorInfo {
    const pad = [
      [0, 0],
      [pads[0], pads[1]],
      [pads[2], pads[3]],
      [0, 0],
    ];
    return this.run(
      'Conv2D',
      { x, filter },
      { strides, dilations, pad, dataFormat: 'NHWC', dimRoundingMode: 'floor' },
    );
  }

  /** The first `size` entries along each axis (begin 0). Returns `x` itself when nothing is cut. */
  head(x: TensorInfo, size: number[]): TensorInfo {
    if (size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /** Takes a tensor made elsewhere (another kernel's result) to be freed with the rest. */
  adopt(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }

  /** Marks `out` as the kernel's result: `dispose()` leaves it alone. */
  keep(out: TensorInfo): TensorInfo {
    const i = this.temps.lastIndexOf(out);
    if (i >= 0) this.temps.splice(i, 1);
    return out;
  }

  /** Frees every intermediate not kept. */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` with a fresh `WasmOps`, keeps what it returns and frees the rest. */
export function withOps(backend: BackendWasm, body: (ops: WasmOps) => TensorInfo): TensorInfo {
  const ops = new WasmOps(backend);
  try {
    return ops.keep(body(ops));
  } finally {
    ops.dispose();
  }
}

const originals = new Map<string, KernelFunc>();

/** The kernel function registered for `wasm` now. */
function kernelFunc(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'wasm');
  if (!config) throw new InternalError(`Kernel '${kernelName}' not registered for backend 'wasm'`);
  return config.kernelFunc;
}

/** Remembers tfjs-backend-wasm's own implementation before ours replaces it (for fallbacks). */
export function rememberOriginal(kernelName: string): void {
  const config = getKernel(kernelName, 'wasm');
  if (config && !originals.has(kernelName)) originals.set(kernelName, config.kernelFunc);
}

/** tfjs-backend-wasm's own implementation of a kernel we replaced. */
export function originalKernelFunc(kernelName: string): KernelFunc {
  const original = originals.get(kernelName);
  if (!original)
    throw new InternalError(`tfjs-backend-wasm has no kernel '${kernelName}' of its own`);
  return original;
}
