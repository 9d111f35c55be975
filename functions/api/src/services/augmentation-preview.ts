import { readZipImage, sampleImages } from '@trainyard/datasets';
import type { ImageDecoder } from '@trainyard/predict';
import {
  type Augmentation,
  type Dataset,
  type ImageInput,
  resolveAugmentation,
  type Storage,
  UnprocessableError,
} from '@trainyard/shared';
import { ImageError } from '@trainyard/shared/images';

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

/**
 * A few of an image dataset's own images after an augmentation, drawn by the trainer's own
 * `augmentBatch` (the same flips, affine warp, brightness and contrast a job applies per batch),
 * so a person sees what training will see. Images decode with `imageDecoder` (sharp on Node, as
 * training does; the pure-JavaScript decoder, PNG and JPEG only, where sharp is absent).
 */
export class AugmentationPreview {
  /**
   * `imageDecoder` default: `portableImageDecoder`. TensorFlow.js, the decoder and the PNG encoder
   * load on the first preview, not with the API: they are most of its cold start (the bundled API
   * imports in about half the time without them) and most requests never need them.
   */
  constructor(
    private readonly storage: Storage,
    private readonly imageDecoder?: ImageDecoder,
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
    const tensors = await import('./augmentation-preview-tensors');
    const decoder = this.imageDecoder ?? tensors.portableImageDecoder;
    const decoded: Array<{ label: string; path: string; pixels: Uint8Array }> = [];
    const problems: string[] = [];
    for (const sample of chosen) {
      const { bytes } = await readZipImage(this.storage, dataset, sample.path);
      try {
        const pixels = await decoder.decode(bytes, input, {
          maxPixels: tensors.MAX_PREDICT_IMAGE_PIXELS,
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
        `None of dataset ${dataset.id}'s sample images could be decoded here (${decoder.name} decoder): ${problems.slice(0, 3).join('; ') || 'it has no images'}`,
        { code: 'no_decodable_images', param: 'path.id' },
      );
    }
    const all = new Uint8Array(decoded.length * size * size * 3);
    for (const [i, d] of decoded.entries()) all.set(d.pixels, i * size * size * 3);
    const columns = tensors.augmentedDataUrls(all, decoded.length, input, augmentation, {
      variants,
      seed,
    });
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
  }
}
