import * as tf from '@tensorflow/tfjs';
import { ModelConfigError } from '../errors';
import { head, type ModelArgs, namer, type Symbolic } from './layers-util';

/** Transfer learning's arguments: the pretrained base, where to cut it, and the new head. */
export interface TransferArgs extends Omit<ModelArgs, 'inputShape'> {
  /** The pretrained model; it is copied, never changed. */
  base: tf.LayersModel;
  /** The base layer whose output feeds the head. Default: the input of the base's output layer. */
  cutLayer?: string | null;
  /** `[height, width]` the new model takes. Default: the base's own input size. */
  inputSize?: readonly [number, number] | null;
  /**
   * Prefix of the head's layer names (`<headName>_dense_0`, …), so a model trained here can be the
   * base of another without a name clash. Default `'head'`.
   */
  headName?: string;
}

/** The layer whose output feeds the base's classifier: the default place to cut. */
function defaultCut(base: tf.LayersModel): tf.layers.Layer {
  const output = base.layers.at(-1)!;
  const inbound = output.inboundNodes[0]?.inboundLayers[0];
  if (!inbound || inbound === output) {
    throw new ModelConfigError(
      "cannot find the layer before the base model's output; name one in architecture.cut_layer",
      {
        param: 'architecture.cut_layer',
      },
    );
  }
  return inbound;
}

/** The base layer named `name`, or a ModelConfigError listing the base's last layers. */
function cutLayerNamed(base: tf.LayersModel, name: string): tf.layers.Layer {
  try {
    return base.getLayer(name);
  } catch {
    const names = base.layers.map((l) => l.name);
    throw new ModelConfigError(
      `architecture.cut_layer ${JSON.stringify(name)} is not a layer of the base model; it has ${names.slice(-12).join(', ')}${names.length > 12 ? ', …' : ''}`,
      { param: 'architecture.cut_layer' },
    );
  }
}

/** The layers `layer`'s output depends on, itself included. */
function dependencies(layer: tf.layers.Layer): Set<string> {
  const kept = new Set<string>();
  const visit = (l: tf.layers.Layer) => {
    if (kept.has(l.name)) return;
    kept.add(l.name);
    for (const node of l.inboundNodes) for (const inbound of node.inboundLayers) visit(inbound);
  };
  visit(layer);
  return kept;
}

/**
 * A layer that only works at the base's own input size: one that flattens or reshapes a feature
 * map, or a pooling window as large as its input (global pooling in disguise, as MobileNetV2's
 * Keras export has: a 7×7 AveragePooling2D over the 7×7 map at 224).
 */
function fixedSize(layer: tf.layers.Layer): boolean {
  const name = layer.getClassName();
  if (name === 'Flatten' || name === 'Reshape') return true;
  if (name !== 'AveragePooling2D' && name !== 'MaxPooling2D') return false;
  const input = layer.inboundNodes[0]?.inputTensors[0]?.shape;
  const pool = (layer.getConfig().poolSize as number[] | undefined) ?? [2, 2];
  return input?.length === 4 && input[1] === pool[0] && input[2] === pool[1];
}

/**
 * The base up to `cut` as a model of its own, rebuilt from the base's config with the same weights
 * (copied: training the copy leaves `base` as it was, so tuning trials all start from the same
 * base), taking `[height, width, channels]` inputs.
 */
function copyTrunk(
  base: tf.LayersModel,
  cut: tf.layers.Layer,
  kept: ReadonlySet<string>,
  inputShape: number[],
): tf.LayersModel {
  const config = base.getConfig() as unknown as {
    name: string;
    layers: Array<{ name: string; className: string; config: Record<string, unknown> }>;
    inputLayers: unknown[];
    outputLayers: unknown[];
  };
  const layers = config.layers
    .filter((l) => kept.has(l.name))
    .map((l) =>
      l.className === 'InputLayer'
        ? { ...l, config: { ...l.config, batchInputShape: [null, ...inputShape] } }
        : l,
    );
  const trunkConfig = { ...config, layers, outputLayers: [[cut.name, 0, 0]] };
  let trunk: tf.LayersModel;
  try {
    trunk = tf.LayersModel.fromConfig(
      tf.LayersModel,
      trunkConfig as unknown as tf.serialization.ConfigDict,
      {},
      true,
    ) as tf.LayersModel;
  } catch (error) {
    throw new ModelConfigError(
      `the base model up to ${cut.name} cannot take ${inputShape.join('×')} inputs (${(error as Error).message}); give another architecture.input_size or an earlier architecture.cut_layer`,
      { param: 'architecture.input_size' },
    );
  }
  const outShape = trunk.outputs[0]!.shape;
  if (outShape.slice(1).some((d) => d !== null && d < 1)) {
    throw new ModelConfigError(
      `at ${inputShape.join('×')} inputs the base's output at ${cut.name} would be ${outShape.slice(1).join('×')}; give a larger architecture.input_size`,
      { param: 'architecture.input_size' },
    );
  }
  for (const layer of trunk.layers) {
    const weights = base.getLayer(layer.name).getWeights();
    if (weights.length > 0) layer.setWeights(weights);
  }
  return trunk;
}

