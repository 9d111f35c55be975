/**
 * What Trainyard's image data pipeline costs next to a training step, measured on the backend in
 * use: decoding (sharp, once per job when the dataset is encoded for the model) and, per batch,
 * turning decoded bytes into the normalized input tensor and augmenting it with every augmentation
 * on. Used by bench/train.ts for the CNN.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '@trainyard/ml';
import { imagesToTensor } from '@trainyard/predict';
import { decodeImage } from '@trainyard/predict/sharp';
import type { ImageInput } from '@trainyard/shared';
import sharp from 'sharp';

export interface PipelineCost {
  /** sharp decode (+ resize) per image, once per job. */
  decodeMsPerImage: number;
  /** Bytes → normalized tensor, per batch. */
  normalizeMsPerBatch: number;
  /** Flips, rotation, translation, zoom, brightness and contrast, per batch. */
  augmentMsPerBatch: number;
}

const INPUT: ImageInput = {
  kind: 'image',
  height: 28,
  width: 28,
  channels: 1,
  mean: [0.13],
  std: [0.31],
};

/** Times the pipeline on the first `batch` digits of `pixels` (28×28 floats in 0-1). */
export async function measureImagePipeline(
  pixels: Float32Array,
  batch: number,
): Promise<PipelineCost> {
  const size = 28 * 28;
  const bytes = Uint8Array.from(pixels.subarray(0, batch * size), (v) => Math.round(v * 255));
  const pngs = await Promise.all(
    Array.from({ length: batch }, (_, i) =>
      sharp(Buffer.from(bytes.subarray(i * size, (i + 1) * size)), {
        raw: { width: 28, height: 28, channels: 1 },
      })
        .png()
        .toBuffer(),
    ),
  );
  const time = async (repeats: number, body: () => unknown) => {
    await body(); // warm-up
    const start = performance.now();
    for (let i = 0; i < repeats; i++) await body();
    return (performance.now() - start) / repeats;
  };
  const decodeMsPerBatch = await time(3, () => Promise.all(pngs.map((p) => decodeImage(p, INPUT))));
  const normalizeMsPerBatch = await time(20, () => imagesToTensor(bytes, batch, INPUT).dispose());
  let seed = 7;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const augmentation = {
    flip_horizontal: true,
    flip_vertical: true,
    rotation_degrees: 15,
    translate: 0.1,
    zoom: 0.1,
    brightness: 0.1,
    contrast: 0.1,
    downscale: 0,
  };
  const x = imagesToTensor(bytes, batch, INPUT);
  const augmentMsPerBatch = await time(20, () =>
    tf.tidy(() => augmentBatch(x, augmentation, INPUT, random)).dispose(),
  );
  x.dispose();
  return { decodeMsPerImage: decodeMsPerBatch / batch, normalizeMsPerBatch, augmentMsPerBatch };
}
