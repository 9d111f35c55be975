/**
 * Closed-loop clients that honour `Retry-After`, for bench:overload: each holds one keep-alive
 * connection (an undici `Client`), sends a request, waits for its answer, and sends the next at
 * once after a 200, or after the `Retry-After` seconds of a 429/503 (RFC 9110 §10.2.3), as the
 * AWS SDK's and most HTTP clients' retry strategies do. Written here because autocannon, the
 * bench's other load generator, has no way to wait per response: its rate option is a quota per
 * connection per second, which sends each second's requests in one burst (bench/README-overload.md).
 */
import { Client } from 'undici';

/** One request, as the server must receive it. */
export interface ClientRequest {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

/** What the clients saw: latencies of the 200s (ms, from sending to the last body byte). */
export interface ClientsOutcome {
  admitted: number[];
  statuses: Map<number, number>;
  /** 429/503 answers without a `Retry-After` header. */
  missingRetryAfter: number;
  /** 503s refused by the process before reading the request (their message says so). */
  early: number;
  /** Socket errors (refused or reset connections). */
  errors: number;
  /** Requests unanswered after `timeoutMs`. */
  timeouts: number;
  /** Answers per second over the run. */
  rps: number;
}

const EARLY_REFUSAL = 'holds all the requests it can answer';

/**
 * Runs `connections` clients against `origin` for `seconds` (each stops sending then, and the run
 * ends when the last answer is in). `timeoutMs` (default 10,000) bounds each answer. Throws only
 * for a malformed origin; every network failure is counted in `errors`/`timeouts`.
 */
export async function runRetryingClients(
  origin: string,
  request: ClientRequest,
  connections: number,
  seconds: number,
  timeoutMs = 10_000,
): Promise<ClientsOutcome> {
  const outcome: ClientsOutcome = {
    admitted: [],
    statuses: new Map(),
    missingRetryAfter: 0,
    early: 0,
    errors: 0,
    timeouts: 0,
    rps: 0,
  };
  const start = performance.now();
  const end = start + seconds * 1000;
  let answers = 0;
  const loop = async () => {
    const client = new Client(origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    try {
      while (performance.now() < end) {
        const sent = performance.now();
        let retryAfterS = 0;
        try {
          const res = await client.request({
            method: 'POST',
            path: request.path,
            headers: request.headers,
            body: request.body,
          });
          const text = await res.body.text();
          const ms = performance.now() - sent;
          answers++;
          outcome.statuses.set(res.statusCode, (outcome.statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode === 200) outcome.admitted.push(ms);
          if (res.statusCode === 429 || res.statusCode === 503) {
            const header = res.headers['retry-after'];
            const value = Number(Array.isArray(header) ? header[0] : header);
            if (header === undefined || !Number.isFinite(value)) outcome.missingRetryAfter++;
            else retryAfterS = value;
            if (text.includes(EARLY_REFUSAL)) outcome.early++;
          }
        } catch (error) {
          const code = (error as { code?: string }).code ?? '';
          if (code.includes('TIMEOUT')) outcome.timeouts++;
          else outcome.errors++;
          retryAfterS = 1;
        }
        if (retryAfterS > 0) {
          const wait = Math.min(retryAfterS * 1000, end - performance.now());
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
    } finally {
      await client.close();
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  outcome.rps = answers / ((performance.now() - start) / 1000);
  return outcome;
}
