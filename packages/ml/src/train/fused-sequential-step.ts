import * as tf from '@tensorflow/tfjs';
import {
  SEQUENTIAL_TRAIN_STEP,
  type SequentialTrainStepAttrs,
  type StepLayer,
} from '../backend/kernels/sequential-train-step';
import { adamAttrs, type FusedStepResult, isOurAdam, readStepResult } from './fused-step-result';
import { maskRandom } from './seed';

/**
 * A whole training step as one tfjs kernel on wasm (`SEQUENTIAL_TRAIN_STEP`) for the sequential
 * classifiers Trainyard builds: a chain of Conv2D (ReLU or linear, with or without bias),
 * BatchNormalization (last axis), ReLU, MaxPooling2D, Dropout, Flatten and Dense (ReLU or linear)
 * layers ending in a softmax Dense, trained with our `Adam` on class ids. Where tfjs-layers'
 * `trainOnBatch` ran ~190 kernels a step for the bench CNN, ~70 of them `Identity` clones of
 * saved tensors, and ~10 ms of engine and layers JavaScript, this runs the same kernels straight
 * on the backend. Returns `null` for any other model, optimizer or backend: callers then take
 * tfjs's generic path.
 *
 * It updates the same variables as the generic step: weights, Adam's moments and step count (see
 * `Adam.fusedStepState`), batch norm's moving statistics (as tfjs-layers does), and draws dropout
 * masks as our `Dropout` does (seeds from `maskRandom`, in layer order), so checkpoints and a later
 * generic step continue from it. The returned function takes x (float32, the model's input shape
 * with a batch axis) and labels [batch] (class ids, any numeric dtype) and returns the batch's
 * mean cross-entropy and its correct count; it throws nothing of its own.
 */
