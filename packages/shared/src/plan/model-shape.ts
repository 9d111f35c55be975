import { InternalError } from '../errors';
import type { JobSpec } from '../schemas/jobs';

/**
 * The input a new model is built on, as the trainer's preprocessing will make it: a table's
 * encoded feature count, an image's height × width × channels, or a text's token sequence.
 */
export type PlanInput =
  | { readonly kind: 'table'; readonly features: number }
  | {
      readonly kind: 'image';
      readonly height: number;
      readonly width: number;
      readonly channels: number;
    }
  | { readonly kind: 'text'; readonly vocabulary: number; readonly length: number };

/** What the cost of a model is computed from, per architecture family. */
export type ModelFamily = 'dense' | 'conv' | 'recurrent' | 'attention';

export interface ModelShape {
  readonly family: ModelFamily;
  /** Every weight, trainable or not (batch-norm moving statistics included): tfjs's `countParams()`. */
  readonly parameters: number;
  /** Numbers every layer outputs for one example (kept for the backward pass). */
  readonly activations: number;
  /** Multiply-adds of one example's forward pass. */
  readonly macs: number;
  /** The output layer's units: classes, or 1 for regression. */
  readonly outputs: number;
}

/** An accumulator over the layers of a model, in build order. */
class Tally {
  parameters = 0;
  activations = 0;
  macs = 0;
  layer(parameters: number, activations: number, macs = 0): void {
    this.parameters += parameters;
    this.activations += activations;
    this.macs += macs;
  }
}

/** tfjs `BatchNormalization`: gamma, beta, moving mean, moving variance per channel. */
const BN_WEIGHTS = 4;

/**
 * Side of the largest feature map the CNN architecture's head flattens; a larger map is
 * average-pooled down to at most this side first (pool `ceil(side / 8)`, same padding), as
 * torchvision's VGG and AlexNet do with `AdaptiveAvgPool2d((7, 7))`. Two stages on 128×128
 * pictures would otherwise flatten 32×32×64 = 65,536 features into the head's first dense layer
 * (8.4 M weights at 128 units), whose first steps blow the loss past any guess: such a job
 * diverged at Adam's default rate on a few dozen pictures. 28×28 digits keep their 7×7 map.
 */
export const CNN_MAX_FLATTENED_SIDE = 8;

/** The CNN head's average-pool size over an `h × w` map (1 × 1: none). */
export function cnnHeadPool(h: number, w: number): [number, number] {
  return [Math.ceil(h / CNN_MAX_FLATTENED_SIDE), Math.ceil(w / CNN_MAX_FLATTENED_SIDE)];
}

/**
 * The size of the model `packages/ml`'s builders make for `spec` on `input` (every architecture
 * but `transfer`, whose size is its base's), computed from the layer formulas rather than by
 * building it: the API does not load TensorFlow.js (a Lambda's cold start, and its memory, would
 * pay for it on every plan), and the formulas are exact. `packages/ml`'s test builds each
 * architecture and checks `countParams()` against this function, so the two cannot drift.
 */
