import type * as tf from '@tensorflow/tfjs';
import {
  buildModel,
  buildPreprocess,
  type EncodedDataset,
  type EpochLogs,
  encodeDataset,
  evaluate,
  fit,
  makeOptimizer,
  type RawDataset,
  seedRandom,
  selectBackend,
  type TrainCallback,
} from '@trainyard/ml';
import {
  type CreateJob,
  type Dataset,
  type JobSpec,
  type Preprocess,
  resolveJobSpec,
} from '@trainyard/shared';
import { type Digit, digitPng } from '@trainyard/testing';
import { modelArgs } from '@trainyard/train';

/** The backend `npm start` would use on this machine (wasm here), as the product runs. */
export async function useDefaultBackend(): Promise<string> {
  return (await selectBackend({ preference: (process.env.TFJS_BACKEND as 'auto') ?? 'auto' }))
    .backend;
}

/** MNIST digits as the normalized dataset validation would leave (real PNG bytes). */
export async function digitsDataset(digits: Digit[]): Promise<RawDataset> {
  const classes = [...new Set(digits.map((d) => String(d.label)))].sort();
  const images = await Promise.all(digits.map(digitPng));
  return {
    kind: 'images',
    manifest: { version: 1, kind: 'images', examples: digits.length, classes, shards: [] },
    images,
    labels: Int32Array.from(digits, (d) => classes.indexOf(String(d.label))),
    channels: new Uint8Array(digits.length).fill(1),
  };
}

export function textDataset(items: Array<{ text: string; label: string }>): RawDataset {
  const classes = [...new Set(items.map((i) => i.label))].sort();
  return {
    kind: 'texts',
    manifest: { version: 1, kind: 'texts', examples: items.length, classes, shards: [] },
    texts: items.map((i) => i.text),
    labels: Int32Array.from(items, (i) => classes.indexOf(i.label)),
  };
}

/** The spec a job with `request` would run with on a dataset of `examples` examples. */
export function specFor(
  task: JobSpec['task'],
  examples: number,
  request: Omit<CreateJob, 'dataset'>,
): JobSpec {
  const dataset = {
    id: 'ds_test',
    name: 'test',
    task,
    report: {
      errors: [],
      warnings: [],
      stats: { examples, bytes: 0, images: { width: { min: 28, max: 28, mean: 28 } } },
    },
  } as unknown as Dataset;
  return resolveJobSpec(
    `ftjob_test${Math.random().toString(36).slice(2, 8)}`,
    { dataset: 'ds_test', ...request },
    dataset,
  );
}

export interface Trained {
  model: tf.LayersModel;
  pre: Preprocess;
  data: EncodedDataset;
  history: EpochLogs[];
  /** Accuracy (or −loss for regression) on `indices`, in inference mode. */
  score(indices: number[]): number;
}

/** Builds the spec's model and trains it on `train`, validating on `validation`, as the trainer does. */
export async function train(
  raw: RawDataset,
  spec: JobSpec,
  split: { train: number[]; validation: number[] },
  options: {
    model?: tf.LayersModel;
    pre?: Preprocess;
    callbacks?: TrainCallback[];
    augment?: Parameters<typeof fit>[2]['augment'];
  } = {},
): Promise<Trained> {
  seedRandom(spec.seed);
  const pre = options.pre ?? (await buildPreprocess(raw, split.train, spec));
  const data = await encodeDataset(raw, pre);
  const model = options.model ?? buildModel(modelArgs(spec, pre, data.exampleShape));
  const optimizer = makeOptimizer(spec.hyperparameters, spec.hyperparameters.learning_rate);
  const { history } = await fit(model, data, {
    hyperparameters: spec.hyperparameters,
    learningRate: spec.hyperparameters.learning_rate,
    optimizer,
    epochs: spec.hyperparameters.epochs,
    train: split.train,
    validation: split.validation,
    seed: spec.seed,
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
    ...(options.augment ? { augment: options.augment } : {}),
  });
  return {
    model,
    pre,
    data,
    history,
    score: (indices) => {
      const e = evaluate(model, data, indices);
      return e.accuracy ?? -e.loss;
    },
  };
}

/** Indices `from` up to (not including) `to`. */
export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i);
