import { z } from '@hono/zod-openapi';
import { idSchema, nameSchema } from './common';
import { createSearchSpaceSchema } from './search-space';

export const optimizerSchema = z
  .enum(['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'])
  .openapi('Optimizer', {
    description: '`momentum` is SGD with momentum (`hyperparameters.momentum`, default 0.9)',
  });

export const architectureTypeSchema = z
  .enum([
    'transfer',
    'cnn',
    'resnet',
    'mlp',
    'rnn',
    'lstm',
    'gru',
    'attention',
    'bag_of_embeddings',
  ])
  .openapi('ArchitectureType', {
    description:
      "`bag_of_embeddings` (text): the mean of the tokens' embeddings, then the head (fastText-style, Joulin et al. 2016)",
  });

export const lrScheduleSchema = z
  .object({
    type: z.enum(['constant', 'step', 'cosine']).default('constant'),
    /** Epochs of linear warm-up from 0 to the learning rate. */
    warmup_epochs: z.number().int().min(0).max(100).default(0),
    /** step: multiply by `gamma` every `step_size` epochs. */
    step_size: z.number().int().min(1).default(10),
    gamma: z.number().gt(0).max(1).default(0.1),
    /** cosine: the rate it decays to at the last epoch. */
    min_lr: z.number().min(0).max(10).default(0),
  })
  .strict()
  .openapi('LrSchedule');

export const earlyStoppingSchema = z
  .object({
    monitor: z.enum(['val_loss', 'val_accuracy', 'loss', 'accuracy']).default('val_loss'),
    patience: z.number().int().min(1).max(1000).default(5),
    min_delta: z.number().min(0).default(0),
  })
  .strict()
  .openapi('EarlyStopping');

/**
 * Classification: how much each class's examples weigh in the training loss. `"balanced"` weighs
 * class c by n_samples / (n_classes · count_c) over the training split (scikit-learn's
 * `compute_class_weight("balanced")`); a map `{label: weight}` sets weights (classes it leaves out
 * weigh 1); null weighs every example 1.
 */
export const classWeightSchema = z
  .union([z.literal('balanced'), z.record(z.string(), z.number().gt(0).max(1e6))])
  .openapi('ClassWeight');
export type ClassWeight = z.infer<typeof classWeightSchema>;

export const hyperparametersSchema = z
  .object({
    epochs: z.number().int().min(1).max(1000).optional(),
    batch_size: z.number().int().min(1).max(4096).optional(),
    learning_rate: z.number().gt(0).max(10).optional(),
    optimizer: optimizerSchema.optional(),
    momentum: z.number().min(0).lt(1).optional(),
    /** adamw: decoupled weight decay per step, as a fraction of the learning rate. */
    weight_decay: z.number().min(0).max(1).optional(),
    lr_schedule: lrScheduleSchema.optional(),
    early_stopping: earlyStoppingSchema.nullable().optional(),
    /** Clip gradients to this global L2 norm. */
    gradient_clip_norm: z.number().gt(0).optional(),
    /** Transfer learning, phase 2: unfreeze `architecture.trainable_base_layers` and train on. */
    fine_tune_epochs: z.number().int().min(0).max(1000).optional(),
    /** Phase 2's learning rate as a fraction of phase 1's. */
    fine_tune_learning_rate_factor: z.number().gt(0).max(1).optional(),
    refit: z.boolean().optional().openapi({
      description:
        'After training, train once more from the start on the training and validation examples together, for the epochs each phase kept, and publish that model; metrics.json keeps the validation scores of the model before it. Not with tuning. Default: true for few-shot image jobs (docs/API.md), else false',
    }),
    class_weight: classWeightSchema.nullable().optional().openapi({
      description:
        'Classification: `"balanced"` (n_samples / (n_classes · count_c)), `{label: weight}` (weights > 0; classes left out weigh 1), or null. Default: `"balanced"` when the largest class has more than 5× the examples of the smallest, else null',
    }),
  })
  .strict()
  .openapi('Hyperparameters');

export const headSchema = z
  .object({
    units: z.array(z.number().int().min(1).max(8192)).max(8).optional(),
    batch_norm: z.boolean().optional(),
    activation: z.enum(['relu', 'gelu', 'tanh', 'elu']).optional(),
  })
  .strict()
  .openapi('Head');

