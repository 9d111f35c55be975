import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { InternalError } from '@trainyard/shared';
import { explicit, inputGradient } from './conv2d-backprop-input';
import { wasmKernel } from './kernel-config';
import { withOps } from './wasm-ops';

/**
 * The input gradient of a depthwise convolution (missing from tfjs-backend-wasm): the same
 * flipped-filter convolution as `Conv2DBackpropInput`, done by XNNPACK's depthwise convolution over
 * dy's in·multiplier channels, then summed over the multiplier.
 */
function depthwiseConv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const [kh, kw, inChannels, multiplier] = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const perChannel = inputGradient(backend, dy, info, (ops, up, dilations, pads) => {
    const flipped = ops.run('Reverse', { x: filter }, { dims: [0, 1] });
    const filter2 = ops.reshape(flipped, [kh, kw, inChannels * multiplier, 1]);
    return ops.run(
      'DepthwiseConv2dNative',
      { x: up, filter: filter2 },
      { strides: [1, 1], dilations, pad: explicit(pads), dimRoundingMode: 'floor' },
    );
  });
  if (perChannel === undefined) {
    throw new InternalError(
      'wasm DepthwiseConv2dNativeBackpropInput: padding wider than the filter',
    );
  }
  if (multiplier === 1) return perChannel;
  return withOps(backend, (ops) => {
    ops.adopt(perChannel);
    const [n, h, w] = perChannel.shape as number[];
    const split = ops.reshape(perChannel, [n!, h!, w!, inChannels, multiplier]);
    return ops.run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
}

/** `depthwiseConv2dBackpropInput` as the wasm backend's `DepthwiseConv2dNativeBackpropInput` kernel. */
export const depthwiseConv2dBackpropInputConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropInput,
  depthwiseConv2dBackpropInput,
);
