import {
  isTerminal,
  type JobEventLog,
  type JobSpec,
  type JobStore,
  jobCancelled,
} from '@trainyard/shared';
import type { JobQueue } from './job-queue';

/**
 * The `local` queue seen from a process that has no runner (the API started on its own): a
 * submitted job waits as `queued` in S3 until a `LocalRunner` starts and picks it up. A job not
 * yet running is cancelled here at once; a running one is stopped by its runner, which watches
 * the log for `job.cancel_requested`.
 */
export class StoredQueue implements JobQueue {
  readonly kind = 'local';

  constructor(
    private readonly store: JobStore,
    private readonly log: JobEventLog,
  ) {}

  async submit(spec: JobSpec): Promise<void> {
    await this.log.append(spec.id, {
      type: 'job.submitted',
      message: 'Waiting for a local runner',
      data: { queue: 'local' },
    });
  }

  async cancel(jobId: string): Promise<void> {
    const { status } = await this.store.state(jobId);
    if (isTerminal(status) || status === 'running') return;
    await this.log.append(
      jobId,
      jobCancelled('Cancelled before it started; no model is published'),
    );
  }

  async reconcile(): Promise<readonly string[]> {
    return [];
  }

  async close(): Promise<void> {}
}
