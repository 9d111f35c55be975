import { ConnectionError } from './errors';

/** How requests are retried. */
export interface RetryOptions {
  /** Retries after the first try, on 429, 5xx and network errors. Default 2. */
  readonly maxRetries?: number;
  /** First backoff, doubled each retry, with jitter (× 0.5-1). Default 500 ms. */
  readonly initialDelayMs?: number;
  /** The longest wait between tries, `Retry-After` included. Default 30 000 ms. */
  readonly maxDelayMs?: number;
}

/** `fetch` with retries. `fetch` defaults to the global one. */
export interface TransportOptions extends RetryOptions {
  readonly fetch?: typeof fetch;
}

const RETRYABLE = (status: number) => status === 429 || status === 408 || status >= 500;

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends requests with bounded retries: a 429, 408 or 5xx answer, or a network error, is tried
 * again after an exponential backoff with jitter, or after `Retry-After` when the server sent
 * one (capped at `maxDelayMs`). The last answer is returned whatever its status; a network error
 * on the last try throws `ConnectionError`. An aborted signal is thrown as is, never retried.
 */
export class Transport {
  readonly maxRetries: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(options: TransportOptions = {}) {
    this.maxRetries = options.maxRetries ?? 2;
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The wait before retry number `attempt` (0-based). */
  delayMs(attempt: number, response?: Response): number {
    const asked = retryAfterMs(response?.headers.get('retry-after') ?? null);
    if (asked !== undefined) return Math.min(asked, this.maxDelayMs);
    const base = Math.min(this.initialDelayMs * 2 ** attempt, this.maxDelayMs);
    return base * (0.5 + Math.random() / 2);
  }

  /**
   * Sends `request` (a fresh clone each try, so the original is never consumed).
   * `maxRetries` overrides the transport's for this call.
   */
  async send(
    request: Request,
    options: { maxRetries?: number; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const retries = options.maxRetries ?? this.maxRetries;
    const signal = options.signal ?? request.signal;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await this.fetchFn(request.clone(), signal ? { signal } : undefined);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (attempt >= retries) {
          throw new ConnectionError(
            `Could not reach ${new URL(request.url).origin}: ${describe(error)}`,
            { code: 'connection_error', cause: error },
          );
        }
      }
      if (response && (!RETRYABLE(response.status) || attempt >= retries)) return response;
      // Free the connection before waiting.
      await response?.body?.cancel().catch(() => {});
      await sleep(this.delayMs(attempt, response), signal);
    }
  }
}

function describe(error: unknown): string {
  type Cause = { code?: string; message?: string; errors?: Cause[] };
  let cause = (error as { cause?: Cause })?.cause;
  if (!cause?.code && cause?.errors?.[0]) cause = cause.errors[0]; // AggregateError (IPv4 and IPv6)
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
