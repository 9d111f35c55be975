import { z } from '@hono/zod-openapi';

export const jobStatusSchema = z
  .enum(['validating', 'queued', 'running', 'succeeded', 'failed', 'cancelled'])
  .openapi('JobStatus');
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobErrorSchema = z
  .object({ code: z.string(), message: z.string(), param: z.string().nullable() })
  .openapi('JobError');
export type JobError = z.infer<typeof jobErrorSchema>;

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

// ---------------------------------------------------------------------------------------------
// One schema per event type. To add an event type: add its entry to `jobEventDataSchemas` (the
// `data` it carries, `z.null()` for none), say what it means in the list below, and write it with
// `JobEventLog.append`; the union, the OpenAPI document and the writers' types follow.
// Data objects are `loose`: a reader accepts fields a newer writer added.
// ---------------------------------------------------------------------------------------------

const int = () => z.number().int();
const trialNumber = z.number().int().nullable().openapi({ description: 'Tuning: the trial' });
const phase = z.enum(['train', 'fine_tune']);
/** What every `trial.*` event also says: the attempt and the worker that wrote it. */
const trialWriter = { attempt: int(), worker: z.string() };
const params = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

/**
 * The `data` of each event type, and so the set of event types. What each means for the job's
 * status (see `foldJobEvents`):
 * - `job.created` → validating; `job.queued` → queued; `job.started` → running;
 * - `job.retrying` → queued again (an attempt crashed; `data.attempt` is the next one);
 * - `job.interrupted` → queued again (the platform stopped while it ran; not counted as a crash);
 * - `job.succeeded`, `job.failed`, `job.cancelled` end it (`TERMINAL_EVENT_TYPES`): the first
 *   of these wins, later ones are ignored;
 * - `job.cancel_requested`: a cancel was asked for (the runner or Batch stops the process);
 * - the rest inform.
 */
export const jobEventDataSchemas = {
  'job.created': z.looseObject({
    /** Whether the job asked for a webhook. */
    webhook: z.boolean(),
  }),
  'job.queued': z.null(),
  /** The queue took the job. */
  'job.submitted': z.looseObject({
    queue: z.enum(['local', 'batch']),
    batch_job_id: z.string().nullable().optional(),
    batch_job_arn: z.string().nullable().optional(),
    /** Parallel trials on Batch: the array job's size. */
    array_size: int().nullable().optional(),
  }),
  'job.started': z.looseObject({
    /** 1-based. */
    attempt: int(),
    backend: z.string(),
    /** `AWS_BATCH_JOB_ARRAY_INDEX` of a parallel tuning worker, else null. */
    array_index: z.string().nullable(),
  }),
  /** The TensorFlow.js backend the trainer runs on, and why the ones before it did not load. */
  'job.backend': z.looseObject({
    backend: z.string(),
    attempts: z.array(
      z.looseObject({
        backend: z.string(),
        ok: z.boolean(),
        /** Why it did not load (when `ok` is false). */
        reason: z.string().optional(),
        detail: z.string().optional(),
      }),
    ),
  }),
  'job.retrying': z.looseObject({ attempt: int(), reason: z.string() }),
  'job.interrupted': z.looseObject({
    attempt: int(),
    reason: z.string(),
    /** Trainer processes a killed platform left behind, ended at start. */
    reaped: int().optional(),
  }),
  /** An attempt resumed training from a checkpoint (`epoch` is 1-based). */
  'job.resumed': z.looseObject({
    checkpoint: z.string(),
    phase,
    epoch: int(),
    trial: trialNumber,
  }),
  'job.cancel_requested': z.null(),
  'job.cancelled': z.null(),
  'job.succeeded': z.looseObject({ model: z.string() }),
  'job.failed': z.looseObject({ error: jobErrorSchema }),
  'data.loaded': z.looseObject({ train: int(), validation: int() }),
  'epoch.completed': epochMetricsSchema,
  'checkpoint.saved': z.looseObject({
    name: z.string(),
    phase,
    epoch: int(),
    trial: trialNumber,
    /** The epoch's metrics by name (`loss`, `accuracy`, `val_loss`, `val_accuracy`). */
    metrics: z.record(z.string(), z.number().nullable()),
  }),
  /** A transfer job's frozen base ran once over every example; its head phase trains on the result. */
  'features.cached': z.looseObject({
    examples: int(),
    shape: z.array(int()),
    seconds: z.number(),
    trial: trialNumber,
  }),
  /** A text model's token embedding starts from built-in word vectors (`architecture.embeddings`). */
  'embeddings.loaded': z.looseObject({
    base_model: z.string(),
    layer: z.string(),
    /** Vocabulary words, and how many of them have a vector. */
    words: int(),
    found: int(),
    trainable: z.boolean(),
    seconds: z.number(),
    trial: trialNumber,
  }),
  'fine_tune.started': z.looseObject({
    /** The base layers unfrozen. */
    layers: z.array(z.string()),
    learning_rate: z.number(),
    trial: trialNumber,
  }),
  /**
   * `hyperparameters.refit`: the model was trained again from the start on the training and
   * validation examples together, for the epochs each phase kept; that model is the one published.
   */
  'refit.completed': z.looseObject({
    examples: int(),
    epochs: int(),
    fine_tune_epochs: int(),
    /** The last epoch's training loss. */
    loss: z.number().nullable(),
    seconds: z.number(),
  }),
  early_stopping: z.looseObject({
    phase,
    stopped_epoch: int(),
    /** The epoch whose weights were kept. */
    restored_epoch: int(),
    trial: trialNumber,
  }),
  'study.started': z.looseObject({
    strategy: z.string(),
    pruner: z.string(),
    metric: z.string(),
    direction: z.enum(['minimize', 'maximize']),
    max_trials: int(),
  }),
  /** A frozen base's features, computed once for every trial. */
  'tuning.cached_features': z.looseObject({
    examples: int(),
    shape: z.array(int()),
    worker: z.string(),
  }),
  'trial.started': z.looseObject({ number: int(), params, ...trialWriter }),
  'trial.reported': z.looseObject({
    number: int(),
    step: int(),
    value: z.number(),
    ...trialWriter,
  }),
  'trial.completed': z.looseObject({ number: int(), value: z.number(), ...trialWriter }),
  'trial.pruned': z.looseObject({ number: int(), ...trialWriter }),
  'trial.failed': z.looseObject({ number: int(), error: z.string(), ...trialWriter }),
  'study.best': z.looseObject({ number: int(), value: z.number(), params }),
  'webhook.delivered': z.looseObject({
    url: z.string(),
    attempt: int(),
    status_code: int(),
  }),
  'webhook.failed': z.looseObject({
    url: z.string(),
    attempt: int(),
    status_code: int().optional(),
    error: z.string().optional(),
    /** The last try: no more will be made. */
    final: z.boolean(),
  }),
} as const;

