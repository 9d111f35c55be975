import * as tf from '@tensorflow/tfjs';
import { DENSE_TRAIN_STEP, type DenseTrainStepAttrs } from '../backend/kernels/dense-train-step';
import { adamAttrs, type FusedStepResult, isOurAdam, readStepResult } from './fused-step-result';

/** One dense layer of the chain, with the activation after it (a Dense's own or an Activation's). */
interface ChainLayer {
  kernel: tf.Variable;
  bias: tf.Variable | null;
  activation: 'linear' | 'relu' | 'softmax';
}

/**
 * A whole training step as one wasm kernel (forward, softmax cross-entropy, backward, Adam) for
 * the small models where tfjs's per-op overhead is most of the time: chains of Dense layers (ReLU
 * or linear, optionally as separate Activation layers) ending in a softmax, trained with our
 * `Adam` on class ids. Returns `null` for anything else, and whenever the backend is not wasm:
 * callers then take tfjs's generic path. The step updates the same variables and optimizer state
 * (moments, step count) that `Adam.applyGradients` would, so checkpoints and a later generic step
 * continue from it. Its gradient is tfjs's, (softmax − onehot) / batch, except where tfjs would
 * clip the label's probability below 1e-7 or above 1 − 1e-7.
 *
 * The returned function takes x [batch, features] float32 and labels [batch] (class ids, any
 * numeric dtype) and returns the loss and correct count; it throws nothing of its own.
 */
export function fusedDenseStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): ((x: tf.Tensor, labels: tf.Tensor) => FusedStepResult) | null {
  // Not `instanceof`: tfjs's Optimizer answers it for every optimizer (a duck-typed hasInstance).
  if (tf.getBackend() !== 'wasm' || !isOurAdam(optimizer)) return null;
  const chain = denseChain(model);
  if (!chain) return null;
  const variables = chain.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel]));
  // The optimizer's moments go by the position of the model's trainable weights.
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (
    trainable.length !== variables.length ||
    trainable.some((v, i) => v.name !== variables[i]!.name)
  ) {
    return null;
  }
  return (x, labels) => {
    const state = optimizer.fusedStepState(variables);
    const inputs: tf.NamedTensorMap = {
      x,
      labels: labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32'),
    };
    let at = 0;
    chain.forEach((layer, l) => {
      inputs[`w${l}`] = layer.kernel;
      inputs[`mw${l}`] = state.m[at]!;
      inputs[`vw${l}`] = state.v[at++]!;
      if (layer.bias) {
        inputs[`b${l}`] = layer.bias;
        inputs[`mb${l}`] = state.m[at]!;
        inputs[`vb${l}`] = state.v[at++]!;
      }
    });
    const attrs: DenseTrainStepAttrs = {
      activations: chain.map((l) => ACTIVATIONS[l.activation]),
      hasBias: chain.map((l) => l.bias !== null),
      ...adamAttrs(state),
    };
    const [probabilities, correct, ...updated] = tf
      .engine()
      .runKernel(DENSE_TRAIN_STEP, inputs, attrs) as tf.Tensor[];
    if (inputs.labels !== labels) inputs.labels!.dispose();
    at = 0;
    for (const layer of chain) {
      for (const variable of layer.bias ? [layer.kernel, layer.bias] : [layer.kernel]) {
        const [value, m, v] = updated.splice(0, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
        variable.assign(value);
        state.m[at]!.assign(m);
        state.v[at++]!.assign(v);
        tf.dispose([value, m, v]);
      }
    }
    optimizer.completeFusedStep();
    return readStepResult(probabilities!, correct!);
  };
}

const ACTIVATIONS = { linear: 0, relu: 1, softmax: 2 } as const;

/** The fields of tfjs-layers' Dense and Activation that the chain reads. */
interface LayerFields {
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  activation?: { getClassName(): string };
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  inboundNodes: { inboundLayers: tf.layers.Layer[] }[];
}

/**
 * The model as a chain of dense layers, or `null` when it is anything else: every layer after the
 * input a Dense or an Activation fed by the one before, rank-2 input, ReLU or linear inside, a
 * softmax at the end and only there, all trainable, no regularizers or constraints.
 */
function denseChain(model: tf.LayersModel): ChainLayer[] | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  if (model.inputs[0]!.shape.length !== 2) return null;
  const chain: ChainLayer[] = [];
  let previous: tf.layers.Layer | undefined;
  for (const layer of model.layers) {
    const fields = layer as unknown as LayerFields;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      previous = layer;
      continue;
    }
    const inbound = fields.inboundNodes;
    if (inbound.length !== 1 || inbound[0]!.inboundLayers.length !== 1) return null;
    if (previous && inbound[0]!.inboundLayers[0] !== previous) return null;
    previous = layer;
    const activation = fields.activation?.getClassName();
    if (activation !== 'linear' && activation !== 'relu' && activation !== 'softmax') return null;
    if (className === 'Activation') {
      const last = chain.at(-1);
      if (last?.activation !== 'linear') return null;
      last.activation = activation;
      continue;
    }
    if (className !== 'Dense' || !layer.trainable) return null;
    if (
      fields.kernelRegularizer ||
      fields.biasRegularizer ||
      fields.activityRegularizer ||
      fields.kernelConstraint ||
      fields.biasConstraint
    ) {
      return null;
    }
    if (chain.at(-1)?.activation === 'softmax') return null;
    chain.push({
      kernel: fields.kernel!.read() as tf.Variable,
      bias: fields.bias ? (fields.bias.read() as tf.Variable) : null,
      activation,
    });
  }
  if (chain.length === 0 || chain.at(-1)!.activation !== 'softmax') return null;
  if (chain.slice(0, -1).some((l) => l.activation === 'softmax')) return null;
  if (model.outputs[0]!.sourceLayer !== previous) return null;
  return chain;
}
