import { ValidationError } from '../errors';
import {
  BUILTIN_WORD_VECTORS,
  type BuiltinWordVectors,
  builtinBaseModel,
  builtinWordVectors,
} from '../models/builtin-bases';
import type { Dataset } from '../schemas/datasets';
import type { ClassWeight, CreateJob, JobSpec } from '../schemas/jobs';
import { validateSearchSpacePaths } from '../schemas/search-space';
import {
  defaultsToImageTransfer,
  defaultTextArchitecture,
  FEW_SHOT_IMAGE_DEFAULTS,
  fewShotImages,
  IMAGE_TRANSFER_DEFAULTS,
} from './default-architecture';

type Task = JobSpec['task'];
type ArchType = JobSpec['architecture']['type'];

/** Architectures each task can train. */
export const architecturesForTask: Record<Task, readonly ArchType[]> = {
  image_classification: ['transfer', 'cnn', 'resnet', 'mlp'],
  tabular_classification: ['mlp', 'transfer'],
  tabular_regression: ['mlp', 'transfer'],
  text_classification: ['bag_of_embeddings', 'lstm', 'gru', 'rnn', 'attention', 'transfer'],
};

/** Learning rates that suit each optimizer when none is given. */
const defaultRate: Record<JobSpec['hyperparameters']['optimizer'], number> = {
  sgd: 0.01,
  momentum: 0.01,
  adam: 0.001,
  adamw: 0.001,
  rmsprop: 0.001,
  adagrad: 0.01,
};

/**
 * Past this ratio of the largest class's examples to the smallest's, a classification job weighs
 * classes `"balanced"` unless the request sets `hyperparameters.class_weight`. Balanced weights
 * trade accuracy for the minority classes' recall; measured on the cars data (bench:quality, 5
 * seeds), at 3.5:1 they cost 3 points of accuracy for 0.6 of macro F1, at 7:1 6.7 points of
 * accuracy for 6.8 of macro F1: below 5:1 a user loses more than they gain.
 */
export const CLASS_IMBALANCE_RATIO = 5;

/**
 * The class weights a job runs with: the request's (a map is checked against the dataset's
 * classes: 400 naming an unknown label), else `"balanced"` for a classification dataset whose
 * largest/smallest class count ratio exceeds `CLASS_IMBALANCE_RATIO`, else null.
 */
export function resolveClassWeight(
  requested: ClassWeight | null | undefined,
  dataset: Dataset,
): ClassWeight | null {
  const classes = dataset.report?.stats?.classes;
  if (dataset.task === 'tabular_regression') {
    if (requested != null)
      throw new ValidationError(
        'hyperparameters.class_weight applies to classification; this dataset is tabular_regression',
        { param: 'hyperparameters.class_weight' },
      );
    return null;
  }
  if (requested !== undefined) {
    if (requested !== null && requested !== 'balanced' && classes) {
      for (const label of Object.keys(requested)) {
        if (!(label in classes))
          throw new ValidationError(
            `hyperparameters.class_weight names ${JSON.stringify(label)}, which is not a class of the dataset; expected some of ${Object.keys(
              classes,
            )
              .map((c) => JSON.stringify(c))
              .join(', ')}`,
            { param: `hyperparameters.class_weight.${label}` },
          );
      }
    }
    return requested;
  }
  const counts = Object.values(classes ?? {}).filter((c) => c > 0);
  if (counts.length < 2) return null;
  return Math.max(...counts) / Math.min(...counts) > CLASS_IMBALANCE_RATIO ? 'balanced' : null;
}

