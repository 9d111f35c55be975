import type { Dataset } from '../schemas/datasets';

/**
 * What an image job with neither `architecture.type` nor `base_model` runs with when
 * `defaultsToImageTransfer` says so: the built-in MobileNetV2 cut at `block_13_expand_relu`
 * (`bm_mobilenetv2block13`: 576 features from ImageNet's blocks 0-10 and two of nsfwjs's retrained
 * blocks), a head trained on the frozen base's features (computed once when nothing augments the
 * images), then the top 4 weighted layers of that cut base (block 12's three convolutions and
 * block 13's expansion) fine-tuned at a tenth of the head's rate (1e-4 with the default adam rate).
 *
 * Why that cut: on few-shot real illustrations (`npm run bench:fewshot`: six classes, 8 pictures a
 * class, held-out pictures of other emoji) a linear probe on the base's frozen features scored
 * 0.41 at `out_relu` and 0.50 at `block_13_expand_relu` (0.54 at block 10's output), and the
 * default job went from 0.367 (0.358-0.379 over three seeds) to 0.478 (0.412-0.537) when cut
 * there; cut at block 10 it was unsteady (0.394, 0.229-0.508). The top blocks, retrained on
 * nsfwjs's five classes, are specialised to them. 96×96: the base's work per image grows with its
 * area, and 128 or 224 scored the same in the probes (bench/README-quality.md).
 */
export const IMAGE_TRANSFER_DEFAULTS = {
  base_model: 'bm_mobilenetv2block13',
  input_size: [96, 96] as const,
  trainable_base_layers: 4,
  fine_tune_epochs: 5,
} as const;

/**
 * Past this many examples an image job trains a CNN from scratch unless the request names a base:
 * fine-tuning the base costs a full forward pass per example and epoch, which on a CPU runs into
 * hours, and with that much data a CNN learns on its own.
 */
export const IMAGE_TRANSFER_MAX_EXAMPLES = 20_000;

/** Below this many examples a text job defaults to `bag_of_embeddings`, else `gru`. */
export const TEXT_BAG_MAX_EXAMPLES = 5_000;

/**
 * Images like MNIST's: grey (one channel, or grey and alpha) and at most 32×32 on average. On
 * these the CNN from scratch beat the fine-tuned base, measured on MNIST: 0.74 against 0.65 on
 * held-out digits at 8 a class (test/training/default-transfer.test.ts), 0.936 against 0.876 at
 * 75 a class (`npm run bench:quality -- --only mnist`). Colour pictures and larger ones need
 * what a pretrained base has seen.
 */
export function digitLike(dataset: Dataset): boolean {
  const images = dataset.report?.stats?.images;
  if (!images) return false;
  const grey = Object.keys(images.channels).every((c) => Number(c) <= 2);
  return grey && images.width.mean <= 32 && images.height.mean <= 32;
}

/**
 * Whether an image job that names neither an architecture nor a base fine-tunes the built-in
 * base: when its images are not `digitLike` and there are at most `IMAGE_TRANSFER_MAX_EXAMPLES`.
 */
export function defaultsToImageTransfer(dataset: Dataset): boolean {
  if (dataset.task !== 'image_classification') return false;
  const n = dataset.report?.stats?.examples ?? 0;
  return !digitLike(dataset) && n <= IMAGE_TRANSFER_MAX_EXAMPLES;
}

/** A text job's architecture when the request names none: by the dataset's size. */
export function defaultTextArchitecture(examples: number): 'bag_of_embeddings' | 'gru' {
  return examples < TEXT_BAG_MAX_EXAMPLES ? 'bag_of_embeddings' : 'gru';
}
