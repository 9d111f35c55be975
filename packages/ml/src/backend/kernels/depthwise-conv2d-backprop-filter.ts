import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { withOps } from './wasm-ops';

/**
 * The filter gradient of a depthwise convolution (missing from tfjs-backend-wasm):
 *
 *   dW[r, s, c, m] = Σ_{n,y,x} x[n, y·sh + r·dh - pt, x·sw + s·dw - pl, c] · dy[n, y, x, c·M + m]
 *
 * Each channel only meets itself, so there is no GEMM to hand this to (the convolution trick of
 * `Conv2DBackpropFilter` would compute every channel pair and keep the diagonal). Per filter offset:
 * one strided slice of the padded input, a broadcast multiply with dy and a sum over n, y, x, all
 * wasm kernels; the work is the same as the forward depthwise convolution's.
 */
function depthwiseConv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [batch, inHeight, inWidth, channels] = x.shape as number[];
  const [kh, kw, , multiplier] = filterShape;
  const { outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const rowsNeeded = (kh - 1) * dh + (outHeight - 1) * sh + 1;
  const colsNeeded = (kw - 1) * dw + (outWidth - 1) * sw + 1;
  return withOps(backend, (ops) => {
    const padded = ops.run(
      'PadV2',
      { x },
      {
        paddings: [
          [0, 0],
          [padInfo.top, Math.max(0, rowsNeeded - padInfo.top - inHeight!)],
          [padInfo.left, Math.max(0, colsNeeded - padInfo.left - inWidth!)],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const grads = ops.reshape(dy, [batch!, outHeight, outWidth, channels!, multiplier]);
    const taps: TensorInfo[] = [];
    for (let r = 0; r < kh; r++) {
      for (let s = 0; s < kw; s++) {
        const tap = ops.run(
          'StridedSlice',
          { x: padded },
          {
            begin: [0, r * dh, s * dw, 0],
            end: [
              batch!,
              r * dh + (outHeight - 1) * sh + 1,
              s * dw + (outWidth - 1) * sw + 1,
              channels!,
            ],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        );
        const column = ops.reshape(tap, [batch!, outHeight, outWidth, channels!, 1]);
        const product = ops.run('Multiply', { a: column, b: grads });
        taps.push(ops.run('Sum', { x: product }, { axis: [0, 1, 2], keepDims: false }));
      }
    }
    const stacked = ops.run('Pack', taps as unknown as Record<string, TensorInfo>, { axis: 0 });
    return ops.reshape(stacked, filterShape);
  });
}

/** `depthwiseConv2dBackpropFilter` as the wasm backend's `DepthwiseConv2dNativeBackpropFilter` kernel. */
export const depthwiseConv2dBackpropFilterConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dBackpropFilter,
);
