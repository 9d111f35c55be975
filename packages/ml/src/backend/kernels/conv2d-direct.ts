import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import { type BackendWasm, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, type SimdKernels, simdKernels, usesRelaxedSimd } from '../simd';
import { batchSplit } from './batch-split';

/**
 * Which code runs stride-1 convolutions (forward and input gradient) on wasm: `own` is
 * `assembly/conv2d-forward.ts` (direct convolution; with more than one wasm thread, half the batch
 * on the kernel pool's worker, `simd/pool.ts`), `xnnpack` is tfjs-backend-wasm's. `auto` (the
 * default) follows what was measured on one thread (64-image batches of the bench CNN, ms of CPU,
 * medians of interleaved runs), which holds as well with two threads each, ours split by the pool
 * and XNNPACK over its own (best of 75 calls at load 4.5 on 2 cores: 1 → 16 forward ours 0.85 ms
 * vs XNNPACK 0.93, 16 → 32 forward 2.7 vs 2.0); XNNPACK where there is more than one wasm thread
 * but no pool (`TRAINYARD_WASM_POOL=0`) or a call the pool would not split (one image, little
 * work: `batch-split.ts`); with relaxed SIMD ours (fused multiply-adds:
 * 16 → 32 channels forward 4.2 vs XNNPACK 4.3 ms, input gradient 4.0 vs 4.5, 1 → 16 forward 0.9
 * vs 1.2); with plain SIMD ours only for forward convolutions of fewer than 4 input channels
 * (1.0 vs 1.2 ms), where XNNPACK's GEMM tile is mostly empty; XNNPACK was faster on the others
 * (4.3 vs 4.9 ms forward, 4.5 vs 4.7 input gradient). `TRAINYARD_WASM_CONV` sets it at start.
 */
export type ConvCode = 'own' | 'xnnpack' | 'auto';

let code: ConvCode = parseConvCode(process.env.TRAINYARD_WASM_CONV);

function parseConvCode(value: string | undefined): ConvCode {
  return value === 'own' || value === 'xnnpack' ? value : 'auto';
}

/** Chooses the convolution code (for tests and benchmarks); returns the previous choice. */
export function setConvCode(next: ConvCode): ConvCode {
  const previous = code;
  code = next;
  return previous;
}

/**
 * Whether a stride-1 convolution with `inChannels` → `outChannels` (those of the product our kernel
 * computes: dy's and x's for an input gradient) can and should run on our direct kernel.
 */
function useDirect(
  backend: BackendWasm,
  info: backend_util.Conv2DInfo,
  inChannels: number,
  outChannels: number,
  pass: 'forward' | 'input gradient',
): boolean {
  const fits =
    info.dataFormat === 'channelsLast' &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    outChannels % 8 === 0 &&
    inChannels > 0;
  if (!fits || code === 'xnnpack') return false;
  if (code === 'own') return true;
  // With more than one thread XNNPACK spreads over them; ours only where the pool takes half.
  if (getThreadsCount() > 1 && !batchSplit(backend, info.batchSize, multiplyAdds(info))) {
    return false;
  }
  return usesRelaxedSimd() || (pass === 'forward' && inChannels < 4);
}

/** A convolution's multiply-adds (those of its input gradient too). */
function multiplyAdds(info: backend_util.Conv2DInfo): number {
  const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  return (
    batchSize * outHeight * outWidth * outChannels * filterHeight * filterWidth * info.inChannels
  );
}

/**
 * y = conv(x, filter) for a stride-1 NHWC convolution on our direct kernel, or undefined when it
 * does not apply (the caller runs XNNPACK). `info` is tfjs's description of the convolution.
 */
export function directConv2d(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const { inChannels, outChannels, padInfo } = info;
  if (
    !useDirect(backend, info, inChannels, outChannels, 'forward') ||
    padInfo.top < 0 ||
    padInfo.left < 0
  ) {
    return undefined;
  }
  const out = backend.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, outChannels],
    'float32',
  );
  run(backend, x, filter, out, {
    inH: info.inHeight,
    inW: info.inWidth,
    ci: inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    co: outChannels,
    padTop: padInfo.top,
    padLeft: padInfo.left,
    flip: 0,
  });
  return out;
}

/**
 * dx of a stride-1 NHWC convolution (`info` describes the forward one; dy is its output's
 * gradient) on our direct kernel: a convolution of dy with the filter flipped in space and its
 * channel axes swapped, done by the kernel's weight packing. Undefined when it does not apply.
 */
export function directConv2dInputGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const { inChannels, outChannels, padInfo, filterHeight: kh, filterWidth: kw } = info;
  const padTop = kh - 1 - padInfo.top;
  const padLeft = kw - 1 - padInfo.left;
  if (
    !useDirect(backend, info, outChannels, inChannels, 'input gradient') ||
    padTop < 0 ||
    padLeft < 0
  )
    return undefined;
  const dx = backend.makeOutput(
    [info.batchSize, info.inHeight, info.inWidth, inChannels],
    'float32',
  );
  run(backend, dy, filter, dx, {
    inH: info.outHeight,
    inW: info.outWidth,
    ci: outChannels,
    outH: info.inHeight,
    outW: info.inWidth,
    co: inChannels,
    padTop,
    padLeft,
    flip: 1,
  });
  return dx;
}

interface Geometry {
  inH: number;
  inW: number;
  ci: number;
  outH: number;
  outW: number;
  co: number;
  padTop: number;
  padLeft: number;
  flip: 0 | 1;
}

function run(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  out: TensorInfo,
  g: Geometry,
): void {
  const [kh, kw] = filter.shape as [number, number];
  const packed = kh * kw * g.ci * g.co;
  const image = (g.outH + kh - 1) * (g.outW + kw - 1) * g.ci;
  const batch = x.shape[0]!;
  const simd = simdKernels(backend);
  // Arguments of one call over `count` images from image `from`, with its own scratch.
  const call = (from: number, count: number, scratch: TensorInfo): ForwardArgs => [
    heapOffset(backend, x) + from * g.inH * g.inW * g.ci * 4,
    heapOffset(backend, filter),
    heapOffset(backend, out) + from * g.outH * g.outW * g.co * 4,
    heapOffset(backend, scratch),
    count,
    g.inH,
    g.inW,
    g.ci,
    g.outH,
    g.outW,
    g.co,
    kh,
    kw,
    g.padTop,
    g.padLeft,
    g.flip,
  ];
  const split = batchSplit(backend, batch, batch * g.outH * g.outW * g.co * kh * kw * g.ci);
  const scratch = backend.makeOutput([packed + image], 'float32');
  const workerScratch = split && backend.makeOutput([packed + image], 'float32');
  try {
    if (!split || !workerScratch) {
      simd.conv2dForward(...call(0, batch, scratch));
    } else {
      const { pool, first } = split;
      pool.together('conv2dForward', call(first, batch - first, workerScratch), () =>
        simd.conv2dForward(...call(0, first, scratch)),
      );
    }
  } finally {
    backend.disposeData(scratch.dataId);
    if (workerScratch) backend.disposeData(workerScratch.dataId);
  }
}

type ForwardArgs = Parameters<SimdKernels['conv2dForward']>;
