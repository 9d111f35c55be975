import type { JobSpec } from '@trainyard/shared';

/**
 * Where fine-tuning jobs run. The API writes a job's spec and its `job.created`/`job.queued`
 * events, then hands it over with `submit`; from then on the job's state lives in its event log
 * in S3, never in a queue's memory. Implementations: `LocalRunner` (child processes on this
 * machine) and `BatchQueue` (AWS Batch).
 */
export interface JobQueue {
  /** Which implementation: shown in the `job.submitted` event. */
  readonly kind: 'local' | 'batch';

  /** Starts the job (or queues it behind others). The spec is already stored. */
  submit(spec: JobSpec): Promise<void>;

  /**
   * Stops the job. The API has written `job.cancel_requested`; the queue stops whatever runs the
   * job and writes `job.cancelled` (at once for a job not running yet). A finished job is left
   * as it is.
   */
  cancel(jobId: string): Promise<void>;

  /**
   * Brings the logs of these jobs in line with what runs them: a job whose process or Batch job
   * ended without writing a final event is marked failed, and a due webhook of an ended job is
   * sent. Cheap to call often: a queue that knows by itself (the local runner) does nothing.
   * Resolves to the ids whose log changed.
   */
  reconcile(jobIds: readonly string[]): Promise<readonly string[]>;

  /** Lets go of processes and timers; running jobs resume on the next start. */
  close(): Promise<void>;
}
