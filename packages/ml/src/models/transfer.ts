import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { ModelConfigError } from '../errors';
import { head, namer, type Symbolic } from './layers-util';

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

/**
 * Transfer learning: cut the pretrained `base` at `architecture.cut_layer` (default: the input of
 * its output layer), freeze every base layer, and put a new head on the cut's output. Returns the
 * new model and the names of the base layers kept (for `unfreezeTop`).
 */
export function buildTransfer(
  spec: JobSpec,
  base: tf.LayersModel,
  outputs: number | null,
): { model: tf.LayersModel; baseLayers: string[] } {
  let cut: tf.layers.Layer;
  if (spec.architecture.cut_layer) {
    try {
      cut = base.getLayer(spec.architecture.cut_layer);
    } catch {
      const names = base.layers.map((l) => l.name);
      throw new ModelConfigError(
        `architecture.cut_layer ${JSON.stringify(spec.architecture.cut_layer)} is not a layer of the base model; it has ${names.slice(-12).join(', ')}${names.length > 12 ? ', …' : ''}`,
        { param: 'architecture.cut_layer' },
      );
    }
  } else {
    cut = defaultCut(base);
  }
  const features = cut.output as Symbolic;
  const kept = new Set<string>();
  // The layers the cut's output depends on: the part of the base the new model keeps.
  const visit = (layer: tf.layers.Layer) => {
    if (kept.has(layer.name)) return;
    kept.add(layer.name);
    for (const node of layer.inboundNodes) for (const l of node.inboundLayers) visit(l);
  };
  visit(cut);
  for (const layer of base.layers) layer.trainable = false;
  const name = namer(headPrefix(spec).slice(0, -1));
  const model = tf.model({
    inputs: base.inputs,
    outputs: head(features, spec, outputs, name),
    name: 'transfer',
  });
  const baseLayers = base.layers.filter((l) => kept.has(l.name)).map((l) => l.name);
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

/** The head-layer name prefix `buildTransfer` gives a spec's new layers. */
export function headPrefix(spec: JobSpec): string {
  return `head${spec.id.slice(-6)}_`;
}

/**
 * The transfer model's head on its own: its layers (shared, not copied: training the head model
 * trains the full model's head) applied to an input of the base features' shape, and the base
 * layer whose output the head takes.
 */
export function headOnly(
  full: tf.LayersModel,
  spec: JobSpec,
  featureShape?: number[],
): { featureLayer: tf.layers.Layer; head: tf.LayersModel } {
  const prefix = headPrefix(spec);
  const layers = full.layers.filter((l) => l.name.startsWith(prefix));
  const featureLayer = layers[0]!.inboundNodes[0]!.inboundLayers[0]!;
  const shape = featureShape ?? (featureLayer.outputShape as number[]).slice(1);
  const input = tf.input({ shape });
  let x: Symbolic = input;
  for (const layer of layers) x = layer.apply(x) as Symbolic;
  return { featureLayer, head: tf.model({ inputs: input, outputs: x }) };
}
