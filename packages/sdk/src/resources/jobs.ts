import { type Core, unwrap } from '../core';
import { type FollowEnd, type FollowOptions, followJobEvents } from '../events';
import { PageIterator } from '../pagination';
import type {
  CreatedFineTuningJob,
  CreateFineTuningJob,
  FineTuningJob,
  FineTuningJobCheckpoints,
  FineTuningJobMetrics,
  FineTuningJobPlan,
  FineTuningJobTrials,
  JobEvent,
  ListPage,
  ListParams,
} from '../types';

/** `jobs.wait`: follow options, and a callback per event. */
export interface WaitForJobOptions extends FollowOptions {
  readonly onEvent?: (event: JobEvent) => void;
}

/** `/v1/fine-tuning/jobs`: create, list, show, cancel, and what a job reports. */
export class Jobs {
  constructor(private readonly core: Core) {}

  /**
   * Creates and queues a fine-tuning job; every field but `dataset` has a default. With
   * `webhook`, the answer holds its `secret` (this once). Throws `BadRequestError` (bad spec,
   * `param` names the field), `NotFoundError` (dataset, base model), `ConflictError` or
   * `UnprocessableEntityError` (a dataset not `ready`, a base model that does not fit).
   */
  create(
    body: CreateFineTuningJob,
    options: { idempotencyKey?: string } = {},
  ): Promise<CreatedFineTuningJob> {
    return unwrap<unknown, CreatedFineTuningJob>(
      this.core.api.POST('/v1/fine-tuning/jobs', {
        body,
        ...(options.idempotencyKey
          ? { headers: { 'Idempotency-Key': options.idempotencyKey } }
          : {}),
      }),
    );
  }

  /**
   * What `create(body)` would run, without creating anything: the spec with every default, and an
   * estimate (parameters, memory, steps, seconds on the local backend). Checked as `create`
   * checks, so it throws the same errors for the same body.
   */
  plan(body: CreateFineTuningJob): Promise<FineTuningJobPlan> {
    return unwrap<unknown, FineTuningJobPlan>(
      this.core.api.POST('/v1/fine-tuning/jobs/plan', { body }),
    );
  }

  /** One job: status, the values it runs with, `result_model` once succeeded. */
  get(id: string): Promise<FineTuningJob> {
    return unwrap<unknown, FineTuningJob>(
      this.core.api.GET('/v1/fine-tuning/jobs/{id}', { params: { path: { id } } }),
    );
  }

  /** Jobs, oldest first: `await` for a page, `for await` for every one. */
  list(params: ListParams = {}): PageIterator<FineTuningJob> {
    return new PageIterator(
      (query) =>
        unwrap<unknown, ListPage<FineTuningJob>>(
          this.core.api.GET('/v1/fine-tuning/jobs', { params: { query } }),
        ),
      params,
    );
  }

  /**
   * Cancels a queued or running job (the answer may still be `running` with
   * `cancel_requested` while the trainer stops). Throws `ConflictError` for a job that ended.
   */
  cancel(id: string): Promise<FineTuningJob> {
    return unwrap<unknown, FineTuningJob>(
      this.core.api.POST('/v1/fine-tuning/jobs/{id}/cancel', { params: { path: { id } } }),
    );
  }

  /** The job's event log so far, oldest first (pages of up to `limit`, default 100). */
  events(id: string, params: ListParams = {}): PageIterator<JobEvent> {
    return new PageIterator(
      (query) =>
        unwrap<unknown, ListPage<JobEvent>>(
          this.core.api.GET('/v1/fine-tuning/jobs/{id}/events', {
            params: { path: { id }, query: { limit: 100, ...query } },
          }),
        ),
      params,
    );
  }

  /**
   * The job's events live, over Server-Sent Events, resuming with `Last-Event-ID` after a
   * dropped connection; ends when the job does (or `signal` aborts: the job goes on).
   * See `followJobEvents`.
   */
  follow(id: string, options: FollowOptions = {}): AsyncGenerator<JobEvent, FollowEnd | undefined> {
    return followJobEvents(this.core, id, options);
  }

  /**
   * Follows the job until it ends and resolves it (`succeeded`, `failed` with `error`, or
   * `cancelled`); it does not throw for a failed job. With an aborted `signal` it resolves the
   * job as it is then.
   */
  async wait(id: string, options: WaitForJobOptions = {}): Promise<FineTuningJob> {
    for await (const event of this.follow(id, options)) options.onEvent?.(event);
    return this.get(id);
  }

  /** Metrics per epoch (and per trial): loss, accuracy, val_loss, val_accuracy, rate, seconds. */
  metrics(id: string): Promise<FineTuningJobMetrics> {
    return unwrap(
      this.core.api.GET('/v1/fine-tuning/jobs/{id}/metrics', { params: { path: { id } } }),
    );
  }

  /** Each tuning trial: params, status, objective, epochs run, pruned or not. */
  trials(id: string): Promise<FineTuningJobTrials> {
    return unwrap(
      this.core.api.GET('/v1/fine-tuning/jobs/{id}/trials', { params: { path: { id } } }),
    );
  }

  /** Saved checkpoints with their metrics. */
  checkpoints(id: string): Promise<FineTuningJobCheckpoints> {
    return unwrap(
      this.core.api.GET('/v1/fine-tuning/jobs/{id}/checkpoints', { params: { path: { id } } }),
    );
  }
}
