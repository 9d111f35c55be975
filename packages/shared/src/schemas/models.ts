import { z } from '@hono/zod-openapi';
import { jobSpecSchema } from './jobs';
import { imageInputSchema, type Preprocess } from './preprocess';

/**
 * `models/<id>/manifest.json`, written last when a model is published: a reader that sees it
 * sees every file it names. The files are a TensorFlow.js LayersModel (`model.json` + weight
 * shards), `preprocess.json`, `metrics.json` and `card.json`.
 */
export const modelManifestSchema = z
  .object({
    id: z.string(),
    object: z.literal('model'),
    project: z.string().optional().openapi({
      description:
        'The project it belongs to (only keys of that project see it); records from before projects are the `default` project’s',
      example: 'default',
    }),
    name: z.string(),
    task: jobSpecSchema.shape.task,
    created_at: z.number().int(),
    job: z.string(),
    dataset: z.string(),
    base_model: z.string().nullable(),
    format: z.literal('tfjs-layers'),
    /** Every object of the model, relative to `models/<id>/`, with its size. */
    files: z.array(z.object({ path: z.string(), bytes: z.number().int() })),
  })
  .openapi('ModelManifest');
export type ModelManifest = z.infer<typeof modelManifestSchema>;

/** `models/<id>.deleted` (`keys.modelTombstone`): what a delete leaves of a model. */
export const modelTombstoneSchema = z.object({
  id: z.string(),
  /** The model's project: only its keys are told that it was deleted. */
  project: z.string(),
  /** Unix seconds. */
  deleted_at: z.number().int(),
});
export type ModelTombstone = z.infer<typeof modelTombstoneSchema>;

export const classMetricsSchema = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});

/** One threshold of a classifier's `threshold_sweep`. */
export const thresholdPointSchema = z
  .object({
    threshold: z.number(),
    /**
     * Fraction of examples whose top-1 score is at least `threshold`: those the predict endpoint's
     * `threshold` option still labels (the others get `"label": null`).
     */
    coverage: z.number(),
    /** Top-1 accuracy of the covered examples; null when none is covered. */
    accuracy: z.number().nullable(),
    /**
     * Binary classifiers: precision, recall and F1 of `positive_label` when an example is called
     * positive if that class's score is at least `threshold`; null for more classes, and where
     * undefined (no positive calls, no positive examples).
     */
    precision: z.number().nullable(),
    recall: z.number().nullable(),
    f1: z.number().nullable(),
  })
  .openapi('ThresholdPoint');

/** Precision/recall (binary) and coverage/accuracy (top-1) at thresholds 0.05, 0.10 … 0.95. */
export const thresholdSweepSchema = z
  .object({
    /** Binary classifiers: the class the precision/recall are of (the second label); else null. */
    positive_label: z.string().nullable(),
    points: z.array(thresholdPointSchema),
  })
  .openapi('ThresholdSweep');
export type ThresholdSweep = z.infer<typeof thresholdSweepSchema>;

/**
 * Calibration of the top-1 score (Guo et al. 2017, "On Calibration of Modern Neural Networks"):
 * examples binned by confidence into 10 equal-width bins (0, 0.1], (0.1, 0.2] … (0.9, 1]; the
 * expected calibration error is Σ_bins (count / n) · |accuracy − confidence|.
 */
export const calibrationSchema = z
  .object({
    expected_calibration_error: z.number(),
    /** The reliability table, one row a bin. */
    bins: z.array(
      z.object({
        lower: z.number(),
        upper: z.number(),
        count: z.number().int(),
        /** Mean top-1 score of the bin's examples; null for an empty bin. */
        confidence: z.number().nullable(),
        /** Top-1 accuracy of the bin's examples; null for an empty bin. */
        accuracy: z.number().nullable(),
      }),
    ),
  })
  .openapi('Calibration');
export type Calibration = z.infer<typeof calibrationSchema>;

/**
 * Where an evaluated example came from in the upload: an image's `path` inside the zip; a table
 * row's 1-based `row` (line) number in the CSV file, the header being row 1; a text's 1-based
 * `line` in the JSON Lines file and its `text` (at most 200 characters, cut ones end with "…").
 * Null for datasets validated before references were kept.
 */
export const exampleReferenceSchema = z
  .union([
    z.object({ path: z.string() }),
    z.object({ row: z.number().int() }),
    z.object({ line: z.number().int(), text: z.string() }),
  ])
  .nullable()
  .openapi('ExampleReference');
export type ExampleReference = z.infer<typeof exampleReferenceSchema>;

/**
 * One evaluated example, a line of `models/<id>/predictions/<split>.jsonl`: what the model said
 * about it. Classification fills the labels and scores, regression the values (in the target's
 * units); the other fields are null.
 */
