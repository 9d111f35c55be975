import type { DatasetManifest } from '../schemas/dataset-manifest';
import type { Dataset } from '../schemas/datasets';
import type { JobSpec } from '../schemas/jobs';
import { LOCAL_CALIBRATION } from './calibration';
import { modelShape, type PlanInput } from './model-shape';
import type { JobPlan } from './schema';

/** Most one-hot categories per table column (`MAX_CATEGORIES` of packages/ml's table encoding). */
const MAX_CATEGORIES = 100;

/** Optimizer state per weight, as tfjs's optimizers (and packages/ml's adam/adamw) keep it. */
const OPTIMIZER_SLOTS: Record<JobSpec['hyperparameters']['optimizer'], number> = {
  sgd: 0,
  momentum: 1,
  adagrad: 1,
  rmsprop: 2,
  adam: 2,
  adamw: 2,
};

export interface PlanSources {
  readonly spec: JobSpec;
  readonly dataset: Dataset;
  /** The dataset's normalized manifest (tables: the columns the features are encoded from). */
  readonly manifest: DatasetManifest | undefined;
  readonly validationDataset?: Dataset;
}

/**
 * What a job would run with and what it would cost: the model's size from its layer formulas,
 * steps from the trainer's split and batching, memory from the stated formula, and time from
 * `LOCAL_CALIBRATION`. Reads nothing and writes nothing.
 */
export function planJob({ spec, dataset, manifest, validationDataset }: PlanSources): JobPlan {
  const notes: string[] = [];
  const { train, validation } = splitCounts(spec, dataset, validationDataset);
  const hp = spec.hyperparameters;
  const stepsPerEpoch = Math.ceil(train / hp.batch_size);
  const epochs = hp.epochs + hp.fine_tune_epochs;
  const trials = spec.tuning?.max_trials ?? 1;
  if (spec.tuning)
    notes.push(
      'Tuning: every trial is counted at the spec’s epochs and batch size; a search space over them changes each trial’s cost',
    );
  if (hp.early_stopping) notes.push('Early stopping may end the job before `steps`');

  const classes = Object.keys(dataset.report?.stats?.classes ?? {}).length;
  const outputs = spec.task === 'tabular_regression' ? null : classes;
  const input = spec.architecture.type === 'transfer' ? null : planInput(spec, dataset, manifest);
  let parameters: number | null = null;
  let memory: JobPlan['estimate']['memory'] = null;
  let seconds: number | null = null;
  if (input) {
    if (input.kind === 'text')
      notes.push(
        'Text: the vocabulary and length are their upper bounds (vocab_size, max_length); the trainer keeps the words and lengths the training texts have, so the model may be smaller',
      );
    const shape = modelShape(spec, input, outputs);
    parameters = shape.parameters;
    const inputSize =
      input.kind === 'table'
        ? input.features
        : input.kind === 'image'
          ? input.height * input.width * input.channels
          : input.length;
    memory = {
      weights: 4 * parameters,
      gradients: 4 * parameters,
      optimizer: 4 * parameters * OPTIMIZER_SLOTS[hp.optimizer],
      activations: 4 * hp.batch_size * (2 * shape.activations + inputSize),
    };
    const c = LOCAL_CALIBRATION;
    // Validation runs the forward pass only: about a third of a training step's arithmetic.
    const perEpoch =
      stepsPerEpoch * c.stepSeconds +
      (train + validation / 3) * shape.macs * c.secondsPerMac[shape.family];
    seconds = round(c.startupSeconds[shape.family] + trials * epochs * perEpoch);
  } else {
    notes.push(
      'Transfer: the model’s size and time depend on its base model, which the plan does not load',
    );
  }
  const { id: _id, ...resolved } = spec;
  return {
    object: 'fine_tuning.job.plan',
    spec: resolved,
    input: input ? { ...input } : null,
    estimate: {
      parameters,
      memory_bytes: memory
        ? memory.weights + memory.gradients + memory.optimizer + memory.activations
        : null,
      memory,
      train_examples: train,
      validation_examples: validation,
      steps_per_epoch: stepsPerEpoch,
      epochs,
      trials,
      steps: stepsPerEpoch * epochs * trials,
      seconds,
      calibration: {
        backend: LOCAL_CALIBRATION.backend,
        measured_on: LOCAL_CALIBRATION.measuredOn,
        command: LOCAL_CALIBRATION.command,
      },
    },
    notes,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

/** The model's input, as the trainer's preprocessing will build it from this dataset. */
function planInput(
  spec: JobSpec,
  dataset: Dataset,
  manifest: DatasetManifest | undefined,
): PlanInput {
  const a = spec.architecture;
  if (manifest?.kind === 'table') {
    const features = manifest.columns
      .filter((c) => c.name !== manifest.label_column && c.type !== 'empty')
      .reduce(
        (n, c) =>
          n + (c.type === 'numeric' ? 1 : Math.min(MAX_CATEGORIES, c.categories?.length ?? 0)),
        0,
      );
    return { kind: 'table', features };
  }
  if (spec.task === 'image_classification') {
    // The trainer reads grey images as one channel only when every training image is grey.
    const channels = Object.keys(dataset.report?.stats?.images?.channels ?? {});
    const grey = channels.length > 0 && channels.every((c) => c === '1' || c === '2');
    const [height, width] = a.input_size ?? [32, 32];
    return { kind: 'image', height, width, channels: grey ? 1 : 3 };
  }
  return { kind: 'text', vocabulary: a.vocab_size, length: a.max_length };
}

/** Training and validation examples, split as the trainer splits them (stratified for classes). */
function splitCounts(
  spec: JobSpec,
  dataset: Dataset,
  validationDataset: Dataset | undefined,
): { train: number; validation: number } {
  const stats = dataset.report?.stats;
  const n = stats?.examples ?? 0;
  const splits = stats?.splits;
  const test = splits?.test ?? 0;
  if (spec.validation_source === 'validation_dataset' || spec.validation_dataset)
    return { train: n - test, validation: validationDataset?.report?.stats?.examples ?? 0 };
  if (spec.validation_source === 'dataset_split' && splits && splits.validation > 0)
    return { train: splits.train, validation: splits.validation };
  const f = spec.validation_split;
  const take = (count: number) => (count < 2 || f <= 0 ? 0 : Math.max(1, Math.round(count * f)));
  const classes = stats?.classes;
  const validation =
    spec.task !== 'tabular_regression' && classes && test === 0
      ? Object.values(classes).reduce((sum, c) => sum + take(c), 0)
      : take(n - test);
  return { train: n - test - validation, validation };
}
