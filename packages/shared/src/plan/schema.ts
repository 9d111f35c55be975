import { z } from '@hono/zod-openapi';
import { jobSpecSchema } from '../schemas/jobs';

const int = () => z.number().int();

export const planInputSchema = z
  .object({
    kind: z.enum(['table', 'image', 'text']),
    features: int()
      .optional()
      .openapi({ description: 'Table: encoded features (one-hot included)' }),
    height: int().optional(),
    width: int().optional(),
    channels: int().optional(),
    vocabulary: int().optional().openapi({
      description:
        'Text: token ids, at most (`vocab_size`; the trainer keeps the words the training texts have)',
    }),
    length: int().optional().openapi({ description: 'Text: tokens per example, at most' }),
  })
  .openapi('JobPlanInput');

export const jobPlanEstimateSchema = z
  .object({
    parameters: int().nullable().openapi({
      description:
        "Every weight of the model (the published model's `card.parameters`); null for `transfer`, sized by its base",
    }),
    memory_bytes: int().nullable().openapi({
      description:
        '4 bytes × (parameters × (2 + optimizer slots) + batch_size × (2 × activations per example + input size)): weights, their gradients, the optimizer’s slots (adam/adamw 2, rmsprop 2, momentum 1, adagrad 1, sgd 0), and each layer’s outputs and their gradients for one batch',
    }),
    memory: z
      .object({ weights: int(), gradients: int(), optimizer: int(), activations: int() })
      .nullable()
      .openapi({ description: 'memory_bytes, by part' }),
    train_examples: int(),
    validation_examples: int(),
    steps_per_epoch: int().openapi({ description: 'ceil(train_examples / batch_size)' }),
    epochs: int().openapi({ description: 'hyperparameters.epochs + fine_tune_epochs' }),
    trials: int().openapi({ description: 'tuning.max_trials, else 1' }),
    steps: int().openapi({
      description:
        'epochs × steps_per_epoch × trials: the most the job runs (early stopping may end it sooner)',
    }),
    seconds: z.number().nullable().openapi({
      description: 'Time on the local backend, from `calibration` (null for `transfer`)',
    }),
    calibration: z.object({ backend: z.string(), measured_on: z.string(), command: z.string() }),
  })
  .openapi('JobPlanEstimate');
export type JobPlanEstimate = z.infer<typeof jobPlanEstimateSchema>;

export const jobPlanSchema = z
  .object({
    object: z.literal('fine_tuning.job.plan'),
    spec: jobSpecSchema
      .omit({ id: true })
      .openapi({ description: 'What the job would run with: every default filled in' }),
    input: planInputSchema
      .nullable()
      .openapi({ description: 'What the model would take; null for transfer' }),
    estimate: jobPlanEstimateSchema,
    notes: z.array(z.string()).openapi({ description: 'What the estimate cannot know' }),
  })
  .openapi('FineTuningJobPlan');
export type JobPlan = z.infer<typeof jobPlanSchema>;