export const examplePredictionSchema = z
  .object({
    /** 0-based position in the split's predictions; the `after` cursor of the evaluation route. */
    index: z.number().int(),
    reference: exampleReferenceSchema,
    true_label: z.string().nullable(),
    predicted_label: z.string().nullable(),
    /** Every class's score, in the metrics' `labels` order. */
    scores: z.array(z.number()).nullable(),
    true_value: z.number().nullable(),
    predicted_value: z.number().nullable(),
  })
  .openapi('ExamplePrediction');
export type ExamplePrediction = z.infer<typeof examplePredictionSchema>;

/** The metrics of one split: what `metrics.json` holds for validation, and its `test`. */
const splitMetricsSchema = z.object({
  /** `train` when the job had no validation examples (then measured on what it trained on). */
  split: z.enum(['validation', 'train', 'test']),
  examples: z.number().int(),
  loss: z.number().nullable(),
  accuracy: z.number().nullable(),
  /** Regression. */
  mae: z.number().nullable(),
  rmse: z.number().nullable(),
  per_class: z.array(classMetricsSchema).nullable(),
  /** Rows are true labels, columns predicted, in `labels` order. */
  confusion_matrix: z.array(z.array(z.number().int())).nullable(),
  labels: z.array(z.string()).nullable(),
  /** Classifiers; absent from models published before it. */
  threshold_sweep: thresholdSweepSchema.nullable().optional(),
  /** Classifiers; absent from models published before it. */
  calibration: calibrationSchema.nullable().optional(),
});

/**
 * `metrics.json`: measured on the validation split after training; `test`, the same metrics on
 * the dataset's held-out test split (a `test/` folder in a split-folder zip), when it has one.
 */
export const modelMetricsSchema = splitMetricsSchema
  .extend({
    test: splitMetricsSchema.optional().openapi({
      description:
        "The same metrics on the dataset's test split (never trained or validated on); present when the dataset has one",
    }),
  })
  .openapi('ModelMetrics');
export type ModelMetrics = z.infer<typeof modelMetricsSchema>;

/** `card.json`: how the model was made. */
export const modelCardSchema = z
  .object({
    job: z.string(),
    dataset: z.string(),
    base_model: z.string().nullable(),
    spec: jobSpecSchema,
    /** When tuning: the trial whose parameters made this model. */
    trial: z.number().int().nullable(),
    backend: z.string(),
    epochs_run: z.number().int(),
    duration_seconds: z.number(),
    parameters: z.number().int(),
    /**
     * `hyperparameters.refit`: the published model was trained again on these many examples
     * (training + validation) for these epochs; the validation metrics are the model's before.
     */
    refit: z
      .object({
        examples: z.number().int(),
        epochs: z.number().int(),
        fine_tune_epochs: z.number().int(),
      })
      .optional(),
  })
  .openapi('ModelCard');
export type ModelCard = z.infer<typeof modelCardSchema>;

/** A job's model id follows from the job id, so retries of a job can only ever publish one model. */
export function modelIdForJob(jobId: string): string {
  return `model_${jobId.replace(/^ftjob_/, '')}`;
}

/**
 * What a model takes, from its `preprocess.json`, in brief: an image's size, channels and scaling
 * (pixels 0-1 mapped to `(p - mean) / std`), a table's columns (numeric, or categorical with its
 * categories), a text's token count and vocabulary size (not the vocabulary itself).
 */
export const modelInputSchema = z
  .discriminatedUnion('kind', [
    imageInputSchema,
    z.object({
      kind: z.literal('table'),
      columns: z.array(
        z.object({
          name: z.string(),
          type: z.enum(['numeric', 'categorical']),
          categories: z.array(z.string()).optional(),
        }),
      ),
    }),
    z.object({
      kind: z.literal('text'),
      /** Tokens kept per text; longer texts are cut. */
      max_length: z.number().int(),
      lowercase: z.boolean(),
      vocabulary_size: z.number().int(),
    }),
  ])
  .openapi('ModelInput');
export type ModelInput = z.infer<typeof modelInputSchema>;

/** The brief `ModelInput` of a model's preprocessing. */
export function modelInputOf(pre: Preprocess): ModelInput {
  const { input } = pre;
  if (input.kind === 'image') return { ...input };
  if (input.kind === 'table') {
    return {
      kind: 'table',
      columns: input.columns.map((c) =>
        c.type === 'categorical'
          ? { name: c.name, type: c.type, categories: c.categories }
          : { name: c.name, type: c.type },
      ),
    };
  }
  return {
    kind: 'text',
    max_length: input.max_length,
    lowercase: input.lowercase,
    vocabulary_size: input.vocab.length,
  };
}

/**
 * `GET /v1/models/{id}`: the manifest with the card and the metrics it was published with, what
 * the model takes (`input`) and the classes it answers (`labels`, null for regression); each null
 * where its file is missing or unreadable.
 */
export const modelSchema = modelManifestSchema
  .extend({
    card: modelCardSchema.nullable(),
    metrics: modelMetricsSchema.nullable(),
    input: modelInputSchema.nullable(),
    labels: z.array(z.string()).nullable(),
  })
  .openapi('Model');
export type Model = z.infer<typeof modelSchema>;
