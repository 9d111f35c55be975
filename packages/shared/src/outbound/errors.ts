import { type ErrorKind, TrainyardError } from '../errors';

/** Why an outbound request did not happen or did not succeed, in two words and no more. */
export type OutboundErrorCode = 'outbound_refused' | 'outbound_failed';

const MESSAGES: Record<OutboundErrorCode, string> = {
  outbound_refused:
    'The URL is not reachable from this platform: its host is, or resolves to, an address user-given URLs may not reach (loopback, private, link-local or otherwise internal). An operator can allow it with OUTBOUND_ALLOW',
  outbound_failed:
    'The URL could not be fetched: no successful answer within the limits (time, size, redirects)',
};

/**
 * 422: a user-given URL was refused by the outbound guard, or fetching it failed. The message is
 * the same whatever happened at the target (status, socket error, timeout), so that the answer
 * tells nothing of what listens where.
 */
export class OutboundError extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code: OutboundErrorCode;
  constructor(code: OutboundErrorCode, options: { param?: string } = {}) {
    super(MESSAGES[code], options);
    this.code = code;
  }
}