export function fusedSequentialStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): ((x: tf.Tensor, labels: tf.Tensor) => FusedStepResult) | null {
  if (tf.getBackend() !== 'wasm' || !isOurAdam(optimizer)) return null;
  const chain = sequentialChain(model);
  if (!chain) return null;
  const { layers, variables, moving } = chain;
  // The optimizer's moments go by the position of the model's trainable weights.
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (
    trainable.length !== variables.length ||
    trainable.some((v, i) => v.name !== variables[i]!.name)
  ) {
    return null;
  }
  const json = JSON.stringify(layers);
  const dropouts = layers.filter((l) => l.kind === 'dropout').length;
  return (x, labels) => {
    const state = optimizer.fusedStepState(variables);
    const inputs: tf.NamedTensorMap = {
      x,
      labels: labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32'),
    };
    variables.forEach((variable, i) => {
      inputs[`w${i}`] = variable;
      inputs[`m${i}`] = state.m[i]!;
      inputs[`v${i}`] = state.v[i]!;
    });
    moving.forEach(([mean, variance], j) => {
      inputs[`mm${j}`] = mean;
      inputs[`mv${j}`] = variance;
    });
    const seeds: number[] = [];
    for (let d = 0; d < dropouts; d++) {
      seeds.push(Math.floor(maskRandom() * 2 ** 32), Math.floor(maskRandom() * 2 ** 32));
    }
    const attrs: SequentialTrainStepAttrs = {
      layers: json,
      seeds,
      ...adamAttrs(state),
    };
    const [probabilities, correct, ...updated] = tf
      .engine()
      .runKernel(SEQUENTIAL_TRAIN_STEP, inputs, attrs) as tf.Tensor[];
    if (inputs.labels !== labels) inputs.labels!.dispose();
    variables.forEach((variable, i) => {
      const [value, m, v] = updated.slice(3 * i, 3 * i + 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
      variable.assign(value);
      state.m[i]!.assign(m);
      state.v[i]!.assign(v);
    });
    const statistics = updated.slice(3 * variables.length);
    moving.forEach(([mean, variance], j) => {
      mean.assign(statistics[2 * j]!);
      variance.assign(statistics[2 * j + 1]!);
    });
    tf.dispose(updated);
    optimizer.completeFusedStep();
    return readStepResult(probabilities!, correct!);
  };
}

/** The fields of tfjs-layers' layers that the chain reads. */
interface LayerFields {
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  activation?: { getClassName(): string };
  useBias?: boolean;
  strides?: number[];
  padding?: string;
  dataFormat?: string;
  dilationRate?: number | number[];
  poolSize?: number[];
  rate?: number;
  noiseShape?: number[] | null;
  seed?: number | null;
  maxValue?: number | null;
  axis?: number;
  center?: boolean;
  scale?: boolean;
  epsilon?: number;
  momentum?: number;
  gamma?: { read(): tf.Tensor };
  beta?: { read(): tf.Tensor };
  movingMean?: { read(): tf.Tensor };
  movingVariance?: { read(): tf.Tensor };
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  gammaRegularizer?: unknown;
  betaRegularizer?: unknown;
  gammaConstraint?: unknown;
  betaConstraint?: unknown;
  inboundNodes: { inboundLayers: tf.layers.Layer[] }[];
}

interface Chain {
  layers: StepLayer[];
  /** Trainable variables in the order the layers own them. */
  variables: tf.Variable[];
  /** Each batch norm's moving mean and variance. */
  moving: [tf.Variable, tf.Variable][];
}

const variableOf = (w: { read(): tf.Tensor } | null | undefined) => w!.read() as tf.Variable;

/**
 * The model as a chain the step covers, or `null`: one input and output, every layer after the
 * input fed by the one before, trainable, without regularizers or constraints, float32, and each
 * one of those below in the layout it supports; a softmax Dense (or a linear Dense and a softmax
 * Activation) at the end and only there.
 */
function sequentialChain(model: tf.LayersModel): Chain | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  if (model.inputs[0]!.dtype !== 'float32') return null;
  const layers: StepLayer[] = [];
  const variables: tf.Variable[] = [];
  const moving: [tf.Variable, tf.Variable][] = [];
  let previous: tf.layers.Layer | undefined;
  let rank = model.inputs[0]!.shape.length;
  for (const layer of model.layers) {
    const f = layer as unknown as LayerFields;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      previous = layer;
      continue;
    }
    const inbound = f.inboundNodes;
    if (inbound.length !== 1 || inbound[0]!.inboundLayers.length !== 1) return null;
    if (previous && inbound[0]!.inboundLayers[0] !== previous) return null;
    previous = layer;
    const before = layers.at(-1);
    if (!layer.trainable || (before && isSoftmax(before))) return null;
    if (
      f.kernelRegularizer ||
      f.biasRegularizer ||
      f.activityRegularizer ||
      f.kernelConstraint ||
      f.biasConstraint ||
      f.gammaRegularizer ||
      f.betaRegularizer ||
      f.gammaConstraint ||
      f.betaConstraint
    ) {
      return null;
    }
    const activation = f.activation?.getClassName();
    switch (className) {
      case 'Conv2D': {
        if (rank !== 4 || f.dataFormat !== 'channelsLast') return null;
        if ([f.dilationRate].flat().some((d) => d !== 1)) return null;
        if (activation !== 'linear' && activation !== 'relu') return null;
        if (f.padding !== 'same' && f.padding !== 'valid') return null;
        const bias = f.bias != null;
        layers.push({
          kind: 'conv2d',
          strides: [f.strides![0]!, f.strides![1]!],
          padding: f.padding,
          bias,
          relu: activation === 'relu',
        });
        variables.push(variableOf(f.kernel));
        if (bias) variables.push(variableOf(f.bias));
        break;
      }
      case 'BatchNormalization': {
        if (!(f.axis === -1 || f.axis === rank - 1) || !f.center || !f.scale) return null;
        layers.push({ kind: 'batchNorm', epsilon: f.epsilon!, momentum: f.momentum! });
        variables.push(variableOf(f.gamma), variableOf(f.beta));
        moving.push([variableOf(f.movingMean), variableOf(f.movingVariance)]);
        break;
      }
      case 'ReLU':
        if (f.maxValue != null) return null;
        layers.push({ kind: 'relu' });
        break;
      case 'Activation': {
        const last = layers.at(-1);
        if (activation === 'relu') layers.push({ kind: 'relu' });
        else if (activation === 'softmax' && last?.kind === 'dense' && last.activation === 'linear')
          last.activation = 'softmax';
        else if (activation !== 'linear') return null;
        break;
      }
      case 'MaxPooling2D':
        if (rank !== 4 || f.dataFormat !== 'channelsLast') return null;
        if (f.padding !== 'same' && f.padding !== 'valid') return null;
        layers.push({
          kind: 'maxPool',
          poolSize: [f.poolSize![0]!, f.poolSize![1]!],
          strides: [f.strides![0]!, f.strides![1]!],
          padding: f.padding,
        });
        break;
      case 'Dropout':
        if (f.noiseShape != null || f.seed != null) return null;
        if (!(f.rate! >= 0 && f.rate! < 1)) return null;
        if (f.rate! > 0) layers.push({ kind: 'dropout', rate: f.rate! });
        break;
      case 'Flatten':
        if (f.dataFormat === 'channelsFirst') return null;
        layers.push({ kind: 'flatten' });
        rank = 2;
        break;
      case 'Dense': {
        if (rank !== 2) return null;
        if (activation !== 'linear' && activation !== 'relu' && activation !== 'softmax')
          return null;
        const bias = f.bias != null;
        layers.push({ kind: 'dense', bias, activation });
        variables.push(variableOf(f.kernel));
        if (bias) variables.push(variableOf(f.bias));
        break;
      }
      default:
        return null;
    }
  }
  const last = layers.at(-1);
  if (!last || !isSoftmax(last)) return null;
  if (layers.slice(0, -1).some(isSoftmax)) return null;
  if (model.outputs[0]!.sourceLayer !== previous) return null;
  return { layers, variables, moving };
}

function isSoftmax(layer: StepLayer): boolean {
  return layer.kind === 'dense' && layer.activation === 'softmax';
}
