import { TooManyRequestsError } from '@trainyard/shared';

/**
 * Requests in progress per principal, each under its own ceiling. Own code: the rate-limit
 * libraries for Hono (hono-rate-limiter, used for the rates) count requests per window, not at
 * once, and a counter per key is all this needs.
 */
export class ConcurrencyLimiter {
  private readonly running = new Map<string, number>();

  /**
   * Counts one more request of `principal`; call the returned function when it ends.
   * @throws TooManyRequestsError (429 `concurrency_limited`, retry after 1 s) when `principal`
   *   already has `limit` requests in progress.
   */
  acquire(principal: string, limit: number, variable: string): () => void {
    const now = this.running.get(principal) ?? 0;
    if (now >= limit) {
      throw new TooManyRequestsError(
        `This API key has ${now} requests in progress; at most ${limit} at once are accepted (${variable}): wait for one to end`,
        1,
        { code: 'concurrency_limited' },
      );
    }
    this.running.set(principal, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(principal) ?? 1) - 1;
      if (left > 0) this.running.set(principal, left);
      else this.running.delete(principal);
    };
  }
}
