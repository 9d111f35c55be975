import { type ErrorKind, TrainyardError } from '@trainyard/shared';

interface TuningErrorOptions {
  /** Stable, snake_case. */
  code?: string;
  /** The setting at fault (`tuning.max_trials`, `tuning.search_space.<path>.grid_points`). */
  param?: string;
  cause?: unknown;
}

/**
 * The root of `tuning`'s errors, as Optuna's `OptunaError`: a study, sampler or pruner set up
 * with values it cannot work with (kind `invalid`). No HTTP here: the API's error handler maps
 * the kind to a status, the trainer reports it as `job.failed`.
 */
export class TuningError extends TrainyardError {
  override readonly kind: ErrorKind = 'invalid';
  override readonly code: string;
  constructor(message: string, options: TuningErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? 'invalid_tuning';
  }
}

/**
 * A study asked to do what its state does not allow: tell a trial that is not running, replay a
 * log whose trials are out of order, suggest a grid point past the grid (kind `unprocessable`).
 */
export class TrialStateError extends TuningError {
  override readonly kind: ErrorKind = 'unprocessable';
}
