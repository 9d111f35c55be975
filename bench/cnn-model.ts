import * as tf from '@tensorflow/tfjs';
import { adam, batchNormalization, conv2d, dropout } from '@trainyard/ml';

/**
 * PyTorch's default initialization of conv and linear layers (kaiming_uniform with a = √5):
 * weights uniform in ±1/√fan_in, a linear layer's bias too. tfjs's default is Glorot uniform; with
 * it PyTorch itself ends 1 epoch ~0.9 points lower (92.7-93.1% vs 93.7-93.9% over 3 seeds), which
 * was the CNN's whole accuracy gap: the two sides now start from the same recipe.
 */
const torchWeights = () =>
  tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });
const torchBias = (fanIn: number) =>
  tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) });

/**
 * The benchmark model; bench/train_torch.py builds the same one, initialized as PyTorch does.
 * Built from Trainyard's layers (as its CNN builder does): tfjs-layers' Conv2D and
 * BatchNormalization with faster training steps on wasm, the same classes on every other backend.
 */
export function smallCnn(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      conv2d({
        inputShape: [28, 28, 1],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: torchWeights(),
      }),
      batchNormalization({ momentum: 0.9 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv2d({
        filters: 32,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: torchWeights(),
      }),
      batchNormalization({ momentum: 0.9 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      dropout({ rate: 0.25 }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: torchWeights(),
        biasInitializer: torchBias(32 * 7 * 7),
      }),
    ],
  });
  model.compile({ optimizer: adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  return model;
}
