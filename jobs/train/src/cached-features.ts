import * as tf from '@tensorflow/tfjs';
import {
  augments,
  buildPreprocess,
  buildTransfer,
  type EncodedDataset,
  type EpochLogs,
  encodeDataset,
  fit,
  headOnly,
  makeOptimizer,
  type RawDataset,
  seedRandom,
  type TrainCallback,
  targetTensor,
} from '@trainyard/ml';
import type { JobSpec, Preprocess } from '@trainyard/shared';
import type { BaseModel } from './base-model';
import type { JobContext } from './context';
import { EpochEventsCallback } from './job-callbacks';
import { headName, transferArgs } from './model-args';
import type { Split, TrainedModel } from './train-once';

/** Search-space paths that change the base or the inputs, which cached features cannot follow. */
const BASE_PATHS =
  /^(augmentation\.|architecture\.(trainable_base_layers|cut_layer|input_size)|hyperparameters\.fine_tune)/;

/**
 * Whether every trial would run a frozen base on unaugmented inputs: then the base's output for
 * each example is the same in every epoch of every trial, and is computed once.
 */
export function canCacheFeatures(spec: JobSpec, base: BaseModel | undefined): boolean {
  if (!base || spec.architecture.type !== 'transfer' || !spec.tuning) return false;
  if (augments(spec.augmentation)) return false;
  if (spec.architecture.trainable_base_layers > 0 && spec.hyperparameters.fine_tune_epochs > 0)
    return false;
  return !Object.keys(spec.tuning.search_space).some((path) => BASE_PATHS.test(path));
}

export interface CachedFeatures {
  readonly preprocess: Preprocess;
  /** The base's output for every example, as a dataset the head trains on. */
  readonly data: EncodedDataset;
  /** The full dataset (inputs for the base), for publishing the composed model. */
  readonly inputs: EncodedDataset;
}

/** Runs the frozen base (cut as the spec says) once over every example. */
export async function computeFeatures(
  spec: JobSpec,
  raw: RawDataset,
  split: Split,
  base: BaseModel,
): Promise<CachedFeatures> {
  const preprocess = await buildPreprocess(raw, split.train, spec, base.preprocess);
  const inputs = await encodeDataset(raw, preprocess);
  const { model } = buildTransfer(
    transferArgs(spec, base.model, preprocess.labels?.length ?? null),
  );
  const cut = headOnly(model, headName(spec)).featureLayer;
  const extractor = tf.model({ inputs: model.inputs, outputs: cut.output as tf.SymbolicTensor });
  const all = Array.from({ length: inputs.count }, (_, i) => i);
  const chunks: Float32Array[] = [];
  let shape: number[] = [];
  for (let at = 0; at < all.length; at += 128) {
    const { xs, ys } = inputs.batch(all.slice(at, at + 128));
    const out = extractor.predict(xs) as tf.Tensor;
    shape = out.shape.slice(1) as number[];
    chunks.push(out.dataSync() as Float32Array);
    tf.dispose([xs, ys, out]);
  }
  model.dispose();
  const width = shape.reduce((a, b) => a * b, 1);
  const features = new Float32Array(inputs.count * width);
  let offset = 0;
  for (const c of chunks) {
    features.set(c, offset);
    offset += c.length;
  }
  const data = featureDataset(features, shape, inputs, preprocess);
  return { preprocess, data, inputs };
}

/**
 * One trial on cached features: trains a head of the trial's spec on the base's outputs, then
 * composes base and head into the model a full transfer run would have produced.
 */
export async function trainHeadOnFeatures(
  ctx: JobContext,
  spec: JobSpec,
  cached: CachedFeatures,
  base: BaseModel,
  split: Split,
  trial: number,
  extra: TrainCallback[],
): Promise<TrainedModel> {
  seedRandom(spec.seed + trial * 7919);
  const full = buildTransfer(
    transferArgs(spec, base.model, cached.preprocess.labels?.length ?? null),
  ).model;
  const { head } = headOnly(full, headName(spec), cached.data.exampleShape);
  const hp = spec.hyperparameters;
  const optimizer = makeOptimizer(hp, hp.learning_rate);
  const history: EpochLogs[] = [];
  await fit(head, cached.data, {
    hyperparameters: hp,
    labelNames: cached.preprocess.labels,
    learningRate: hp.learning_rate,
    optimizer,
    epochs: hp.epochs,
    train: split.train,
    validation: split.validation,
    seed: spec.seed + trial * 7919,
    shouldStop: ctx.stopping,
    callbacks: [
      new EpochEventsCallback(ctx, 'train', trial, hp.epochs),
      ...extra,
      { onEpochEnd: (logs) => void history.push(logs) },
    ],
  });
  optimizer.dispose();
  // The head model shares its layers with `full`: training it trained the full model's head.
  return {
    model: full,
    preprocess: cached.preprocess,
    data: cached.inputs,
    history,
    epochsRun: history.length,
  };
}

/**
 * A dataset over features computed once: example i's features are `features[i·w … (i+1)·w)`
 * (w = the product of `shape`), its labels those of `inputs`. Batches copy the rows they name.
 */
export function featureDataset(
  features: Float32Array,
  shape: number[],
  inputs: EncodedDataset,
  preprocess: Preprocess,
): EncodedDataset {
  const width = shape.reduce((a, b) => a * b, 1);
  return {
    count: inputs.count,
    exampleShape: shape,
    classes: inputs.classes,
    labels: inputs.labels,
    batch(indices) {
      const x = new Float32Array(indices.length * width);
      for (let i = 0; i < indices.length; i++)
        x.set(features.subarray(indices[i]! * width, (indices[i]! + 1) * width), i * width);
      return {
        xs: tf.tensor(x, [indices.length, ...shape]),
        ys: targetTensor(inputs.labels, indices, preprocess),
      };
    },
  };
}
