import * as tf from '@tensorflow/tfjs';
import type { EncodedDataset } from '@trainyard/ml';
import type { JobSpec, NewJobEvent, Preprocess } from '@trainyard/shared';
import { featureDataset } from './cached-features';
import { headName } from './model-args';

/**
 * A transfer model's head phase on cached features: `head` is the model's own head layers
 * (shared, so training it trains the full model) after the base and its pooling, and `data` holds
 * what the frozen base and the pooling give for every example, computed once.
 */
export interface HeadPhase {
  readonly head: tf.LayersModel;
  readonly data: EncodedDataset;
  readonly seconds: number;
}

/** How many examples go through the base at a time. */
const CHUNK = 64;

/**
 * Runs the frozen base of a freshly built transfer `model` once over every example of `inputs`.
 * The cut is after the head's global pooling when it starts with one, so an example's features
 * are the base's channels (576 for MobileNetV2 cut at block 13), not its whole feature map. Valid while the base
 * stays frozen and the inputs are not augmented: then the base computes the same features for an
 * example in every epoch.
 */
export function cacheHeadFeatures(
  model: tf.LayersModel,
  spec: JobSpec,
  inputs: EncodedDataset,
  preprocess: Preprocess,
): HeadPhase {
  const started = Date.now();
  const prefix = `${headName(spec)}_`;
  const layers = model.layers.filter((l) => l.name.startsWith(prefix));
  const pooled = layers[0]!.getClassName() === 'GlobalAveragePooling2D' ? 1 : 0;
  const featureLayer = pooled ? layers[0]! : layers[0]!.inboundNodes[0]!.inboundLayers[0]!;
  const extractor = tf.model({
    inputs: model.inputs,
    outputs: featureLayer.output as tf.SymbolicTensor,
  });
  const shape = (featureLayer.outputShape as number[]).slice(1);
  const width = shape.reduce((a, b) => a * b, 1);
  const features = new Float32Array(inputs.count * width);
  for (let at = 0; at < inputs.count; at += CHUNK) {
    const indices = Array.from({ length: Math.min(CHUNK, inputs.count - at) }, (_, i) => at + i);
    const { xs, ys } = inputs.batch(indices);
    const out = extractor.predict(xs) as tf.Tensor;
    features.set(out.dataSync() as Float32Array, at * width);
    tf.dispose([xs, ys, out]);
  }
  const input = tf.input({ shape });
  let x = input as tf.SymbolicTensor;
  for (const layer of layers.slice(pooled)) x = layer.apply(x) as tf.SymbolicTensor;
  const data = featureDataset(features, shape, inputs, preprocess);
  return {
    head: tf.model({ inputs: input, outputs: x, name: 'head' }),
    data,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `features.cached`: the job's head phase trains on the base's features, computed once. */
export function featuresCached(phase: HeadPhase, trial: number | null): NewJobEvent {
  const { count, exampleShape } = phase.data;
  return {
    type: 'features.cached',
    message: `the base is frozen and no augmentation is on: computed its features once (${count} × ${exampleShape.join('×')}, ${phase.seconds.toFixed(1)} s); the head trains on them`,
    data: { examples: count, shape: [...exampleShape], seconds: phase.seconds, trial },
  };
}
