import { TooManyRequestsError } from '@trainyard/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { ConcurrencyLimiter } from './concurrency';
import type { LatencyLanes } from './latency-lanes';

/** What one principal may do. */
export interface PrincipalLimits {
  /** Requests per window (`windowSeconds`). */
  readonly rateLimit: number;
  /** Requests in progress at once. */
  readonly maxConcurrent: number;
}

export interface AdmissionOptions {
  /** Seconds of the fixed window `rateLimit` counts in (`RATE_LIMIT_WINDOW_S`). */
  readonly windowSeconds: number;
  /** Every principal's limits, unless `limitsFor` says otherwise. */
  readonly limits: PrincipalLimits;
  /** The configuration variables of the limits, named in the 429's message. */
  readonly variables: { readonly rateLimit: string; readonly maxConcurrent: string };
  /**
   * The hook for limits per principal (per-project limits go here): given the authenticated
   * principal (`principalOf`), its limits. Default: `limits` for everyone.
   */
  readonly limitsFor?: (principal: string, c: Context) => PrincipalLimits;
}

export interface QueueAdmissionOptions {
  /** A request's lane (the inference function: its model), or undefined for none. */
  readonly laneOf: (c: Context) => string | undefined;
  /** The lanes; their work runs through `lanes.run` (the predict route's prediction). */
  readonly lanes: LatencyLanes;
}

/**
 * Who a request is, for its limits: the API key that authenticated it (`key:<id>`). Runs after
 * `apiKeyAuth`. The one place a principal is named, so limits keyed by project can key on it.
 */
export function principalOf(c: Context): string {
  return `key:${c.get('apiKey').id}`;
}

/**
 * Admission by queue depth per lane (`LatencyLanes`): 503 `overloaded` with `Retry-After` once the
 * lane's queue is past what it serves within `latencyBudgetMs`. It goes first, before the body is
 * read: a request is in the queue from when it arrives (waiting for its body, its key, the
 * model), and a refused one costs no more than its headers. `createOpenApiApp` installs it.
 */
export function queueAdmission({ laneOf, lanes }: QueueAdmissionOptions): MiddlewareHandler {
  return async function queueAdmission(c, next) {
    const lane = laneOf(c);
    if (lane === undefined) return next();
    const release = lanes.admit(lane);
    try {
      await next();
    } finally {
      release();
    }
  };
}

/**
 * Admission control per principal, after authentication, in this order:
 * 1. a rate limit per principal: `rateLimit` requests per fixed window of `windowSeconds`, counted
 *    by hono-rate-limiter, which answers every request with the IETF draft-6 headers
 *    `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds until the window
 *    resets) and `RateLimit-Policy` (`<limit>;w=<seconds>`); over it, 429 `rate_limited` with
 *    `Retry-After` = the seconds until the window resets;
 * 2. a concurrency limit per principal: over `maxConcurrent` requests in progress, 429
 *    `concurrency_limited` with `Retry-After: 1`;
 * (The inference function's admission by queue depth per model is `queueAdmission`.)
 * A request refused here runs nothing else. A streamed response counts as in progress until its
 * handler returns, not until its last byte.
 */
export function admission(options: AdmissionOptions): MiddlewareHandler {
  const { windowSeconds, variables } = options;
  const limitsFor = options.limitsFor ?? (() => options.limits);
  const concurrency = new ConcurrencyLimiter();
  const rate = rateLimiter({
    windowMs: windowSeconds * 1000,
    limit: (c) => limitsFor(principalOf(c), c).rateLimit,
    standardHeaders: 'draft-6',
    keyGenerator: principalOf,
    handler: (c) => {
      const info = c.get('rateLimit' as never) as { limit: number; resetTime?: Date } | undefined;
      const reset = info?.resetTime
        ? Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)
        : windowSeconds;
      throw new TooManyRequestsError(
        `This API key made more than ${info?.limit} requests in ${windowSeconds} s (${variables.rateLimit}, RATE_LIMIT_WINDOW_S); the window resets in ${reset} s`,
        reset,
      );
    },
  });
  return async function admission(c, next) {
    await rate(c, async () => {
      const principal = principalOf(c);
      const release = concurrency.acquire(
        principal,
        limitsFor(principal, c).maxConcurrent,
        variables.maxConcurrent,
      );
      try {
        await next();
      } finally {
        release();
      }
    });
  };
}
