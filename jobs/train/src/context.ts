import type { BackendName } from '@trainyard/ml';
import type { JobEventLog, JobSpec, Logger, Storage } from '@trainyard/shared';

/** What every part of a training run shares. */
export interface JobContext {
  readonly spec: JobSpec;
  readonly storage: Storage;
  readonly events: JobEventLog;
  readonly logger: Logger;
  readonly backend: BackendName;
  readonly attempt: number;
  /** True once a SIGTERM (cancel, spot reclaim) asked this process to stop. */
  readonly stopping: () => boolean;
}

/** A failure the job reports as `job.failed` (not retried): bad data, a base that does not fit… */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}
