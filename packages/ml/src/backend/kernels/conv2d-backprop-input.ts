import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { directConv2dInputGrad } from './conv2d-direct';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc, type WasmOps, withOps } from './wasm-ops';

/** Up to this many input channels, the input gradient goes through depthwise convolutions. */
const NARROW = 3;

/**
 * The input gradient of an NHWC convolution. tfjs-backend-wasm has one, but as plain loops in C++
 * that ran 5-10× slower than the forward convolution; this one is a forward convolution on XNNPACK:
 *
 *   dx[i] = Σ_r dyUp[i + pt - r·d] · w[r]
 *
 * is a stride-1 convolution of dy (with stride-1 zeros inserted between its rows and columns when
 * the forward stride was larger) and the filter flipped in space with its channel axes swapped.
 * `inputShape` (attrs) is the forward input's NHWC shape; dy and the result are NHWC float32.
 * Stride-1 convolutions go to our direct kernel instead when it is chosen (`conv2d-direct.ts`).
 */
function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const direct = directConv2dInputGrad(backend, dy, filter, info);
  if (direct) return direct;
  const [kh, kw, inChannels, outChannels] = filter.shape as [number, number, number, number];
  const result = inputGradient(backend, dy, info, (ops, up, dilations, pads) => {
    const flipped = ops.run('Reverse', { x: filter }, { dims: [0, 1] });
    if (inChannels > NARROW) {
      return ops.conv2d(up, ops.transpose(flipped, [0, 1, 3, 2]), [1, 1], dilations, pads);
    }
    // Few input channels (a first layer on grey or RGB images): a GEMM with 1-3 output columns
    // wastes most of XNNPACK's tile, so each channel is a depthwise convolution over dy's
    // channels summed up instead (~2× faster for 16 → 1).
    const columns: TensorInfo[] = [];
    for (let c = 0; c < inChannels; c++) {
      const taps = ops.run(
        'Slice',
        { x: flipped },
        { begin: [0, 0, c, 0], size: [kh, kw, 1, outChannels] },
      );
      const perChannel = ops.run(
        'DepthwiseConv2dNative',
        { x: up, filter: ops.reshape(taps, [kh, kw, outChannels, 1]) },
        { strides: [1, 1], dilations, pad: explicit(pads), dimRoundingMode: 'floor' },
      );
      columns.push(ops.run('Sum', { x: perChannel }, { axis: [3], keepDims: true }));
    }
    return columns.length === 1 ? columns[0]! : ops.run('Concat', columns as never, { axis: 3 });
  });
  return result ?? (originalKernelFunc(Conv2DBackpropInput)(args as never) as TensorInfo);
}

/**
 * Computes dx of `info`'s convolution as described above, with `flippedFilter` building the filter
 * to convolve dy with. Returns undefined for layouts it does not cover (NCHW, padding wider than the
 * filter), for which the caller falls back to tfjs's own kernel.
 */
export function inputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  convolve: (ops: WasmOps, up: TensorInfo, dilations: [number, number], pads: Pads) => TensorInfo,
): TensorInfo | undefined {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const padTop = (kh - 1) * dh - padInfo.top;
  const padLeft = (kw - 1) * dw - padInfo.left;
  if (info.dataFormat !== 'channelsLast' || padTop < 0 || padLeft < 0) return undefined;
  // With zeros inserted, dy spans outHeight·sh rows; the bottom/right padding that makes the
  // output inHeight × inWidth. When negative, pad nothing and cut the extra rows afterwards.
  const padBottom = inHeight + (kh - 1) * dh - outHeight * sh - padTop;
  const padRight = inWidth + (kw - 1) * dw - outWidth * sw - padLeft;
  return withOps(backend, (ops) => {
    let up = dy;
    if (sh > 1 || sw > 1) {
      const spread = ops.reshape(dy, [batchSize, outHeight, 1, outWidth, 1, outChannels]);
      const padded = ops.run(
        'PadV2',
        { x: spread },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      up = ops.reshape(padded, [batchSize, outHeight * sh, outWidth * sw, outChannels]);
    }
    const pads: Pads = [padTop, Math.max(0, padBottom), padLeft, Math.max(0, padRight)];
    const dx = convolve(ops, up, [dh, dw], pads);
    const [n, , , c] = dx.shape as number[];
    return ops.head(dx, [n!, inHeight, inWidth, c!]);
  });
}

/** Explicit padding [top, bottom, left, right]. */
export type Pads = [number, number, number, number];

/** The `pad` attribute of tfjs convolution kernels for explicit padding. */
export function explicit(pads: Pads): number[][] {
  return [
    [0, 0],
    [pads[0], pads[1]],
    [pads[2], pads[3]],
    [0, 0],
  ];
}

/** `conv2dBackpropInput` as the wasm backend's `Conv2DBackpropInput` kernel. */
export const conv2dBackpropInputConfig = wasmKernel(Conv2DBackpropInput, conv2dBackpropInput);
