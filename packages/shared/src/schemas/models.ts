import { z } from '@hono/zod-openapi';
import { jobSpecSchema } from './jobs';

/**
 * `models/<id>/manifest.json`, written last when a model is published: a reader that sees it
 * sees every file it names. The files are a TensorFlow.js LayersModel (`model.json` + weight
 * shards), `preprocess.json`, `metrics.json` and `card.json`.
 */
export const modelManifestSchema = z
  .object({
    id: z.string(),
    object: z.literal('model'),
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

export const classMetricsSchema = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});

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
  })
  .openapi('ModelCard');
export type ModelCard = z.infer<typeof modelCardSchema>;

/** A job's model id follows from the job id, so retries of a job can only ever publish one model. */
export function modelIdForJob(jobId: string): string {
  return `model_${jobId.replace(/^ftjob_/, '')}`;
}

/** `GET /v1/models/{id}`: the manifest with the card and the metrics it was published with. */
export const modelSchema = modelManifestSchema
  .extend({ card: modelCardSchema.nullable(), metrics: modelMetricsSchema.nullable() })
  .openapi('Model');
export type Model = z.infer<typeof modelSchema>;
