import type * as tf from '@tensorflow/tfjs';
import {
  augmentBatch,
  augments,
  buildModel,
  buildPreprocess,
  buildTransfer,
  DivergenceCallback,
  EarlyStoppingCallback,
  type EncodedDataset,
  type EpochLogs,
  encodeDataset,
  fit,
  loadVectorWords,
  loadVocabularyVectors,
  makeOptimizer,
  type RawDataset,
  seedRandom,
  startEmbedding,
  type TrainCallback,
  TrainingStopped,
  unfreezeTop,
} from '@trainyard/ml';
import { type JobSpec, mulberry32, type Preprocess } from '@trainyard/shared';
import { type BaseModel, checkBaseFits } from './base-model';
import type { CheckpointStore } from './checkpoints';
import { type JobContext, RuntimeExceeded } from './context';
import { cacheHeadFeatures, featuresCached } from './head-phase';
import { CheckpointCallback, EpochEventsCallback } from './job-callbacks';
import { modelArgs, transferArgs } from './model-args';

export interface Split {
  readonly train: number[];
  readonly validation: number[];
  /** The dataset's held-out test split: never trained on, scored once when the model is published. */
  readonly test?: number[];
}

export interface TrainedModel {
  readonly model: tf.LayersModel;
  readonly preprocess: Preprocess;
  readonly data: EncodedDataset;
  readonly history: EpochLogs[];
  readonly epochsRun: number;
  /**
   * Epochs whose training the model keeps, per phase: all that ran, or up to the epoch early
   * stopping restored. What a refit (`hyperparameters.refit`) trains for. Set by `trainOnce`.
   */
  readonly kept?: { readonly train: number; readonly fine_tune: number };
}

/** How `trainOnce` runs besides the spec. */
export interface TrainOptions {
  /** Extra callbacks a caller adds (tuning's pruning), per phase. */
  readonly extra?: ExtraCallbacks;
  /**
   * A refit: neither resumes from nor writes checkpoints, and logs no epoch events (the job's
   * curves stay those of the run whose validation it reports). Default false.
   */
  readonly refit?: boolean;
}

/** Extra callbacks a caller adds (tuning's pruning), per phase. */
export type ExtraCallbacks = (phase: 'train' | 'fine_tune') => TrainCallback[];

const HEAD_PREFIX = /^head[0-9a-z]{0,6}_/;

/**
 * One training run of `spec`: build (or resume from the latest checkpoint) the model, train it,
 * and, for transfer learning with `trainable_base_layers`, unfreeze the top of the base and
 * fine-tune at a lower rate with a fresh optimizer (the "re-compile").
 */
