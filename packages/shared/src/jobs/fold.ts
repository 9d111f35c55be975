import type { JobError, JobEvent, JobStatus } from '../schemas/job-events';

/** What the event log says about a job. */
export interface JobState {
  status: JobStatus;
  started_at: number | null;
  finished_at: number | null;
  result_model: string | null;
  error: JobError | null;
  attempts: number;
  backend: string | null;
  cancel_requested: boolean;
  trials: { total: number; completed: number; best: number | null };
}

const TERMINAL = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);

/** Folds a job's events, in log order, into its state. The first terminal event wins. */
export function foldJobEvents(events: readonly JobEvent[]): JobState {
  const state: JobState = {
    status: 'validating',
    started_at: null,
    finished_at: null,
    result_model: null,
    error: null,
    attempts: 0,
    backend: null,
    cancel_requested: false,
    trials: { total: 0, completed: 0, best: null },
  };
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (
      event.type === 'trial.completed' ||
      event.type === 'trial.pruned' ||
      event.type === 'trial.failed'
    ) {
      state.trials.completed++;
    }
    if (event.type === 'trial.started')
      state.trials.total = Math.max(state.trials.total, Number(data.number ?? 0) + 1);
    if (event.type === 'study.best' && typeof data.number === 'number')
      state.trials.best = data.number;
    if (event.type === 'job.backend' && typeof data.backend === 'string')
      state.backend = data.backend;
    if (event.type === 'job.cancel_requested') state.cancel_requested = true;
    if (TERMINAL.has(state.status)) continue;
    switch (event.type) {
      case 'job.created':
        state.status = 'validating';
        break;
      case 'job.queued':
      case 'job.retrying':
        state.status = 'queued';
        break;
      case 'job.started':
        state.status = 'running';
        state.attempts++;
        state.started_at ??= event.created_at;
        break;
      case 'job.succeeded':
        state.status = 'succeeded';
        state.result_model = typeof data.model === 'string' ? data.model : null;
        state.finished_at = event.created_at;
        break;
      case 'job.failed':
        state.status = 'failed';
        state.error = (data.error as JobError | undefined) ?? {
          code: 'failed',
          message: event.message,
          param: null,
        };
        state.finished_at = event.created_at;
        break;
      case 'job.cancelled':
        state.status = 'cancelled';
        state.finished_at = event.created_at;
        break;
    }
  }
  return state;
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}
