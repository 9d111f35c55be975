import { z } from '@hono/zod-openapi';

export const jobStatusSchema = z
  .enum(['validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .openapi('JobStatus');
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobErrorSchema = z
  .object({ code: z.string(), message: z.string(), param: z.string().nullable() })
  .openapi('JobError');
export type JobError = z.infer<typeof jobErrorSchema>;

/**
 * Event types and what they mean for the job's status (see `foldJobEvents`):
 * - `job.created` → validating; `job.queued` → queued; `job.started` → running;
 * - `job.retrying` → queued again (an attempt crashed; `data.attempt` is the next one, `data.reason`);
 * - `job.interrupted` → queued again (the platform stopped while it ran; not counted as a crash);
 * - `job.succeeded` (`data.model`), `job.failed` (`data.error`), `job.cancelled` end it: the first
 *   of these wins, later ones are ignored;
 * - `job.cancel_requested`: a cancel was asked for (the runner or Batch stops the process);
 * - the rest inform: `job.backend`, `job.submitted` (the queue took it: `data.queue`, and
 *   `data.batch_job_id` on AWS Batch), `epoch.completed` (`data` = metrics), `checkpoint.saved`
 *   (`{name, epoch, trial?, metrics}`), `trial.started {number, params}`,
 *   `trial.reported {number, step, value}`, `trial.completed {number, value}`,
 *   `trial.pruned {number}`, `trial.failed {number, error}`, `study.best {number}`,
 *   `webhook.delivered {url, attempt, status_code}`, `webhook.failed {url, attempt, status_code |
 *   error, final}`, `log`.
 */
export const jobEventSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_0mfk2v8a3x7_api_000001' }),
    object: z.literal('fine_tuning.job.event'),
    created_at: z.number().int(),
    level: z.enum(['info', 'warn', 'error']),
    type: z.string().openapi({ example: 'epoch.completed' }),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('JobEvent');
export type JobEvent = z.infer<typeof jobEventSchema>;

/** Per-epoch metrics, the `data` of `epoch.completed` events. */
export const epochMetricsSchema = z
  .object({
    epoch: z.number().int(),
    /** Tuning: the trial these belong to. */
    trial: z.number().int().nullable(),
    phase: z.enum(['train', 'fine_tune']),
    loss: z.number().nullable(),
    accuracy: z.number().nullable(),
    val_loss: z.number().nullable(),
    val_accuracy: z.number().nullable(),
    learning_rate: z.number(),
    seconds: z.number(),
    samples_per_second: z.number(),
  })
  .openapi('EpochMetrics');
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;
