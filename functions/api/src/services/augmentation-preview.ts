import * as tf from '@tensorflow/tfjs';
import { readZipImage, sampleImages } from '@trainyard/datasets';
import { augmentBatch } from '@trainyard/ml/augment';
import {
  type ImageDecoder,
  imagesToTensor,
  MAX_PREDICT_IMAGE_PIXELS,
  portableImageDecoder,
} from '@trainyard/predict';
import {
  type Augmentation,
  type Dataset,
  type ImageInput,
  mulberry32,
  resolveAugmentation,
  type Storage,
  UnprocessableError,
} from '@trainyard/shared';
import { ImageError } from '@trainyard/shared/images';
import { encode } from 'fast-png';

/** What `AugmentationPreview.render` is asked for (every field but the dataset has a default). */
export interface AugmentationPreviewRequest {
  /** As in a job spec's `augmentation` (already validated by `augmentationSchema`). Default: none. */
  readonly augmentation?: Partial<Augmentation>;
  /** Images of the dataset to show, spread over its classes. Default 4. */
  readonly samples?: number;
  /** Augmented versions of each image. Default 3. */
  readonly variants?: number;
  /** Side in pixels each image is resized to (square), as training resizes. Default 96. */
  readonly size?: number;
  /** Seeds the random draws: the same request draws the same augmentations. Default 1. */
  readonly seed?: number;
}

/** One sample: the image as training sees it before augmentation, then augmented `variants` times. */
export interface AugmentedSample {
  readonly path: string;
  readonly label: string;
  /** `data:image/png;base64,…`, `size × size`. */
  readonly original: string;
  readonly augmented: string[];
}

export interface AugmentationPreviewResult {
  /** Every augmentation spelled out (the ones not asked for off), as a job's spec would hold it. */
  readonly augmentation: Augmentation;
  readonly size: number;
  readonly seed: number;
  readonly data: AugmentedSample[];
}

/** Pixel values on the 0-1 scale map to [-1, 1]; the augmentations act the same in pixel space for any normalization. */
const HALF = [0.5, 0.5, 0.5];

/** `n` items spread over the classes in turn (one of each class, then the second of each…). */
function spread(samples: Array<{ label: string; paths: string[] }>, n: number) {
  const picked: Array<{ label: string; path: string }> = [];
  for (let round = 0; picked.length < n; round++) {
    const before = picked.length;
    for (const { label, paths } of samples) {
      if (picked.length < n && paths[round] !== undefined)
        picked.push({ label, path: paths[round]! });
    }
    if (picked.length === before) break;
  }
  return picked;
}

/** Normalized float images (`n × size × size × 3`) back to PNG data URLs. */
function toDataUrls(batch: tf.Tensor, size: number): string[] {
  const bytes = tf.tidy(() =>
    batch.mul(0.5).add(0.5).clipByValue(0, 1).mul(255).round().toInt().dataSync(),
  );
  const n = batch.shape[0]!;
  const pixels = size * size * 3;
  return Array.from({ length: n }, (_, i) => {
    const data = Uint8Array.from(bytes.subarray(i * pixels, (i + 1) * pixels));
    const png = encode({ width: size, height: size, data, channels: 3, depth: 8 });
    return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  });
}

/**
 * A few of an image dataset's own images after an augmentation, drawn by the trainer's own
 * `augmentBatch` (the same flips, affine warp, brightness and contrast a job applies per batch),
 * so a person sees what training will see. Images decode with `imageDecoder` (sharp on Node, as
 * training does; the pure-JavaScript decoder, PNG and JPEG only, where sharp is absent).
 */
export class AugmentationPreview {
  constructor(
    private readonly storage: Storage,
    private readonly imageDecoder: ImageDecoder = portableImageDecoder,
  ) {}

  /**
   * Renders the preview of `dataset` (which the caller has read within its project). Throws
   * `UnprocessableError` (`not_an_image_dataset`) for a dataset that is not an image-folder zip,
   * or (`no_decodable_images`) when none of the chosen images decodes; `NotFoundError` when it has
   * no file yet.
   */
  async render(
    dataset: Dataset,
    request: AugmentationPreviewRequest,
  ): Promise<AugmentationPreviewResult> {
    const { samples = 4, variants = 3, size = 96, seed = 1 } = request;
    const augmentation = resolveAugmentation(request.augmentation);
    const perClass = Math.max(1, samples);
    const chosen = spread(await sampleImages(this.storage, dataset, perClass), samples);
    const input: ImageInput = {
      kind: 'image',
      height: size,
      width: size,
      channels: 3,
      mean: HALF,
      std: HALF,
    };
    const decoded: Array<{ label: string; path: string; pixels: Uint8Array }> = [];
    const problems: string[] = [];
    for (const sample of chosen) {
      const { bytes } = await readZipImage(this.storage, dataset, sample.path);
      try {
        const pixels = await this.imageDecoder.decode(bytes, input, {
          maxPixels: MAX_PREDICT_IMAGE_PIXELS,
        });
        decoded.push({ ...sample, pixels });
      } catch (error) {
        // The validation report already counts images that do not decode; show the others.
        if (!(error instanceof ImageError)) throw error;
        problems.push(error.describe(sample.path));
      }
    }
    if (decoded.length === 0) {
      throw new UnprocessableError(
        `None of dataset ${dataset.id}'s sample images could be decoded here (${this.imageDecoder.name} decoder): ${problems.slice(0, 3).join('; ') || 'it has no images'}`,
        { code: 'no_decodable_images', param: 'path.id' },
      );
    }
    const all = new Uint8Array(decoded.length * size * size * 3);
    for (const [i, d] of decoded.entries()) all.set(d.pixels, i * size * size * 3);
    const originals = imagesToTensor(all, decoded.length, input);
    const random = mulberry32(seed);
    try {
      const columns = [toDataUrls(originals, size)];
      for (let v = 0; v < variants; v++) {
        const batch = augmentBatch(originals, augmentation, input, random);
        columns.push(toDataUrls(batch, size));
        if (batch !== originals) batch.dispose(); // with nothing drawn, the batch is the input
      }
      return {
        augmentation,
        size,
        seed,
        data: decoded.map((d, i) => ({
          path: d.path,
          label: d.label,
          original: columns[0]![i]!,
          augmented: columns.slice(1).map((c) => c[i]!),
        })),
      };
    } finally {
      originals.dispose();
    }
  }
}
