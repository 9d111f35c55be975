import * as tf from '@tensorflow/tfjs';
import { type Hyperparameters, mulberry32, TrainyardError } from '@trainyard/shared';
import type { EncodedDataset } from '../data/encode';
import { evaluate } from '../evaluate/evaluate';
import type { EpochLogs, TrainCallback } from './callbacks';
import { classWeights } from './class-weight';
import { fusedTrainStep } from './fused-train-step';
import { correctOf, lossOf, weightedLossOf } from './loss';
import { learningRateAt, setLearningRate } from './optimizers';

/** Thrown between batches when `shouldStop` says so (a cancel, a SIGTERM): a signal, not a failure. */
export class TrainingStopped extends TrainyardError {
  override readonly code = 'training_stopped';
  constructor() {
    super('training stopped on request');
  }
}

export interface FitOptions {
  readonly hyperparameters: Hyperparameters;
  /** Rate of this phase (fine-tuning passes its lower one); the schedule scales it per epoch. */
  readonly learningRate: number;
  /** From `makeOptimizer`; callbacks that checkpoint read its slots. */
  readonly optimizer: tf.Optimizer;
  readonly epochs: number;
  /** Resume: the first epoch to run (0-based). Default 0. */
  readonly initialEpoch?: number;
  readonly train: readonly number[];
  readonly validation: readonly number[];
  readonly seed: number;
  readonly callbacks?: readonly TrainCallback[];
  /** Per-batch input transformation for training only (augmentation). */
  readonly augment?: (xs: tf.Tensor, random: () => number) => tf.Tensor;
  /** Checked between batches. */
  readonly shouldStop?: () => boolean;
  /** Restores optimizer state from a checkpoint before the first step. */
  readonly optimizerState?: Array<{ name: string; tensor: tf.Tensor }>;
  /** Class names by class id: what a `hyperparameters.class_weight` map names classes by. */
  readonly labelNames?: readonly string[] | null;
}

export interface FitResult {
  readonly history: EpochLogs[];
}

function shuffled(indices: readonly number[], random: () => number): number[] {
  const out = [...indices];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Scales gradients so that their global L2 norm is at most `maxNorm`. */
function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.sqrt(tf.addN(names.map((n) => grads[n]!.square().sum())));
  const scale = tf.minimum(1, tf.div(maxNorm, norm.add(1e-12)));
  return Object.fromEntries(names.map((n) => [n, grads[n]!.mul(scale)]));
}

/**
 * Trains `model` with mini-batch gradient descent: shuffled (seeded) batches, the spec's
 * optimizer and schedule, gradient clipping, AdamW's decoupled weight decay, regularization losses
 * of the layers, class weights (`hyperparameters.class_weight`, see `classWeights`), optional
 * augmentation, validation after every epoch, and callbacks. The logged `loss` is the unweighted
 * cross-entropy, comparable with `val_loss`; the weighted one is what the optimizer minimizes.
 */
export async function fit(
  model: tf.LayersModel,
  data: EncodedDataset,
  options: FitOptions,
): Promise<FitResult> {
  const hp = options.hyperparameters;
  const classification = data.classes !== null;
  const optimizer = options.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const decayed =
    hp.optimizer === 'adamw' && hp.weight_decay > 0
      ? vars.filter((v) => /kernel|weight|w[qkvo12]$/.test(v.name))
      : [];
  const weights = classification
    ? classWeights(hp.class_weight, data.labels, options.train, data.classes!, options.labelNames)
    : null;
  const weightTensor = weights ? tf.tensor1d(weights) : null;
  const callbacks = options.callbacks ?? [];
  const history: EpochLogs[] = [];
  const start = options.initialEpoch ?? 0;
  if (options.optimizerState?.length) {
    // Creates the optimizer's slots by name, then overwrites them with the checkpoint's values.
    await optimizer.setWeights(options.optimizerState);
  }
  // Dense classifiers and plain CNNs train as one fused kernel a step on wasm where nothing needs
  // the generic path (augmentation transforms the batch before the step, so it does not).
  const fused =
    classification && !weightTensor && !hp.gradient_clip_norm && decayed.length === 0
      ? fusedTrainStep(model, optimizer)
      : null;
  for (const cb of callbacks) await cb.onTrainBegin?.();
  for (let epoch = start; epoch < options.epochs; epoch++) {
    const random = mulberry32((options.seed * 1000003 + epoch) >>> 0);
    const lr = learningRateAt(hp, options.learningRate, epoch, options.epochs);
    setLearningRate(optimizer, lr);
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
    const began = performance.now();
    const order = shuffled(options.train, random);
    const losses: tf.Scalar[] = [];
    const corrects: tf.Scalar[] = [];
    for (let at = 0; at < order.length; at += hp.batch_size) {
      if (options.shouldStop?.()) {
        tf.dispose([...losses, ...corrects]);
        weightTensor?.dispose();
        throw new TrainingStopped();
      }
      const indices = order.slice(at, at + hp.batch_size);
      const batch = data.batch(indices);
      const xs = options.augment ? options.augment(batch.xs, random) : batch.xs;
      let stats: [tf.Scalar, tf.Scalar] | undefined;
      if (fused) {
        const labels = tf.tidy(() => tf.argMax(batch.ys, -1).toFloat());
        const { loss, correct } = fused(xs, labels);
        labels.dispose();
        stats = [tf.scalar(loss * indices.length), tf.scalar(correct)];
      } else {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const preds = model.apply(xs, { training: true }) as tf.Tensor;
            const base = lossOf(classification, batch.ys, preds);
            // Kept past the gradient scope: the epoch's training loss and accuracy.
            stats = [
              tf.keep(base.mul(indices.length) as tf.Scalar),
              tf.keep(classification ? correctOf(batch.ys, preds) : tf.scalar(0)),
            ];
            const objective = weightTensor ? weightedLossOf(batch.ys, preds, weightTensor) : base;
            const regularization = model.calculateLosses();
            return (
              regularization.length ? objective.add(tf.addN(regularization)) : objective
            ) as tf.Scalar;
          }, vars);
          optimizer.applyGradients(
            hp.gradient_clip_norm ? clipByGlobalNorm(grads, hp.gradient_clip_norm) : grads,
          );
          for (const v of decayed) v.assign(v.mul(1 - lr * hp.weight_decay));
        });
      }
      const [loss, correct] = stats!;
      losses.push(loss);
      corrects.push(correct);
      tf.dispose([batch.xs, batch.ys, xs]);
      // Yield to the event loop now and then so that signals and S3 writes make progress.
      if ((at / hp.batch_size) % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    const sums = tf.tidy(() => [tf.addN(losses).dataSync()[0]!, tf.addN(corrects).dataSync()[0]!]);
    tf.dispose([...losses, ...corrects]);
    const trainSeconds = (performance.now() - began) / 1000;
    const val = options.validation.length
      ? evaluate(model, data, options.validation, Math.max(hp.batch_size, 128))
      : null;
    const logs: EpochLogs = {
      epoch,
      loss: sums[0]! / order.length,
      accuracy: classification ? sums[1]! / order.length : null,
      val_loss: val?.loss ?? null,
      val_accuracy: val?.accuracy ?? null,
      learning_rate: lr,
      seconds: (performance.now() - began) / 1000,
      samples_per_second: order.length / trainSeconds,
    };
    history.push(logs);
    let stop = false;
    for (const cb of callbacks) if ((await cb.onEpochEnd?.(logs)) === 'stop') stop = true;
    if (stop) break;
  }
  weightTensor?.dispose();
  for (const cb of callbacks) await cb.onTrainEnd?.(history);
  return { history };
}
