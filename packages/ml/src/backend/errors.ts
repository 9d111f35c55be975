import { type ErrorKind, TrainyardError } from '@trainyard/shared';
import type { BackendAttempt } from './select-backend';

/** No backend that was allowed could start; `attempts` says why, one entry per backend tried. */
export class BackendUnavailableError extends TrainyardError {
  override readonly kind: ErrorKind = 'unavailable';
  override readonly code = 'backend_unavailable';
  constructor(
    message: string,
    readonly attempts: readonly BackendAttempt[] = [],
  ) {
    super(message);
  }
}
