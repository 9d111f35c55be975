import {
  isTerminal,
  isTerminalEventType,
  type JobError,
  type JobEvent,
  type JobEventType,
  type JobStatus,
  TERMINAL_EVENT_TYPES,
} from '../schemas/job-events';

/**
 * An event as a listing names it, its body not read: what `foldJobEvents` gets for the types
 * whose data it does not need (see `EVENT_TYPES_WITH_STATE`).
 */
export interface ListedJobEvent {
  readonly id: string;
  readonly created_at: number;
  readonly type: string;
  readonly message: string;
  readonly data: null;
}

/** What the event log says about a job. */
export interface JobState {
  status: JobStatus;
  created_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  result_model: string | null;
  error: JobError | null;
  /** `job.started` events: attempts that got as far as starting. */
  attempts: number;
  /** `job.retrying` events: attempts that crashed and were retried. */
  retries: number;
  /** `job.interrupted` events: attempts stopped by a platform shutdown, to run again. */
  interruptions: number;
  backend: string | null;
  cancel_requested: boolean;
  trials: { total: number; completed: number; best: number | null };
  /** The event that ended the job, when it has ended. */
  terminal_event: string | null;
  /** Whether the job asked for a webhook, and whether it was delivered or given up on. */
  webhook: { requested: boolean; done: boolean };
}

/**
 * Folds a job's events, in log order, into its state. The first terminal event wins. Events may
 * come without their `data` (read from a listing only) except for `job.created`,
 * `job.succeeded`, `job.failed`, `job.backend` and `study.best`: see `EVENT_TYPES_WITH_STATE`.
 */
export function foldJobEvents(events: readonly (JobEvent | ListedJobEvent)[]): JobState {
  const state: JobState = {
    status: 'validating',
    created_at: null,
    started_at: null,
    finished_at: null,
    result_model: null,
    error: null,
    attempts: 0,
    retries: 0,
    interruptions: 0,
    backend: null,
    cancel_requested: false,
    trials: { total: 0, completed: 0, best: null },
    terminal_event: null,
    webhook: { requested: false, done: false },
  };
  const started = new Set<number>();
  for (const event of events) {
    switch (event.type) {
      case 'trial.completed':
      case 'trial.pruned':
      case 'trial.failed':
        state.trials.completed++;
        break;
      case 'trial.started':
        // Numbered trials count once even if a resumed attempt announces them again.
        if (typeof event.data?.number === 'number') started.add(event.data.number);
        else state.trials.total++;
        break;
      case 'study.best':
        if (typeof event.data?.number === 'number') state.trials.best = event.data.number;
        break;
      case 'job.backend':
        if (typeof event.data?.backend === 'string') state.backend = event.data.backend;
        break;
      case 'job.cancel_requested':
        state.cancel_requested = true;
        break;
      case 'job.retrying':
        state.retries++;
        break;
      case 'job.interrupted':
        state.interruptions++;
        break;
      case 'job.started':
        state.attempts++;
        break;
      case 'webhook.delivered':
        state.webhook.done = true;
        break;
      case 'webhook.failed':
        if (event.data?.final === true) state.webhook.done = true;
        break;
      case 'job.created':
        state.created_at ??= event.created_at;
        if (event.data?.webhook === true) state.webhook.requested = true;
        break;
    }
    if (isTerminal(state.status)) continue;
    switch (event.type) {
      case 'job.created':
        state.status = 'validating';
        break;
      case 'job.queued':
      case 'job.retrying':
      case 'job.interrupted':
        state.status = 'queued';
        break;
      case 'job.started':
        state.status = 'running';
        state.started_at ??= event.created_at;
        break;
      case 'job.succeeded':
        state.result_model = typeof event.data?.model === 'string' ? event.data.model : null;
        break;
      case 'job.failed':
        state.error = event.data?.error ?? { code: 'failed', message: event.message, param: null };
        break;
    }
    if (isTerminalEventType(event.type)) {
      state.status = TERMINAL_EVENT_TYPES[event.type];
      state.finished_at = event.created_at;
      state.terminal_event = event.id;
    }
  }
  state.trials.total += started.size;
  return state;
}

/** The event types whose `data` the fold reads; for the others a listing of types suffices. */
export const EVENT_TYPES_WITH_STATE: ReadonlySet<string> = new Set<JobEventType>([
  'job.created',
  'job.succeeded',
  'job.failed',
  'job.backend',
  'study.best',
  'trial.started',
  'webhook.failed',
]);

/** The 1-based number of the next attempt: one more than the attempts already ended. */
export function nextAttempt(state: JobState): number {
  return 1 + state.retries + state.interruptions;
}