/** The job-spec fields a tuning search space may name. */
export const TUNABLE_PATHS = [
  'hyperparameters.epochs',
  'hyperparameters.batch_size',
  'hyperparameters.learning_rate',
  'hyperparameters.optimizer',
  'hyperparameters.momentum',
  'hyperparameters.weight_decay',
  'hyperparameters.gradient_clip_norm',
  'hyperparameters.fine_tune_epochs',
  'hyperparameters.fine_tune_learning_rate_factor',
  'architecture.head.units',
  'architecture.head.batch_norm',
  'architecture.head.activation',
  'architecture.trainable_base_layers',
  'architecture.blocks_per_stage',
  'architecture.batch_norm',
  'architecture.embedding_dim',
  'architecture.rnn_units',
  'architecture.bidirectional',
  'architecture.num_layers',
  'architecture.num_heads',
  'regularization.l1',
  'regularization.l2',
  'regularization.dropout',
  'augmentation.flip_horizontal',
  'augmentation.flip_vertical',
  'augmentation.rotation_degrees',
  'augmentation.translate',
  'augmentation.zoom',
  'augmentation.brightness',
  'augmentation.contrast',
  'augmentation.downscale',
] as const;

/**
 * The spec a job runs with: the request's values, and for every field it left out a default
 * chosen from the task and the dataset's size (documented in docs/API.md). Throws a
 * `ValidationError` naming the field when the combination cannot work.
 */
/**
 * Augmentation as requested; every augmentation not asked for is `defaults`' (a job's defaults:
 * `downscale` for image fine-tuning), else off.
 */
export function resolveAugmentation(
  requested: CreateJob['augmentation'] = {},
  defaults: Partial<JobSpec['augmentation']> = {},
): JobSpec['augmentation'] {
  return {
    flip_horizontal: requested.flip_horizontal ?? false,
    flip_vertical: requested.flip_vertical ?? false,
    rotation_degrees: requested.rotation_degrees ?? 0,
    translate: requested.translate ?? 0,
    zoom: requested.zoom ?? 0,
    brightness: requested.brightness ?? 0,
    contrast: requested.contrast ?? 0,
    downscale: requested.downscale ?? defaults.downscale ?? 0,
  };
}

/** The architectures whose first layer is a token embedding that word vectors can start. */
const EMBEDDING_ARCHITECTURES: readonly ArchType[] = [
  'bag_of_embeddings',
  'rnn',
  'lstm',
  'gru',
  'attention',
];

/** The architectures that start from word vectors when the request says nothing of embeddings. */
const RECURRENT_ARCHITECTURES: readonly ArchType[] = ['rnn', 'lstm', 'gru'];

/**
 * The word vectors a recurrent text model starts from by default (fine-tuned). On State of the
 * Union passages (`npm run bench:quality -- --only sotu-gru,sotu-lstm`, four periods, 1,000
 * passages, seeds 1-3) the GRU from random embeddings scored 0.565 against TF-IDF + logistic
 * regression's 0.636, and 0.627 from these vectors (bench/README-quality.md): a recurrent layer
 * learns little about words from a thousand examples. The bag of embeddings and attention models
 * kept their random start (0.660 and 0.653 there; the bag fell to 0.619 from the vectors).
 */
export const RECURRENT_DEFAULT_WORD_VECTORS = 'bm_glove100d';

/**
 * The built-in word vectors `architecture.embeddings` names, checked against the job: a text
 * task, an architecture with an embedding, and an `embedding_dim` (given or tuned) that is theirs.
 * When the request says nothing of embeddings (no `embeddings`, no `embedding_dim`, none tuned), a
 * recurrent text model gets `RECURRENT_DEFAULT_WORD_VECTORS`. Undefined when the request names
 * none otherwise, or `embeddings: null`. Throws a `ValidationError` naming the field.
 */
