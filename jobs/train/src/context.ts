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
  /** Runtime bounds; none when absent (in-process tests). */
  readonly limits?: {
    /** When the job must have ended (ms since the epoch): its first start + its max runtime. */
    readonly jobDeadline?: number;
    readonly jobSeconds?: number;
    /** Seconds each trial may train, from when this attempt started it. */
    readonly trialSeconds?: number;
  };
}

/**
 * A failure the job reports as `job.failed` (not retried): bad data, a base that does not fit…
 * @param code stable, snake_case (`invalid_validation_dataset`); `param` the job field to change.
 */
export class JobFailure extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: string;
  constructor(code: string, message: string, param: string | null = null) {
    super(message, param === null ? {} : { param });
    this.code = code;
  }
}

/**
 * A job (`scope: 'job'`, failing it) or one trial (`'trial'`, failing only that trial) ran past
 * its maximum runtime (`max_runtime_seconds`, `tuning.max_trial_runtime_seconds`).
 */
export class RuntimeExceeded extends JobFailure {
  constructor(
    readonly scope: 'job' | 'trial',
    seconds: number,
  ) {
    super(
      'timeout',
      scope === 'job'
        ? `The job ran past its maximum runtime of ${seconds} s (max_runtime_seconds); raise it or train for fewer epochs`
        : `The trial ran past its maximum runtime of ${seconds} s (tuning.max_trial_runtime_seconds)`,
      scope === 'job' ? 'max_runtime_seconds' : 'tuning.max_trial_runtime_seconds',
    );
  }
}