export const architectureSchema = z
  .object({
    type: architectureTypeSchema.optional(),
    head: headSchema.optional(),
    /** Transfer: the layer of the base model whose output feeds the head (default: the last before its classifier). */
    cut_layer: z.string().min(1).optional(),
    /** Transfer: base layers (from the top) unfrozen for fine-tuning. */
    trainable_base_layers: z.number().int().min(0).max(1000).optional(),
    /** Images: [height, width] examples are resized to (default: the base model's input, else 32×32). */
    input_size: z
      .tuple([z.number().int().min(8).max(1024), z.number().int().min(8).max(1024)])
      .optional(),
    /** cnn/resnet: convolution filters per stage. */
    filters: z.array(z.number().int().min(1).max(1024)).min(1).max(8).optional(),
    /** resnet: residual blocks per stage. */
    blocks_per_stage: z.number().int().min(1).max(8).optional(),
    /** cnn/resnet: batch normalization after each convolution (default true). */
    batch_norm: z.boolean().optional(),
    /** Text: the most tokens kept per example (fewer when every training text is shorter). */
    max_length: z.number().int().min(4).max(4096).optional(),
    /** Text: vocabulary size, the most frequent tokens of the training data. */
    vocab_size: z.number().int().min(100).max(200_000).optional(),
    embedding_dim: z.number().int().min(4).max(1024).optional(),
    /**
     * Text (bag_of_embeddings, rnn/lstm/gru, attention): start the embedding layer from built-in
     * word vectors; `embedding_dim` is then theirs. Recurrent models (rnn/lstm/gru) start from
     * `bm_glove100d` when the request gives neither this nor `embedding_dim`; null starts them
     * from random embeddings.
     */
    embeddings: z
      .object({
        base_model: z
          .string()
          .max(80)
          .regex(/^bm_[0-9a-z]{1,64}$/, 'expected the id of built-in word vectors, bm_…')
          .openapi({ example: 'bm_glove100d' }),
        /**
         * Fine-tune the vectors with the rest of the model (default true); false keeps them as they
         * are and trains only what follows them.
         */
        trainable: z.boolean().optional(),
      })
      .strict()
      .nullable()
      .optional(),
    /** rnn/lstm/gru: units per recurrent layer. */
    rnn_units: z.number().int().min(1).max(2048).optional(),
    bidirectional: z.boolean().optional(),
    /** Recurrent layers, or attention encoder blocks. */
    num_layers: z.number().int().min(1).max(12).optional(),
    /** attention: heads per block. */
    num_heads: z.number().int().min(1).max(32).optional(),
  })
  .strict()
  .openapi('Architecture');

export const regularizationSchema = z
  .object({
    l1: z.number().min(0).max(1).optional(),
    l2: z.number().min(0).max(1).optional(),
    dropout: z.number().min(0).lt(1).optional(),
  })
  .strict()
  .openapi('Regularization');

export const augmentationSchema = z
  .object({
    flip_horizontal: z.boolean().optional(),
    flip_vertical: z.boolean().optional(),
    /** Rotations drawn from ±degrees. */
    rotation_degrees: z.number().min(0).max(180).optional(),
    /** Shifts drawn from ± this fraction of the width and height. */
    translate: z.number().min(0).max(0.5).optional(),
    /** Scale drawn from [1 − zoom, 1 + zoom]. */
    zoom: z.number().min(0).max(0.9).optional(),
    /** Added to pixel values (0-1 scale), drawn from ±brightness. */
    brightness: z.number().min(0).max(1).optional(),
    /** Contrast factor drawn from [1 − contrast, 1 + contrast]. */
    contrast: z.number().min(0).max(1).optional(),
    /**
     * Low-resolution copies (albumentations' `Downscale`): half the images of a batch are shrunk
     * to a side fraction drawn from [1 − downscale, 1/2] by averaging f×f pixel blocks (f = 2 up
     * to 1 / (1 − downscale)), then enlarged back bilinearly, so a model also knows a picture far
     * smaller than its input (a thumbnail, a distant crop). 0: off.
     */
    downscale: z.number().min(0).max(0.95).optional(),
  })
  .strict()
  .openapi('Augmentation');

