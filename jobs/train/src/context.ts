import type { BackendName } from '@trainyard/ml';
import {
  type ErrorKind,
  type JobEventLog,
  type JobSpec,
  type Logger,
  type Storage,
  TrainyardError,
} from '@trainyard/shared';

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

/**
 * A failure the job reports as `job.failed` (not retried): bad data, a base that does not fit…
 * @param code stable, snake_case (`training_diverged`); `param` the job field to change.
 */
export class JobFailure extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(code: string, message: string, param: string | null = null) {
    super(message, param === null ? {} : { param });
    this.code = code;
  }
}