export async function trainOnce(
  ctx: JobContext,
  spec: JobSpec,
  raw: RawDataset,
  split: Split,
  base: BaseModel | undefined,
  store: CheckpointStore,
  trial: number | null,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const { extra = () => [], refit = false } = options;
  if (base) checkBaseFits(base, spec.task);
  const seed = spec.seed + (trial ?? 0) * 7919;
  const checkpoint = refit ? undefined : await store.latest(trial);
  const vectorWords =
    !checkpoint && spec.architecture.embeddings
      ? await loadVectorWords(ctx.storage, spec.architecture.embeddings.base_model)
      : undefined;
  const preprocess =
    checkpoint?.state.preprocess ??
    (await buildPreprocess(raw, split.train, spec, base?.preprocess, vectorWords));
  const data = await encodeDataset(raw, preprocess);
  const outputs = preprocess.labels?.length ?? null;

  let model: tf.LayersModel;
  let baseLayers: string[] = [];
  // A fresh transfer model's head phase runs on the frozen base's features, computed once
  // (head-phase.ts), unless augmentation changes the inputs every epoch.
  let cacheHead = false;
  if (checkpoint) {
    seedRandom(seed);
    model = await store.loadModel(checkpoint);
    baseLayers = model.layers.filter((l) => !HEAD_PREFIX.test(l.name)).map((l) => l.name);
    await ctx.events.append(spec.id, {
      type: 'job.resumed',
      message: `resuming from checkpoint ${checkpoint.state.name}`,
      data: {
        checkpoint: checkpoint.state.name,
        phase: checkpoint.state.phase,
        epoch: checkpoint.state.epoch + 1,
        trial,
      },
    });
  } else if (spec.architecture.type === 'transfer' && base) {
    // Seeded right before the (synchronous) build: nothing else can draw in between.
    seedRandom(seed);
    ({ model, baseLayers } = buildTransfer(transferArgs(spec, base.model, outputs)));
    cacheHead = !augments(spec.augmentation);
  } else {
    seedRandom(seed);
    model = buildModel(modelArgs(spec, preprocess, data.exampleShape));
    if (spec.architecture.embeddings)
      await startFromWordVectors(ctx, spec, model, preprocess, seed, trial);
  }

  const hp = spec.hyperparameters;
  const input = preprocess.input;
  const augment =
    input.kind === 'image' && augments(spec.augmentation)
      ? (xs: tf.Tensor, random: () => number) => augmentBatch(xs, spec.augmentation, input, random)
      : undefined;
  let history: EpochLogs[] = checkpoint
    ? ([...checkpoint.state.history] as unknown as EpochLogs[])
    : [];
  let epochsRun = history.length;

  const phases: Array<{ phase: 'train' | 'fine_tune'; epochs: number; lr: number }> = [
    { phase: 'train', epochs: hp.epochs, lr: hp.learning_rate },
  ];
  const fineTune =
    spec.architecture.type === 'transfer' &&
    spec.architecture.trainable_base_layers > 0 &&
    hp.fine_tune_epochs > 0;
  if (fineTune)
    phases.push({
      phase: 'fine_tune',
      epochs: hp.fine_tune_epochs,
      lr: hp.learning_rate * hp.fine_tune_learning_rate_factor,
    });

  const overdue = deadlines(ctx, trial);
  let unfrozen = checkpoint?.state.unfrozen ?? [];
  const kept = {
    train: plannedEpochs(phases, 'train'),
    fine_tune: plannedEpochs(phases, 'fine_tune'),
  };
  for (const { phase, epochs, lr } of phases) {
    let initialEpoch = 0;
    if (checkpoint) {
      if (phase === 'train' && checkpoint.state.phase === 'fine_tune') continue;
      if (phase === checkpoint.state.phase) initialEpoch = checkpoint.state.epoch + 1;
    }
    if (phase === 'fine_tune' && unfrozen.length === 0) {
      unfrozen = unfreezeTop(model, baseLayers, spec.architecture.trainable_base_layers);
      await ctx.events.append(spec.id, {
        type: 'fine_tune.started',
        message: `unfroze ${unfrozen.length} base layers; fine-tuning at learning rate ${lr}`,
        data: { layers: unfrozen, learning_rate: lr, trial },
      });
    }
    if (initialEpoch >= epochs) continue;
    const cached =
      phase === 'train' && cacheHead ? cacheHeadFeatures(model, spec, data, preprocess) : undefined;
    if (cached && !refit) await ctx.events.append(spec.id, featuresCached(cached, trial));
    const optimizer = makeOptimizer(hp, lr);
    const resumeHere = checkpoint && checkpoint.state.phase === phase && initialEpoch > 0;
    const optimizerState = resumeHere ? await store.loadOptimizerState(checkpoint) : undefined;
    const early = hp.early_stopping
      ? new EarlyStoppingCallback(cached?.head ?? model, hp.early_stopping)
      : undefined;
    const checkpoints = new CheckpointCallback(ctx, store, model, optimizer, {
      phase,
      trial,
      preprocess,
      unfrozen,
      history,
    });
    const result = await fit(cached?.head ?? model, cached?.data ?? data, {
      hyperparameters: hp,
      labelNames: preprocess.labels,
      learningRate: lr,
      optimizer,
      epochs,
      initialEpoch,
      train: split.train,
      validation: split.validation,
      seed: seed + (phase === 'fine_tune' ? 104729 : 0),
      ...(augment ? { augment } : {}),
      shouldStop: () => ctx.stopping() || overdue() !== undefined,
      ...(optimizerState ? { optimizerState } : {}),
      callbacks: [
        new DivergenceCallback({ history, classes: outputs }),
        ...(refit ? [] : [new EpochEventsCallback(ctx, phase, trial, epochs)]),
        ...extra(phase),
        ...(refit ? [{ onEpochEnd: (logs: EpochLogs) => void history.push(logs) }] : [checkpoints]),
        ...(early ? [early] : []),
      ],
    }).catch((error: unknown) => {
      const late = error instanceof TrainingStopped && !ctx.stopping() ? overdue() : undefined;
      throw late ?? error;
    });
    optimizer.dispose();
    if (!refit) history = checkpoints.history;
    epochsRun += result.history.length;
    if (early && early.restoredEpoch >= 0) kept[phase] = early.restoredEpoch + 1;
    if (early?.stoppedAt != null) {
      await ctx.events.append(spec.id, {
        type: 'early_stopping',
        message: `stopped after epoch ${early.stoppedAt + 1}: ${hp.early_stopping!.monitor} did not improve for ${hp.early_stopping!.patience} epochs; kept the weights of epoch ${early.restoredEpoch + 1}`,
        data: {
          phase,
          stopped_epoch: early.stoppedAt + 1,
          restored_epoch: early.restoredEpoch + 1,
          trial,
        },
      });
    }
  }
  return { model, preprocess, data, history, epochsRun, kept };
}

