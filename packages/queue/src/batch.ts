import {
  type BatchClient,
  DescribeJobsCommand,
  type JobDetail,
  type RetryStrategy,
  SubmitJobCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import {
  DependencyError,
  isTerminal,
  type JobEventLog,
  type JobSpec,
  type JobStore,
  jobCancelled,
  jobFailed,
  type Logger,
  type NewJobEvent,
} from '@trainyard/shared';
import type { JobQueue } from './job-queue';
import type { WebhookNotifier } from './webhooks';

export interface BatchQueueOptions {
  readonly client: BatchClient;
  readonly store: JobStore;
  readonly log: JobEventLog;
  readonly logger: Logger;
  /** ARN or name of the job queue and job definition (`BATCH_JOB_QUEUE`, `BATCH_JOB_DEFINITION`). */
  readonly jobQueue: string;
  readonly jobDefinition: string;
  /** Attempts in all, spot reclaims included. Default 5, as the job definition of infra/. */
  readonly attempts?: number;
  /** A job is described at most this often per process. Default 15 s. */
  readonly reconcileEverySeconds?: number;
  /** A submitted job that DescribeJobs does not know yet is lost only after this. Default 10 min. */
  readonly lostAfterSeconds?: number;
  readonly webhooks?: WebhookNotifier;
  readonly now?: () => number;
}

/**
 * Spot reclaims are retried: the trainer resumes from its checkpoint. Anything else is a bug or
 * a bad spec that a retry would only repeat at GPU prices, so the first matching rule exits.
 * Batch's reason for a reclaimed instance starts with "Host EC2".
 */
export function retryStrategy(attempts: number): RetryStrategy {
  return {
    attempts,
    evaluateOnExit: [
      { onStatusReason: 'Host EC2*', action: 'RETRY' },
      { onReason: '*', action: 'EXIT' },
    ],
  };
}

/** Parallel trials run as the children of one array job; Batch's arrays have 2 to 10,000. */
export function arraySize(spec: JobSpec): number | undefined {
  if (!spec.tuning) return undefined;
  const size = Math.min(spec.tuning.max_parallel_trials, spec.tuning.max_trials);
  return size >= 2 ? size : undefined;
}

/**
 * The `batch` queue: one AWS Batch job per fine-tuning job (an array job when trials run in
 * parallel), `JOB_ID` in its container environment, the Batch job id recorded in
 * `job.submitted`. The trainer writes its own events from the container; `reconcile` compares
 * the log with DescribeJobs and ends jobs that Batch ended without a final event.
 */
export class BatchQueue implements JobQueue {
  readonly kind = 'batch';
  private readonly described = new Map<string, number>();

  constructor(private readonly options: BatchQueueOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async submit(spec: JobSpec): Promise<void> {
    const { client, log, jobQueue, jobDefinition } = this.options;
    const size = arraySize(spec);
    let out: { jobId?: string; jobArn?: string };
    try {
      out = await client.send(
        new SubmitJobCommand({
          jobName: `trainyard-${spec.id}`,
          jobQueue,
          jobDefinition,
          containerOverrides: { environment: [{ name: 'JOB_ID', value: spec.id }] },
          ...(size ? { arrayProperties: { size } } : {}),
          retryStrategy: retryStrategy(this.options.attempts ?? 5),
          propagateTags: true,
          tags: { 'trainyard:job': spec.id },
        }),
      );
    } catch (error) {
      throw new DependencyError(`AWS Batch did not take the job: ${(error as Error).message}`, {
        code: 'queue_unavailable',
        cause: error,
      });
    }
    await log.append(spec.id, {
      type: 'job.submitted',
      message: `Submitted to AWS Batch as ${out.jobId}${size ? ` (array of ${size})` : ''}`,
      data: {
        queue: 'batch',
        batch_job_id: out.jobId ?? null,
        batch_job_arn: out.jobArn ?? null,
        array_size: size ?? null,
      },
    });
  }

  async cancel(jobId: string): Promise<void> {
    const { client, store, log } = this.options;
    if (isTerminal((await store.state(jobId)).status)) return;
    const submitted = await this.submitted(jobId);
    if (submitted) {
      // On an array job this stops every child; the trainer gets SIGTERM and publishes nothing.
      await client.send(
        new TerminateJobCommand({
          jobId: submitted.batchJobId,
          reason: 'Cancelled through the Trainyard API',
        }),
      );
    }
    await log.append(
      jobId,
      jobCancelled(
        submitted
          ? `Cancelled; AWS Batch job ${submitted.batchJobId} terminated, no model is published`
          : 'Cancelled before it was submitted',
      ),
    );
    void this.options.webhooks?.notify(jobId);
  }

  async reconcile(jobIds: readonly string[]): Promise<readonly string[]> {
    const { store, client } = this.options;
    const every = (this.options.reconcileEverySeconds ?? 15) * 1000;
    const due = jobIds.filter((id) => this.now() - (this.described.get(id) ?? 0) >= every);
    const open: Array<{ id: string; batchJobId: string; submittedAt: number }> = [];
    const changed: string[] = [];
    for (const id of due) {
      this.described.set(id, this.now());
      const state = await store.state(id);
      if (isTerminal(state.status)) {
        // The trainer ended it in the container; the webhook is sent from here.
        if (state.webhook.requested && !state.webhook.done) void this.options.webhooks?.notify(id);
        continue;
      }
      const submitted = await this.submitted(id);
      if (submitted) open.push({ id, ...submitted });
    }
    for (let i = 0; i < open.length; i += 100) {
      const chunk = open.slice(i, i + 100);
      const out = await client.send(
        new DescribeJobsCommand({ jobs: chunk.map((j) => j.batchJobId) }),
      );
      const byId = new Map((out.jobs ?? []).map((d) => [d.jobId, d]));
      for (const job of chunk) {
        if (await this.settle(job, byId.get(job.batchJobId))) changed.push(job.id);
      }
    }
    return changed;
  }

  async close(): Promise<void> {
    await this.options.webhooks?.close();
  }

  /** What a job's Batch status means for its log, when the log has no final event. */
  private async settle(
    job: { id: string; batchJobId: string; submittedAt: number },
    detail: JobDetail | undefined,
  ): Promise<boolean> {
    const { store, log, logger } = this.options;
    const lostAfter = (this.options.lostAfterSeconds ?? 600) * 1000;
    let ending: NewJobEvent | null = null;
    if (!detail) {
      // DescribeJobs is eventually consistent just after SubmitJob, and forgets jobs after days.
      if (this.now() - job.submittedAt * 1000 < lostAfter) return false;
      ending = jobFailed({
        code: 'backend_lost',
        message: `AWS Batch no longer knows job ${job.batchJobId}, and the job wrote no final event`,
      });
    } else if (detail.status === 'SUCCEEDED') {
      ending = jobFailed({
        code: 'no_final_event',
        message: `AWS Batch job ${job.batchJobId} succeeded, but the trainer wrote neither job.succeeded nor job.failed`,
      });
    } else if (detail.status === 'FAILED') {
      const exitCode = detail.container?.exitCode ?? detail.attempts?.at(-1)?.container?.exitCode;
      const reason = [
        detail.statusReason,
        exitCode === undefined ? null : `exit code ${exitCode}`,
      ].filter(Boolean);
      ending = jobFailed({
        code: (detail.statusReason ?? '').startsWith('Host EC2') ? 'spot_reclaimed' : 'crashed',
        message: `AWS Batch job ${job.batchJobId} failed (${reason.join('; ') || 'no reason given'}) after ${detail.attempts?.length ?? 1} attempt(s), without a final event`,
      });
    }
    if (!ending) return false; // SUBMITTED … RUNNING: the trainer speaks for itself.
    // Read again: the trainer may have written its final event while Batch was asked.
    const state = await store.state(job.id);
    if (isTerminal(state.status)) return false;
    if (state.cancel_requested) ending = jobCancelled('Cancelled');
    logger.warn({ job: job.id, batch: job.batchJobId, status: detail?.status }, ending.message);
    await log.append(job.id, ending);
    void this.options.webhooks?.notify(job.id);
    return true;
  }

  private async submitted(
    jobId: string,
  ): Promise<{ batchJobId: string; submittedAt: number } | undefined> {
    const { log } = this.options;
    const refs = (await log.refs(jobId)).filter((r) => r.type === 'job.submitted');
    for (const event of await log.read(refs)) {
      if (event.type !== 'job.submitted') continue;
      const id = event.data.batch_job_id;
      if (typeof id === 'string') return { batchJobId: id, submittedAt: event.created_at };
    }
    return undefined;
  }
}
