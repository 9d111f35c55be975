import * as tf from '@tensorflow/tfjs';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type Conv2DArgs = NonNullable<Parameters<typeof tf.layers.conv2d>[0]>;

/** The fields of tfjs-layers' Conv2D that the path below reads. */
interface Conv2DLayer extends tf.layers.Layer {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number | number[];
}

const TfjsConv2D = tfjsLayerClass<Conv2DLayer, Conv2DArgs>('Conv2D');

/**
 * tfjs-layers' Conv2D, except that a convolution with neither bias nor activation (the usual one
 * before batch norm) runs as a plain `tf.conv2d` on wasm. tfjs-layers always runs `tf.fused.conv2d`,
 * whose gradient computes the input's gradient too even when nothing needs it: for a network's
 * first layer that was a wasted input-gradient convolution each step (~2.8 ms of ~40 on the bench
 * CNN). `tf.conv2d`'s gradient computes each input's only when asked. Registered under tfjs's
 * class name, so saved models are unchanged.
 */
export class Conv2D extends TfjsConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const dilations = [this.dilationRate].flat();
    const plain =
      tf.getBackend() === 'wasm' &&
      this.bias === null &&
      this.activation.getClassName() === 'linear' &&
      this.dataFormat === 'channelsLast' &&
      dilations.every((d) => d === 1);
    if (!plain) return super.call(inputs, kwargs);
    const input = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    return tf.conv2d(input, this.kernel.read() as tf.Tensor4D, this.strides, this.padding, 'NHWC');
  }
}
replaceTfjsLayerClass(Conv2D);

/** `tf.layers.conv2d`, faster to train on wasm when it has neither bias nor activation. */
export function conv2d(args: Conv2DArgs): Conv2D {
  return new Conv2D(args);
}