/** The epochs `phases` plans for `phase` (0 when it has none). */
function plannedEpochs(
  phases: ReadonlyArray<{ phase: 'train' | 'fine_tune'; epochs: number }>,
  phase: 'train' | 'fine_tune',
): number {
  return phases.find((p) => p.phase === phase)?.epochs ?? 0;
}

/**
 * Starts a new text model's token embedding from the spec's built-in word vectors (rows of the
 * vocabulary only; words without a vector start at uniform ±0.05 drawn from the job's seed),
 * frozen unless `architecture.embeddings.trainable`, and says so in a `embeddings.loaded` event.
 */
async function startFromWordVectors(
  ctx: JobContext,
  spec: JobSpec,
  model: tf.LayersModel,
  preprocess: Preprocess,
  seed: number,
  trial: number | null,
): Promise<void> {
  const { base_model: id, trainable } = spec.architecture.embeddings!;
  if (preprocess.input.kind !== 'text') return;
  const started = Date.now();
  const vectors = await loadVocabularyVectors(
    ctx.storage,
    id,
    preprocess.input.vocab,
    mulberry32((seed ^ 0x2545f491) >>> 0),
  );
  const layer = startEmbedding(model, vectors.matrix, vectors.dimensions, trainable);
  preprocess.input.word_vectors = { base_model: id, found: vectors.found };
  const words = preprocess.input.vocab.length;
  await ctx.events.append(spec.id, {
    type: 'embeddings.loaded',
    message: `${layer} starts from ${id}: ${vectors.found} of ${words} vocabulary words have a vector (the rest start random); ${trainable ? 'fine-tuned' : 'frozen'}`,
    data: {
      base_model: id,
      layer,
      words,
      found: vectors.found,
      trainable,
      seconds: (Date.now() - started) / 1000,
      trial,
    },
  });
}

/**
 * What ends this run for running too long: the job's deadline (from its first start), or this
 * trial's (from when this attempt started it). Returns the `RuntimeExceeded` once one has passed.
 */
function deadlines(ctx: JobContext, trial: number | null): () => RuntimeExceeded | undefined {
  const { jobDeadline, jobSeconds, trialSeconds } = ctx.limits ?? {};
  const trialDeadline =
    trial !== null && trialSeconds !== undefined ? Date.now() + trialSeconds * 1000 : undefined;
  return () => {
    const now = Date.now();
    if (jobDeadline !== undefined && now > jobDeadline)
      return new RuntimeExceeded('job', jobSeconds ?? 0);
    if (trialDeadline !== undefined && now > trialDeadline)
      return new RuntimeExceeded('trial', trialSeconds!);
    return undefined;
  };
}