/** The fields a search space may tune, by their first part: their schemas bound the values. */
const tunableSections: Record<string, z.ZodType> = {
  hyperparameters: hyperparametersSchema,
  architecture: architectureSchema,
  regularization: regularizationSchema,
  augmentation: augmentationSchema,
};

/** The request schema of the field at a dotted path (`hyperparameters.learning_rate`). */
function tunableFieldSchema(path: string): z.ZodType | undefined {
  const [section, ...rest] = path.split('.');
  let node: z.ZodType | undefined = tunableSections[section!];
  for (const part of rest) {
    while (node instanceof z.ZodOptional || node instanceof z.ZodNullable)
      node = node.unwrap() as z.ZodType;
    if (!(node instanceof z.ZodObject)) return undefined;
    node = (node.shape as Record<string, z.ZodType>)[part];
  }
  while (node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType;
  return rest.length > 0 ? node : undefined;
}

/** A job's search space: each value checked against the schema of the field it tunes. */
export const jobSearchSpaceSchema = createSearchSpaceSchema(tunableFieldSchema).openapi(
  'SearchSpace',
  {
    example: {
      'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-4, max: 1e-2 },
      'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 },
      'hyperparameters.optimizer': { type: 'choice', values: ['adam', 'rmsprop'] },
    },
  },
);

export const tuningSchema = z
  .object({
    strategy: z.enum(['grid', 'random', 'bayesian', 'hyperband']).default('bayesian'),
    objective: z
      .object({
        metric: z.enum(['val_loss', 'val_accuracy', 'loss', 'accuracy']).default('val_loss'),
        goal: z.enum(['minimize', 'maximize']).optional(),
      })
      .strict()
      .default({ metric: 'val_loss' }),
    max_trials: z.number().int().min(1).max(1000).default(10),
    max_parallel_trials: z.number().int().min(1).max(100).default(1),
    search_space: jobSearchSpaceSchema,
    early_stopping: z.enum(['none', 'median', 'hyperband']).default('none'),
    /** Seconds one trial may run; past it the trial fails (`timeout`) and the study goes on. */
    max_trial_runtime_seconds: z.number().int().min(1).optional().openapi({
      description:
        'Seconds one trial may train before it fails with `timeout` (the study goes on). Default and ceiling: TUNING_MAX_TRIAL_RUNTIME_S',
    }),
  })
  .strict()
  .openapi('Tuning');

export const webhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    events: z
      .array(z.enum(['succeeded', 'failed', 'cancelled']))
      .min(1)
      .default(['succeeded', 'failed', 'cancelled']),
  })
  .strict()
  .openapi('Webhook');

/** The request's webhook: the stored one plus, optionally, the caller's own signing secret. */
export const webhookRequestSchema = webhookSchema
  .extend({
    secret: z.string().min(16).max(200).optional().openapi({
      description:
        'Signs the deliveries (HMAC-SHA256, `Trainyard-Signature`). Default: a new `whsec_…` secret, returned once in the creation answer',
    }),
  })
  .strict()
  .openapi('WebhookRequest');

/** `POST /v1/fine-tuning/jobs`: every field but `dataset` has a default from the task and the data. */
export const createJobSchema = z
  .object({
    dataset: idSchema('ds'),
    validation_dataset: idSchema('ds').optional(),
    validation_split: z.number().gt(0).lt(1).optional(),
    base_model: z
      .string()
      .max(80, 'expected bm_…, model_… or none; received a longer string')
      .regex(/^(bm_[0-9a-z]{1,64}|model_[0-9a-z]{1,64}|none)$/, 'expected bm_…, model_… or none')
      .optional(),
    model_name: nameSchema(100).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    hyperparameters: hyperparametersSchema.optional(),
    architecture: architectureSchema.optional(),
    regularization: regularizationSchema.optional(),
    augmentation: augmentationSchema.optional(),
    tuning: tuningSchema.optional(),
    webhook: webhookRequestSchema.optional(),
    max_runtime_seconds: z.number().int().min(1).optional().openapi({
      description:
        'Seconds the job may run (from its first start, every attempt counted) before it fails with `timeout`. Default and ceiling: JOB_MAX_RUNTIME_S',
    }),
  })
  .strict()
  .openapi('CreateFineTuningJob');
export type CreateJob = z.infer<typeof createJobSchema>;