type DataSchemas = typeof jobEventDataSchemas;
/** Every event type, e.g. `epoch.completed`. */
export type JobEventType = keyof DataSchemas;
export const JOB_EVENT_TYPES = Object.keys(jobEventDataSchemas) as JobEventType[];
/** The `data` an event of type `T` carries. */
export type JobEventData<T extends JobEventType> = z.infer<DataSchemas[T]>;

const levelSchema = z.enum(['info', 'warn', 'error']);
export type JobEventLevel = z.infer<typeof levelSchema>;

/** `job.failed` → `JobEventJobFailed`: each event type's name in the OpenAPI document. */
const schemaName = (type: string) =>
  `JobEvent${type
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;

function eventSchema<T extends JobEventType>(type: T) {
  return z
    .object({
      id: z.string().openapi({ example: 'evt_0mfk2v8a3x7_api_000001' }),
      object: z.literal('fine_tuning.job.event'),
      /** Unix seconds. */
      created_at: z.number().int(),
      level: levelSchema,
      type: z.literal(type),
      message: z.string(),
      data: jobEventDataSchemas[type] as DataSchemas[T],
    })
    .openapi(schemaName(type));
}

type EventSchemas = { [T in JobEventType]: ReturnType<typeof eventSchema<T>> };
const eventSchemas = Object.fromEntries(
  JOB_EVENT_TYPES.map((type) => [type, eventSchema(type)]),
) as unknown as EventSchemas;

/** A job event: the discriminated union of every event type on `type`. */
export const jobEventSchema = z
  .discriminatedUnion(
    'type',
    Object.values(eventSchemas) as unknown as [
      EventSchemas[JobEventType],
      ...EventSchemas[JobEventType][],
    ],
  )
  .openapi('JobEvent');
/** A job event, narrowed by its `type`. */
export type JobEvent = { [T in JobEventType]: z.infer<EventSchemas[T]> }[JobEventType];
/** The event of type `T`. */
export type JobEventOf<T extends JobEventType> = Extract<JobEvent, { type: T }>;

/** What a writer gives `JobEventLog.append`: the type, its message and data, and a level. */
export type NewJobEvent = {
  [T in JobEventType]: {
    type: T;
    message: string;
    /** Default `info`. */
    level?: JobEventLevel;
  } & (null extends JobEventData<T> ? { data?: null } : { data: JobEventData<T> });
}[JobEventType];

/** The event types that end a job, and the status each ends it in. The first one wins. */
export const TERMINAL_EVENT_TYPES = {
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
} as const satisfies Partial<Record<JobEventType, JobStatus>>;
export type TerminalEventType = keyof typeof TERMINAL_EVENT_TYPES;

/** Whether an event of this type ends its job. */
export function isTerminalEventType(type: string): type is TerminalEventType {
  return Object.hasOwn(TERMINAL_EVENT_TYPES, type);
}

/** Whether a job in this status has ended (succeeded, failed or cancelled). */
export function isTerminal(status: JobStatus): boolean {
  return (Object.values(TERMINAL_EVENT_TYPES) as JobStatus[]).includes(status);
}

/**
 * The `job.succeeded` event: the job published `model`. The one way to write it.
 * @param model the published model's id (`model_…`).
 */
export function jobSucceeded(model: string, message = `model ${model} is ready`): NewJobEvent {
  return { type: 'job.succeeded', message, data: { model } };
}

/**
 * The `job.failed` event, at level `error`, its message the error's. The one way to write it.
 * @param error `code` (stable, snake_case), `message` (what went wrong and what to change),
 *   `param` (the job field at fault; default null).
 */
export function jobFailed(error: {
  code: string;
  message: string;
  param?: string | null;
}): NewJobEvent {
  const full: JobError = { code: error.code, message: error.message, param: error.param ?? null };
  return { type: 'job.failed', level: 'error', message: full.message, data: { error: full } };
}

/**
 * The events of the given types, in their order, narrowed to those types.
 * @example eventsOfType(await log.list(id), 'job.started').map((e) => e.data.attempt)
 */
export function eventsOfType<T extends JobEventType>(
  events: readonly JobEvent[],
  ...types: T[]
): JobEventOf<T>[] {
  return events.filter((e): e is JobEventOf<T> => (types as string[]).includes(e.type));
}

/** The `job.cancelled` event: the job was stopped on request; no model is published. */
export function jobCancelled(message: string): NewJobEvent {
  return { type: 'job.cancelled', message };
}