function resolveWordVectors(
  request: CreateJob,
  type: ArchType,
  task: Dataset['task'],
): BuiltinWordVectors | undefined {
  if (request.base_model && builtinWordVectors(request.base_model)) {
    throw new ValidationError(
      `base_model ${request.base_model} is word vectors, not a model to fine-tune; name it in architecture.embeddings.base_model`,
      { param: 'base_model' },
    );
  }
  const arch = request.architecture;
  const unsaid =
    arch?.embeddings === undefined &&
    arch?.embedding_dim === undefined &&
    !request.tuning?.search_space['architecture.embedding_dim'];
  if (task === 'text_classification' && RECURRENT_ARCHITECTURES.includes(type) && unsaid)
    return builtinWordVectors(RECURRENT_DEFAULT_WORD_VECTORS);
  const wanted = arch?.embeddings;
  if (!wanted) return undefined;
  const param = 'architecture.embeddings.base_model';
  if (task !== 'text_classification') {
    throw new ValidationError(
      `architecture.embeddings applies to text datasets only; this dataset is ${task}`,
      { param },
    );
  }
  if (!EMBEDDING_ARCHITECTURES.includes(type)) {
    throw new ValidationError(
      `architecture.embeddings needs an architecture with an embedding (${EMBEDDING_ARCHITECTURES.join(', ')}); received type ${type}`,
      { param: 'architecture.type' },
    );
  }
  const vectors = builtinWordVectors(wanted.base_model);
  if (!vectors) {
    throw new ValidationError(
      `architecture.embeddings.base_model ${JSON.stringify(wanted.base_model)} is not built-in word vectors; expected one of ${BUILTIN_WORD_VECTORS.map((v) => v.id).join(', ')}`,
      { param },
    );
  }
  const dim = request.architecture?.embedding_dim;
  if (dim !== undefined && dim !== vectors.dimensions) {
    throw new ValidationError(
      `architecture.embedding_dim ${dim} differs from the ${vectors.dimensions} numbers a word of ${vectors.id}; leave it out`,
      { param: 'architecture.embedding_dim' },
    );
  }
  if (request.tuning?.search_space['architecture.embedding_dim']) {
    throw new ValidationError(
      `architecture.embedding_dim cannot be tuned with architecture.embeddings: it is ${vectors.dimensions}, the vectors' own`,
      { param: 'tuning.search_space' },
    );
  }
  return vectors;
}