/**
 * Where a job's validation examples come from: `random_split` (`validation_split` of the dataset,
 * stratified), `dataset_split` (the dataset's own validation folder, `val/` in a split-folder zip),
 * or `validation_dataset`.
 */
export const validationSourceSchema = z
  .enum(['random_split', 'dataset_split', 'validation_dataset'])
  .openapi('ValidationSource');
export type ValidationSource = z.infer<typeof validationSourceSchema>;

/**
 * The spec a job runs with, every default filled in (`resolveJobSpec`), stored as
 * `jobs/<id>/spec.json`: what the trainer reads and what the job shows.
 */
export const jobSpecSchema = z.object({
  id: z.string(),
  /**
   * The project the job belongs to; its dataset, validation dataset and base model are that
   * project's (checked at creation and again by the trainer). Absent from specs written before
   * projects: the default project (`projectOf`).
   */
  project: z.string().optional(),
  dataset: z.string(),
  task: z.enum([
    'image_classification',
    'tabular_classification',
    'tabular_regression',
    'text_classification',
  ]),
  validation_dataset: z.string().nullable(),
  validation_split: z.number(),
  /**
   * Default: `validation_dataset` when one is given, else `dataset_split` when the dataset has a
   * validation split folder and the request sets no `validation_split`, else `random_split`.
   * Absent from specs written before it (they are `random_split` or `validation_dataset`).
   */
  validation_source: validationSourceSchema.optional(),
  base_model: z.string().nullable(),
  model_name: z.string(),
  seed: z.number().int(),
  hyperparameters: z.object({
    epochs: z.number().int(),
    batch_size: z.number().int(),
    learning_rate: z.number(),
    optimizer: optimizerSchema,
    momentum: z.number(),
    weight_decay: z.number(),
    lr_schedule: lrScheduleSchema,
    early_stopping: earlyStoppingSchema.nullable(),
    gradient_clip_norm: z.number().nullable(),
    fine_tune_epochs: z.number().int(),
    fine_tune_learning_rate_factor: z.number(),
    /** Train again on training + validation before publishing. Absent from specs written before it (false). */
    refit: z.boolean().optional(),
    /** Absent from specs written before class weights (they ran with none). */
    class_weight: classWeightSchema.nullable().optional(),
  }),
  architecture: z.object({
    type: architectureTypeSchema,
    head: z.object({
      units: z.array(z.number().int()),
      batch_norm: z.boolean(),
      activation: z.enum(['relu', 'gelu', 'tanh', 'elu']),
    }),
    cut_layer: z.string().nullable(),
    trainable_base_layers: z.number().int(),
    input_size: z.tuple([z.number().int(), z.number().int()]).nullable(),
    filters: z.array(z.number().int()),
    blocks_per_stage: z.number().int(),
    batch_norm: z.boolean(),
    max_length: z.number().int(),
    vocab_size: z.number().int(),
    embedding_dim: z.number().int(),
    /** Absent from specs written before it (they started from random embeddings). */
    embeddings: z.object({ base_model: z.string(), trainable: z.boolean() }).nullable().optional(),
    rnn_units: z.number().int(),
    bidirectional: z.boolean(),
    num_layers: z.number().int(),
    num_heads: z.number().int(),
  }),
  regularization: z.object({ l1: z.number(), l2: z.number(), dropout: z.number() }),
  augmentation: z.object({
    flip_horizontal: z.boolean(),
    flip_vertical: z.boolean(),
    rotation_degrees: z.number(),
    translate: z.number(),
    zoom: z.number(),
    brightness: z.number(),
    contrast: z.number(),
    /** Absent from specs written before it: off. */
    downscale: z.number().default(0),
  }),
  tuning: tuningSchema.nullable(),
  webhook: webhookSchema.nullable(),
  /** Absent from specs written before it: the trainer then uses JOB_MAX_RUNTIME_S. */
  max_runtime_seconds: z.number().int().optional(),
});
export type JobSpec = z.infer<typeof jobSpecSchema>;
export type Hyperparameters = JobSpec['hyperparameters'];
export type Architecture = JobSpec['architecture'];
export type Augmentation = JobSpec['augmentation'];
export type Regularization = JobSpec['regularization'];
export type EarlyStopping = z.infer<typeof earlyStoppingSchema>;