export function modelShape(spec: JobSpec, input: PlanInput, outputs: number | null): ModelShape {
  const t = new Tally();
  const a = spec.architecture;
  const units = outputs ?? 1;
  let features: number;
  let family: ModelFamily;
  switch (a.type) {
    case 'mlp': {
      family = 'dense';
      features = input.kind === 'image' ? input.height * input.width * input.channels : flat(input);
      break;
    }
    case 'cnn': {
      family = 'conv';
      let [h, w, c] = imageOf(input);
      for (const f of a.filters) {
        convBnRelu(t, spec, h, w, c, f, 1);
        c = f;
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
        t.layer(0, h * w * c);
      }
      const [ph, pw] = cnnHeadPool(h, w);
      if (ph > 1 || pw > 1) {
        h = Math.ceil(h / ph);
        w = Math.ceil(w / pw);
        t.layer(0, h * w * c);
      }
      features = h * w * c;
      break;
    }
    case 'resnet': {
      family = 'conv';
      let [h, w, c] = imageOf(input);
      const stem = a.filters[0]!;
      convBnRelu(t, spec, h, w, c, stem, 1);
      c = stem;
      a.filters.forEach((f, stage) => {
        for (let b = 0; b < a.blocks_per_stage; b++) {
          const s = stage > 0 && b === 0 ? 2 : 1;
          const [oh, ow] = [Math.ceil(h / s), Math.ceil(w / s)];
          convBnRelu(t, spec, h, w, c, f, s);
          convBn(t, spec, oh, ow, f, f, 3);
          if (s !== 1 || c !== f) convBn(t, spec, oh, ow, c, f, 1);
          t.layer(0, 2 * oh * ow * f); // add, relu
          [h, w, c] = [oh, ow, f];
        }
      });
      features = c; // global average pooling
      break;
    }
    case 'rnn':
    case 'lstm':
    case 'gru': {
      family = 'recurrent';
      const { vocabulary, length } = textOf(input);
      t.layer(vocabulary * a.embedding_dim, length * a.embedding_dim);
      const gates = a.type === 'lstm' ? 4 : a.type === 'gru' ? 3 : 1;
      const directions = a.bidirectional ? 2 : 1;
      let width = a.embedding_dim;
      for (let layer = 0; layer < a.num_layers; layer++) {
        const cell = gates * (a.rnn_units * (width + a.rnn_units) + a.rnn_units);
        const last = layer === a.num_layers - 1;
        const out = directions * a.rnn_units;
        t.layer(
          directions * cell,
          (last ? 1 : length) * out,
          directions * length * (cell - gates * a.rnn_units),
        );
        width = out;
      }
      features = width;
      break;
    }
    case 'bag_of_embeddings': {
      family = 'dense';
      const { vocabulary, length } = textOf(input);
      // Embedding, then the mean over the text's tokens (no weights).
      t.layer(vocabulary * a.embedding_dim, length * a.embedding_dim);
      t.layer(0, a.embedding_dim, length * a.embedding_dim);
      features = a.embedding_dim;
      break;
    }
    case 'attention': {
      family = 'attention';
      const { vocabulary, length } = textOf(input);
      const d = a.embedding_dim;
      const ff = 2 * d;
      t.layer((vocabulary + a.max_length) * d, length * d);
      for (let i = 0; i < a.num_layers; i++) {
        const weights = 4 * d * d + d + 2 * d * ff + ff + d + 4 * d;
        // q, k, v, scores, attended, out, norm, hidden, ffn, norm
        const acts = length * (6 * d + ff + 2 * d) + a.num_heads * length * length;
        t.layer(weights, acts, length * (4 * d * d + 2 * d * ff) + 2 * length * length * d);
      }
      features = d; // mean over positions
      break;
    }
    case 'transfer':
      throw new InternalError('a transfer model is sized by its base; modelShape takes new models');
  }
  head(t, spec, features, units);
  return {
    family,
    parameters: t.parameters,
    activations: t.activations,
    macs: t.macs,
    outputs: units,
  };
}

function flat(input: PlanInput): number {
  if (input.kind === 'table') return input.features;
  if (input.kind === 'image') return input.height * input.width * input.channels;
  return input.length;
}

function imageOf(input: PlanInput): [number, number, number] {
  if (input.kind !== 'image')
    throw new InternalError(`a convolutional model takes images, not ${input.kind}`);
  return [input.height, input.width, input.channels];
}

function textOf(input: PlanInput): { vocabulary: number; length: number } {
  if (input.kind !== 'text')
    throw new InternalError(`a text model takes token ids, not ${input.kind}`);
  return input;
}

/** A `same`-padded k×k convolution (bias only without batch norm), then batch norm. */
function convBn(
  t: Tally,
  spec: JobSpec,
  oh: number,
  ow: number,
  c: number,
  f: number,
  k: number,
): void {
  const bn = spec.architecture.batch_norm;
  t.layer(k * k * c * f + (bn ? 0 : f), oh * ow * f, oh * ow * k * k * c * f);
  if (bn) t.layer(BN_WEIGHTS * f, oh * ow * f);
}

/** `convBnRelu` of packages/ml: conv 3×3 (stride s) → batch norm → ReLU. */
function convBnRelu(
  t: Tally,
  spec: JobSpec,
  h: number,
  w: number,
  c: number,
  f: number,
  s: number,
): void {
  const [oh, ow] = [Math.ceil(h / s), Math.ceil(w / s)];
  convBn(t, spec, oh, ow, c, f, 3);
  t.layer(0, oh * ow * f);
}

/** The head: the spec's dense blocks (dense → batch norm → activation → dropout), then the output layer. */
function head(t: Tally, spec: JobSpec, features: number, outputs: number): void {
  const { units, batch_norm } = spec.architecture.head;
  const dropout = spec.regularization.dropout > 0;
  let width = features;
  for (const u of units) {
    t.layer(width * u + (batch_norm ? 0 : u), u, width * u);
    if (batch_norm) t.layer(BN_WEIGHTS * u, u);
    t.layer(0, u * (dropout ? 2 : 1));
    width = u;
  }
  t.layer(width * outputs + outputs, outputs, width * outputs);
}