export function resolveJobSpec(id: string, request: CreateJob, dataset: Dataset): JobSpec {
  const task = dataset.task;
  const n = dataset.report?.stats?.examples ?? 0;
  const small = n < 1000;
  const tabular = task === 'tabular_classification' || task === 'tabular_regression';
  const text = task === 'text_classification';
  const hp = request.hyperparameters ?? {};
  const arch = request.architecture ?? {};
  const reg = request.regularization ?? {};

  // With neither an architecture nor a base model named (`base_model: "none"` names none on
  // purpose), a small image dataset fine-tunes the built-in base.
  const imageTransfer =
    request.base_model === undefined && arch.type === undefined && defaultsToImageTransfer(dataset);
  // Few-shot pictures (a few a class) get a linear head on an earlier cut, trained to convergence.
  const fewShot = imageTransfer && fewShotImages(dataset);
  const transferDefaults = fewShot ? FEW_SHOT_IMAGE_DEFAULTS : IMAGE_TRANSFER_DEFAULTS;
  const baseModel = imageTransfer
    ? transferDefaults.base_model
    : request.base_model && request.base_model !== 'none'
      ? request.base_model
      : null;
  const type: ArchType =
    arch.type ??
    (baseModel ? 'transfer' : tabular ? 'mlp' : text ? defaultTextArchitecture(n) : 'cnn');
  if (!architecturesForTask[task].includes(type)) {
    throw new ValidationError(
      `architecture.type ${type} cannot train a ${task} dataset; expected one of ${architecturesForTask[task].join(', ')}`,
      { param: 'architecture.type' },
    );
  }
  if (type === 'transfer' && !baseModel) {
    throw new ValidationError(
      'architecture.type transfer needs a base_model (bm_… or model_…); received none',
      {
        param: 'base_model',
      },
    );
  }
  if (arch.cut_layer !== undefined && type !== 'transfer') {
    throw new ValidationError(
      `architecture.cut_layer ${JSON.stringify(arch.cut_layer)} cuts a base model; a ${type} job has none (expected a base_model and architecture.type transfer, or no cut_layer)`,
      { param: 'architecture.cut_layer' },
    );
  }
  if (baseModel && type !== 'transfer') {
    throw new ValidationError(
      `base_model is used only with architecture.type transfer; received type ${type}`,
      {
        param: 'architecture.type',
      },
    );
  }
  if (
    task !== 'image_classification' &&
    Object.values(request.augmentation ?? {}).some((v) => v !== undefined && v !== false && v !== 0)
  ) {
    throw new ValidationError(`augmentation applies to images only; this dataset is ${task}`, {
      param: 'augmentation',
    });
  }
  if (request.validation_dataset && request.validation_split !== undefined) {
    throw new ValidationError('give validation_dataset or validation_split, not both', {
      param: 'validation_split',
    });
  }

  const vectors = resolveWordVectors(request, type, task);

  const optimizer = hp.optimizer ?? 'adam';
  const trainableBase =
    arch.trainable_base_layers ?? (imageTransfer ? transferDefaults.trainable_base_layers : 0);
  const meanWidth = dataset.report?.stats?.images?.width.mean ?? 32;
  const spec: JobSpec = {
    id,
    dataset: request.dataset,
    task,
    validation_dataset: request.validation_dataset ?? null,
    validation_split:
      request.validation_split ?? (fewShot ? FEW_SHOT_IMAGE_DEFAULTS.validation_split : 0.2),
    // A dataset's own validation folder is what its author chose to validate on; a request's
    // explicit validation_split (or validation_dataset) overrides it.
    validation_source: request.validation_dataset
      ? 'validation_dataset'
      : request.validation_split === undefined &&
          (dataset.report?.stats?.splits?.validation ?? 0) > 0
        ? 'dataset_split'
        : 'random_split',
    base_model: baseModel,
    model_name: request.model_name ?? `${dataset.name}-${type}`,
    seed: request.seed ?? 42,
    hyperparameters: {
      epochs:
        hp.epochs ??
        (fewShot
          ? FEW_SHOT_IMAGE_DEFAULTS.epochs
          : tabular
            ? n < 500
              ? 200
              : n < 5000
                ? 100
                : 30
            : text
              ? type === 'bag_of_embeddings'
                ? 30
                : 10
              : small
                ? 30
                : n < 10_000
                  ? 15
                  : 10),
      batch_size: hp.batch_size ?? (n < 500 ? 16 : 32),
      learning_rate:
        hp.learning_rate ??
        defaultRate[optimizer] * (fewShot ? FEW_SHOT_IMAGE_DEFAULTS.learning_rate_factor : 1),
      optimizer,
      momentum: hp.momentum ?? (optimizer === 'momentum' ? 0.9 : 0),
      weight_decay: hp.weight_decay ?? (optimizer === 'adamw' ? 0.01 : 0),
      lr_schedule: hp.lr_schedule ?? {
        type: 'constant',
        warmup_epochs: 0,
        step_size: 10,
        gamma: 0.1,
        min_lr: 0,
      },
      early_stopping:
        hp.early_stopping !== undefined
          ? hp.early_stopping
          : fewShot
            ? FEW_SHOT_IMAGE_DEFAULTS.early_stopping
            : { monitor: 'val_loss', patience: tabular ? 10 : 5, min_delta: 0 },
      gradient_clip_norm: hp.gradient_clip_norm ?? (text ? 5 : null),
      fine_tune_epochs:
        hp.fine_tune_epochs ??
        (imageTransfer
          ? transferDefaults.fine_tune_epochs
          : type === 'transfer' && trainableBase > 0
            ? 5
            : 0),
      fine_tune_learning_rate_factor: hp.fine_tune_learning_rate_factor ?? 0.1,
      refit: hp.refit ?? (fewShot && !request.tuning ? FEW_SHOT_IMAGE_DEFAULTS.refit : false),
      class_weight: resolveClassWeight(hp.class_weight, dataset),
    },
    architecture: {
      type,
      head: {
        units:
          arch.head?.units ??
          (fewShot
            ? [...FEW_SHOT_IMAGE_DEFAULTS.head_units]
            : tabular
              ? [64, 32]
              : text
                ? []
                : [128]),
        batch_norm: arch.head?.batch_norm ?? type === 'transfer',
        activation: arch.head?.activation ?? 'relu',
      },
      cut_layer: arch.cut_layer ?? (baseModel && builtinBaseModel(baseModel)?.cut_layer) ?? null,
      trainable_base_layers: trainableBase,
      input_size:
        arch.input_size ??
        (imageTransfer ? [...transferDefaults.input_size] : null) ??
        (task === 'image_classification' && type !== 'transfer'
          ? [
              Math.min(64, Math.max(16, Math.round(meanWidth))),
              Math.min(64, Math.max(16, Math.round(meanWidth))),
            ]
          : null),
      filters: arch.filters ?? [32, 64],
      blocks_per_stage: arch.blocks_per_stage ?? 2,
      batch_norm: arch.batch_norm ?? true,
      max_length: arch.max_length ?? 200,
      vocab_size: arch.vocab_size ?? 10_000,
      embedding_dim: vectors?.dimensions ?? arch.embedding_dim ?? 64,
      embeddings: vectors
        ? { base_model: vectors.id, trainable: arch.embeddings?.trainable ?? true }
        : null,
      rnn_units: arch.rnn_units ?? 64,
      bidirectional: arch.bidirectional ?? false,
      num_layers: arch.num_layers ?? 1,
      num_heads: arch.num_heads ?? 4,
    },
    regularization: {
      l1: reg.l1 ?? 0,
      // Small tables get ten times the L2 of other small datasets: over 5 seeds (bench:quality)
      // 1e-4 left the MLP one iris example under logistic regression; 1e-3 ties it and keeps
      // cars-origin and cars-mpg above logistic and ridge regression (1e-2 fell under on cars).
      l2: reg.l2 ?? (fewShot ? FEW_SHOT_IMAGE_DEFAULTS.l2 : small ? (tabular ? 1e-3 : 1e-4) : 0),
      dropout: reg.dropout ?? (fewShot ? FEW_SHOT_IMAGE_DEFAULTS.dropout : tabular ? 0.1 : 0.25),
    },
    // Image jobs that fine-tune the default base learn from low-resolution copies too (see
    // IMAGE_TRANSFER_DEFAULTS.downscale). Few-shot jobs do not: their head trains on features
    // computed once, which any augmentation would recompute every epoch.
    augmentation: resolveAugmentation(
      request.augmentation,
      imageTransfer && !fewShot ? { downscale: IMAGE_TRANSFER_DEFAULTS.downscale } : {},
    ),
    tuning: request.tuning ?? null,
    // The secret is kept apart from the spec (which the trainer and GET show).
    webhook: request.webhook ? { url: request.webhook.url, events: request.webhook.events } : null,
  };
  if (spec.tuning && spec.hyperparameters.refit) {
    throw new ValidationError(
      'hyperparameters.refit does not apply to tuning jobs (each trial is scored on the validation split); leave it out or set it false',
      { param: 'hyperparameters.refit' },
    );
  }
  if (spec.tuning) validateSearchSpacePaths(spec.tuning.search_space, TUNABLE_PATHS);
  if (
    spec.architecture.type === 'attention' &&
    spec.architecture.embedding_dim % spec.architecture.num_heads !== 0
  ) {
    throw new ValidationError(
      `architecture.embedding_dim (${spec.architecture.embedding_dim}) must be a multiple of architecture.num_heads (${spec.architecture.num_heads})`,
      { param: 'architecture.num_heads' },
    );
  }
  return spec;
}