/**
 * Transfer learning: cut the pretrained `base` at `cutLayer` (default: the input of its output
 * layer), copy the base up to the cut (the `base` model itself is left untouched), freeze every
 * layer of the copy, and put a new head on the cut's output (global average pooling first when
 * the cut is a feature map).
 *
 * With an `inputSize` other than the base's input `[height, width]`, the copy takes that size: the
 * default cut moves before the first layer that works only at the base's size (Flatten, Reshape, a
 * pooling window as large as its input), and the head's global average pooling replaces it; a
 * `cutLayer` given past such a layer is refused instead (ModelConfigError). The channels
 * stay the base's. Throws a ModelConfigError naming the job field `architecture.cut_layer` (not a
 * layer of the base, or no layer to cut before) or `architecture.input_size` (too small for the
 * base). Returns the new model and the names of the base layers kept (for `unfreezeTop`).
 */
export function buildTransfer(args: TransferArgs): {
  model: tf.LayersModel;
  baseLayers: string[];
} {
  const { base, headName = 'head' } = args;
  let cut = args.cutLayer ? cutLayerNamed(base, args.cutLayer) : defaultCut(base);
  const baseShape = base.inputs[0]!.shape.slice(1) as number[];
  const size = args.inputSize;
  const inputShape = size ? [size[0], size[1], baseShape[2]!] : baseShape;
  if (size && (size[0] !== baseShape[0] || size[1] !== baseShape[1])) {
    const kept = dependencies(cut);
    const first = base.layers.find((l) => kept.has(l.name) && fixedSize(l));
    if (first && args.cutLayer) {
      // A cut the job named is not moved behind its back: the model would end elsewhere.
      throw new ModelConfigError(
        `architecture.cut_layer ${cut.name} comes after the base's ${first.name}, which works only at ${baseShape.slice(0, 2).join('×')} inputs; at ${size.join('×')} name a cut_layer before ${first.name} (such as ${first.inboundNodes[0]?.inboundLayers[0]?.name ?? 'an earlier layer'}), or leave architecture.input_size out`,
        { param: 'architecture.cut_layer' },
      );
    }
    if (first) {
      const inbound = first.inboundNodes[0]!.inboundLayers;
      if (inbound.length !== 1) {
        throw new ModelConfigError(
          `the base's ${first.name} works only at ${baseShape.join('×')} inputs and has ${inbound.length} inputs to cut before; give an architecture.cut_layer before it`,
          { param: 'architecture.cut_layer' },
        );
      }
      cut = inbound[0]!;
    }
  }
  const kept = dependencies(cut);
  const trunk = copyTrunk(base, cut, kept, inputShape);
  for (const layer of trunk.layers) layer.trainable = false;
  const model = tf.model({
    inputs: trunk.inputs,
    outputs: head(trunk.outputs[0] as Symbolic, args, namer(headName)),
    name: 'transfer',
  });
  const baseLayers = trunk.layers.map((l) => l.name);
  return { model, baseLayers };
}

/**
 * Unfreezes the top `n` weighted layers of the base for fine-tuning. Batch-norm layers stay frozen
 * (their statistics came from the base's much larger data; Keras's transfer-learning guide does
 * the same). Returns the names unfrozen.
 */
export function unfreezeTop(
  model: tf.LayersModel,
  baseLayers: readonly string[],
  n: number,
): string[] {
  const candidates = baseLayers
    .map((name) => model.getLayer(name))
    .filter((l) => l.weights.length > 0 && l.getClassName() !== 'BatchNormalization');
  const chosen = n > 0 ? candidates.slice(-n) : [];
  for (const layer of chosen) layer.trainable = true;
  return chosen.map((l) => l.name);
}

/**
 * The transfer model's head on its own: its layers (those named `<headName>_…`, shared, not
 * copied: training the head model trains the full model's head) applied to an input of
 * `featureShape` (default: the cut layer's output shape, without the batch dimension), and the
 * base layer whose output the head takes. `headName` is the one given to `buildTransfer`
 * (default `'head'`).
 */
export function headOnly(
  full: tf.LayersModel,
  headName = 'head',
  featureShape?: number[],
): { featureLayer: tf.layers.Layer; head: tf.LayersModel } {
  const prefix = `${headName}_`;
  const layers = full.layers.filter((l) => l.name.startsWith(prefix));
  const featureLayer = layers[0]!.inboundNodes[0]!.inboundLayers[0]!;
  const shape = featureShape ?? (featureLayer.outputShape as number[]).slice(1);
  const input = tf.input({ shape });
  let x: Symbolic = input;
  for (const layer of layers) x = layer.apply(x) as Symbolic;
  return { featureLayer, head: tf.model({ inputs: input, outputs: x }) };
}
