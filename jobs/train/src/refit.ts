import type { RawDataset } from '@trainyard/ml';
import type { JobSpec } from '@trainyard/shared';
import type { BaseModel } from './base-model';
import type { CheckpointStore } from './checkpoints';
import type { JobContext } from './context';
import { type Split, type TrainedModel, trainOnce } from './train-once';

/** What a refit trained on and for: the model card's `refit`. */
export interface RefitInfo {
  readonly examples: number;
  readonly epochs: number;
  readonly fine_tune_epochs: number;
}

/**
 * `hyperparameters.refit`: trains `spec` once more from the start (the same seed, so the same
 * initial weights and, for a transfer job, the same base) on the training and validation examples
 * together, for the epochs each phase of `first` kept (all it ran, or up to the epoch early
 * stopping restored), with no early stopping, no checkpoints and no epoch events, and logs
 * `refit.completed`. `first` is what its validation metrics are measured on; the refit model is
 * what is published. The dataset's test split stays out of both.
 */
export async function refitOnAll(
  ctx: JobContext,
  spec: JobSpec,
  raw: RawDataset,
  split: Split,
  base: BaseModel | undefined,
  store: CheckpointStore,
  first: TrainedModel,
): Promise<{ trained: TrainedModel; info: RefitInfo }> {
  const started = Date.now();
  const kept = first.kept ?? {
    train: spec.hyperparameters.epochs,
    fine_tune: spec.hyperparameters.fine_tune_epochs,
  };
  const refitSpec: JobSpec = {
    ...spec,
    hyperparameters: {
      ...spec.hyperparameters,
      epochs: kept.train,
      fine_tune_epochs: kept.fine_tune,
      early_stopping: null,
    },
  };
  const all: Split = {
    train: [...split.train, ...split.validation],
    validation: [],
    ...(split.test ? { test: split.test } : {}),
  };
  const trained = await trainOnce(ctx, refitSpec, raw, all, base, store, null, { refit: true });
  const info: RefitInfo = {
    examples: all.train.length,
    epochs: kept.train,
    fine_tune_epochs: kept.fine_tune,
  };
  await ctx.events.append(spec.id, {
    type: 'refit.completed',
    message: `trained again on all ${info.examples} training and validation examples for ${info.epochs}${info.fine_tune_epochs ? ` + ${info.fine_tune_epochs}` : ''} epochs; that model is published (validation metrics are the first model's)`,
    data: {
      ...info,
      loss: trained.history.at(-1)?.loss ?? null,
      seconds: (Date.now() - started) / 1000,
    },
  });
  return { trained, info };
}
