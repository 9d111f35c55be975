import { z } from '@hono/zod-openapi';
import { epochMetricsSchema, jobErrorSchema, jobStatusSchema } from './job-events';
import { jobSpecSchema, validationSourceSchema, webhookSchema } from './jobs';

/** A fine-tuning job as the API shows it: the spec it runs with and the fold of its events. */
export const jobSchema = z
  .object({
    id: z.string().openapi({ example: 'ftjob_0mfk2v8a3x7q1c9d0e2f4g' }),
    object: z.literal('fine_tuning.job'),
    project: z.string().openapi({
      description: 'The project it belongs to (only keys of that project see it)',
      example: 'default',
    }),
    status: jobStatusSchema,
    created_at: z.number().int(),
    started_at: z.number().int().nullable(),
    finished_at: z.number().int().nullable(),
    dataset: z.string(),
    validation_dataset: z.string().nullable(),
    validation_split: z.number(),
    validation_source: validationSourceSchema.optional().openapi({
      description:
        "Where the validation examples come from: random_split (validation_split of the dataset), dataset_split (the dataset's own val/ folder) or validation_dataset",
    }),
    task: jobSpecSchema.shape.task,
    base_model: z.string().nullable(),
    model_name: z.string(),
    seed: z.number().int(),
    hyperparameters: jobSpecSchema.shape.hyperparameters,
    architecture: jobSpecSchema.shape.architecture,
    regularization: jobSpecSchema.shape.regularization,
    augmentation: jobSpecSchema.shape.augmentation,
    tuning: jobSpecSchema.shape.tuning,
    webhook: webhookSchema.nullable(),
    /** Seconds the job may run before it fails with `timeout` (absent on jobs made before it). */
    max_runtime_seconds: z.number().int().optional(),
    /** The model the job published; set once it succeeded. */
    result_model: z.string().nullable(),
    trials: z.object({
      total: z.number().int(),
      completed: z.number().int(),
      best: z.number().int().nullable(),
    }),
    error: jobErrorSchema.nullable(),
    /** Attempts that started (a crashed attempt is retried and resumes from its checkpoint). */
    attempts: z.number().int(),
    /** The TensorFlow.js backend the trainer chose. */
    backend: z.string().nullable(),
    cancel_requested: z.boolean(),
  })
  .openapi('FineTuningJob');
export type Job = z.infer<typeof jobSchema>;

/** The creation answer: the job, with the webhook's signing secret (shown this once). */
export const createdJobSchema = jobSchema
  .extend({
    webhook: webhookSchema
      .extend({
        secret: z.string().nullable().openapi({
          description:
            'Verify `Trainyard-Signature: t=…,v1=…` with it: v1 = hex HMAC-SHA256 of `<t>.<body>`. Shown once: `null` in a replay of an `Idempotency-Key` request (with `secret_note`)',
        }),
        secret_note: z
          .string()
          .optional()
          .openapi({ description: 'Present when `secret` is `null`: why it is not shown' }),
      })
      .nullable(),
  })
  .openapi('CreatedFineTuningJob');

export const jobMetricsSchema = z
  .object({ data: z.array(epochMetricsSchema.extend({ created_at: z.number().int() })) })
  .openapi('FineTuningJobMetrics');

export const checkpointSchema = z
  .object({
    name: z.string(),
    epoch: z.number().int().nullable(),
    trial: z.number().int().nullable(),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.number().int(),
  })
  .openapi('FineTuningJobCheckpoint');

export const jobCheckpointsSchema = z
  .object({ data: z.array(checkpointSchema) })
  .openapi('FineTuningJobCheckpoints');

export const trialSchema = z
  .object({
    number: z.number().int(),
    status: z.enum(['running', 'completed', 'pruned', 'failed']),
    params: z.record(z.string(), z.unknown()),
    /** The trial's final objective value (completed trials). */
    objective: z.number().nullable(),
    /** Epochs it reported. */
    epochs: z.number().int(),
    pruned: z.boolean(),
    error: z.string().nullable(),
    started_at: z.number().int(),
    finished_at: z.number().int().nullable(),
  })
  .openapi('FineTuningTrial');

export const jobTrialsSchema = z
  .object({ data: z.array(trialSchema), best: z.number().int().nullable() })
  .openapi('FineTuningJobTrials');
