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
  /**
   * `augmentation.downscale`: half of each batch shrunk to as little as a tenth of its side. The
   * realworld case-07 thumbnail (6×4 pixels, bright top) was read as "left" by the model trained
   * on case 01's 60 photos at every seed tried (3 of 3); with 0.9, right at 4 of 4. On 21
   * illustrations a class (`npm run bench:fewshot -- --shots 21 --held-out 7 --only default`),
   * seeds 1-5, held-out accuracy 0.605 (0.548-0.667) against 0.593 (0.536-0.714) without; the job
   * takes about twice as long (68 s against 33 s), the base's features being computed every epoch.
   */
  downscale: 0.9,
} as const;

/**
 * At most this many examples a class on average (the mean over the dataset's classes), an image
 * job that defaults to transfer is few-shot and runs with `FEW_SHOT_IMAGE_DEFAULTS`. The defaults
 * below were measured at 8 a class (`npm run bench:fewshot`); 20 leaves room for the "5-10 a
 * class" a user starts with, and for a class or two with more.
 */
export const FEW_SHOT_MAX_PER_CLASS = 20;

/**
 * What a few-shot image job (see `fewShotImages`) runs with instead of `IMAGE_TRANSFER_DEFAULTS`:
 * the built-in base composed of nsfwjs's MobileNetV2 to block 10 and InceptionV3 to mixed4, side
 * by side at 160×160, each GeM-pooled (`bm_mobilenetv2inceptionv3`: 1,152 features, every layer
 * ImageNet's), a linear head (softmax on the features: `head.units` [], no dropout, L2 0.001; a
 * logistic regression, as a linear probe is) trained to convergence on the base's features
 * computed once (100 epochs at 3× the optimizer's default rate, 0.003 with adam, no early
 * stopping), no fine-tuning of the base, a validation split of 0.1 (one picture a class at 8 a
 * class, where 0.2 took two: a quarter of what the head learns from), and a refit on all the
 * pictures once validated (`hyperparameters.refit`).
 *
 * Measured on few-shot illustrations (`npm run bench:fewshot`: six classes, 8 pictures a class,
 * held-out pictures of other emoji; bench/README-quality.md), held-out accuracy over seeds 1-10:
 * 0.598 (0.508-0.675), against 0.530 with MobileNetV2's block 10 alone at 96×96 (the default
 * before) and 0.537 for the best linear probe on one frozen layer of it. The head trains at 3×,
 * not 10×: these features are large and share a large mean (GeM of ReLU maps), and at 0.01 the
 * first epoch's loss passed the divergence guard. How the rest was chosen, over seeds 1-3 on
 * block 10: the old default (block 13, a dense-128 head, 30 epochs at 0.001, early stopping)
 * 0.478; a linear head at adam's 0.001 for 30 epochs 0.347 (not converged; early stopping on a
 * dozen validation pictures stopped it after 6-12 epochs); 100 epochs at 0.01 with no early
 * stopping 0.518; fine-tuning the top 4 layers for 10 more epochs at 1e-4 0.524 (twice the time,
 * within the seeds' spread); without it, with this validation split, 0.543.
 */
export const FEW_SHOT_IMAGE_DEFAULTS = {
  base_model: 'bm_mobilenetv2inceptionv3',
  input_size: [160, 160] as const,
  head_units: [] as readonly number[],
  dropout: 0,
  l2: 1e-3,
  learning_rate_factor: 3,
  epochs: 100,
  early_stopping: null,
  trainable_base_layers: 0,
  fine_tune_epochs: 0,
  validation_split: 0.1,
  refit: true,
} as const;

/**
 * Whether an image classification dataset is few-shot: at most `FEW_SHOT_MAX_PER_CLASS` examples
 * a class on average. False when its report has no class counts.
 */
export function fewShotImages(dataset: Dataset): boolean {
  if (dataset.task !== 'image_classification') return false;
  const counts = Object.values(dataset.report?.stats?.classes ?? {}).filter((c) => c > 0);
  if (counts.length === 0) return false;
  return counts.reduce((a, b) => a + b, 0) / counts.length <= FEW_SHOT_MAX_PER_CLASS;
}

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
