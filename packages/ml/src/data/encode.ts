import * as tf from '@tensorflow/tfjs';
import { encodeRow, encodeText, imagesToTensor, vocabIndex } from '@trainyard/predict';
import { decodeImage } from '@trainyard/predict/sharp';
import type { ImageInput, Preprocess } from '@trainyard/shared';
import { ModelConfigError } from '../errors';
import type { RawDataset } from './raw';

/**
 * A dataset encoded once for one model's preprocessing: images decoded and resized (kept as bytes,
 * a quarter of floats), rows as standardized features, texts as token ids. `batch` makes tensors.
 */
export interface EncodedDataset {
  readonly count: number;
  /** Shape of one example as the model takes it. */
  readonly exampleShape: number[];
  readonly classes: number | null;
  /** Class ids (classification) or raw targets (regression), per example. */
  readonly labels: ArrayLike<number>;
  /** Inputs and targets of these examples; the caller disposes them. */
  batch(indices: ArrayLike<number>): { xs: tf.Tensor; ys: tf.Tensor };
  /** The raw pixels of examples (images only): augmentation works on these. */
  readonly pixels?: Uint8Array;
}

async function decodeAll(images: Uint8Array[], input: ImageInput): Promise<Uint8Array> {
  const size = input.height * input.width * input.channels;
  const out = new Uint8Array(images.length * size);
  const parallel = 16;
  for (let start = 0; start < images.length; start += parallel) {
    const chunk = images.slice(start, start + parallel);
    const decoded = await Promise.all(chunk.map((bytes) => decodeImage(bytes, input)));
    for (const [i, d] of decoded.entries()) out.set(d, (start + i) * size);
  }
  return out;
}

function gather<T extends Uint8Array | Float32Array | Int32Array>(
  source: T,
  width: number,
  indices: ArrayLike<number>,
): T {
  const out = new (source.constructor as new (n: number) => T)(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i]! * width;
    out.set(source.subarray(at, at + width), i * width);
  }
  return out;
}

/** The training targets of examples: one-hot classes, or standardized regression values. */
export function targetTensor(
  labels: ArrayLike<number>,
  indices: ArrayLike<number>,
  pre: Preprocess,
): tf.Tensor {
  if (pre.labels) {
    const ids = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) ids[i] = labels[indices[i]!]!;
    return tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), pre.labels!.length).toFloat());
  }
  const { mean, std } = pre.target!;
  const ys = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) ys[i] = (labels[indices[i]!]! - mean) / std;
  return tf.tensor2d(ys, [indices.length, 1]);
}

/** Encodes every example of `raw` with `pre` (built from the training split). */
export async function encodeDataset(raw: RawDataset, pre: Preprocess): Promise<EncodedDataset> {
  const input = pre.input;
  const classes = pre.labels?.length ?? null;
  if (raw.kind === 'images' && input.kind === 'image') {
    const pixels = await decodeAll(raw.images, input);
    const width = input.height * input.width * input.channels;
    return {
      count: raw.images.length,
      exampleShape: [input.height, input.width, input.channels],
      classes,
      labels: raw.labels,
      pixels,
      batch: (indices) => ({
        xs: imagesToTensor(gather(pixels, width, indices), indices.length, input),
        ys: targetTensor(raw.labels, indices, pre),
      }),
    };
  }
  if (raw.kind === 'table' && input.kind === 'table') {
    const names = raw.manifest.columns.map((c) => c.name);
    const at = new Map(names.map((n, i) => [n, i]));
    const features = new Float32Array(raw.rows.length * input.features);
    for (const [r, row] of raw.rows.entries()) {
      encodeRow(input, (name) => row[at.get(name)!], features, r * input.features);
    }
    return {
      count: raw.rows.length,
      exampleShape: [input.features],
      classes,
      labels: raw.labels,
      batch: (indices) => ({
        xs: tf.tensor2d(gather(features, input.features, indices), [
          indices.length,
          input.features,
        ]),
        ys: targetTensor(raw.labels, indices, pre),
      }),
    };
  }
  if (raw.kind === 'texts' && input.kind === 'text') {
    const index = vocabIndex(input);
    const ids = new Int32Array(raw.texts.length * input.max_length);
    for (const [i, text] of raw.texts.entries())
      encodeText(input, index, text, ids, i * input.max_length);
    return {
      count: raw.texts.length,
      exampleShape: [input.max_length],
      classes,
      labels: raw.labels,
      batch: (indices) => ({
        xs: tf.tensor2d(
          gather(ids, input.max_length, indices),
          [indices.length, input.max_length],
          'int32',
        ),
        ys: targetTensor(raw.labels, indices, pre),
      }),
    };
  }
  throw new ModelConfigError(`preprocessing for ${input.kind} does not fit a ${raw.kind} dataset`);
}
