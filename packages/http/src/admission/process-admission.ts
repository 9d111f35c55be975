import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoopDelay } from './loop-delay';

/** Completions the process's time per answer is estimated from (the mean of the last ones). */
const SAMPLES = 32;
/** Below this many completions the process admits everything (models load, kernels compile). */
const MIN_SAMPLES = 8;
/** A refused request that declares a body larger than this closes its connection (bytes). */
const KEEP_ALIVE_BODY_BYTES = 64 * 1024;

export interface ProcessAdmissionOptions {
  /**
   * Milliseconds an admitted request may expect to wait and run (`INFER_LATENCY_BUDGET_MS`): the
   * process holds at most `budgetMs / time per answer` requests at once (at least one).
   */
  readonly budgetMs: number;
  /** The variable that sets `budgetMs`, named in the refusal's message. */
  readonly budgetVariable: string;
  /**
   * A fixed ceiling on requests held at once (`INFER_MAX_IN_FLIGHT`), applied on top of the
   * measured one; 0 or undefined: only the measured one.
   */
  readonly maxInFlight?: number;
  /**
   * The event loop's delay (`processLoopDelay`): while it is a whole budget, the process holds
   * one request at a time. Default: not watched.
   */
  readonly loopDelay?: LoopDelay;
  /** The requests this admission counts (the rest pass untouched): by method and raw URL. */
  readonly applies: (method: string, url: string) => boolean;
}

/**
 * Admission for a whole Node process, before Hono, the key check or the body: in the `request`
 * event, as soon as the headers are parsed, a request that `applies` is refused with a prebuilt
 * 503 `overloaded` and `Retry-After` while the process already holds what it can answer within the
 * budget. It exists because under overload a request waits in the socket, the HTTP parser and the
 * event loop's queue before any middleware sees it; refusing there costs a few microseconds where
 * a refusal through the app (a `Request`, the key, the error handler) costs tens.
 *
 * The ceiling is `budgetMs / time per answer`: the time per answer is the mean of the last 32
 * admitted requests' times from arrival (or from the previous answer, when they waited behind it)
 * to the end of the response, which is 1 / the process's throughput while it is busy (the mean:
 * the answers of one batched prediction end together). The refusal
 * says nothing about any model or key (the same answer for every request that applies), so it may
 * come before authentication: it tells a stranger only that the process is busy.
 */
export class ProcessAdmission {
  private inFlight = 0;
  private readonly samples: number[] = [];
  private completions = 0;
  private lastDone = 0;
  private serviceMs = 0;
  private readonly body: string;

  constructor(private readonly options: ProcessAdmissionOptions) {
    this.body = JSON.stringify({
      error: {
        code: 'overloaded',
        message: `This server holds all the requests it can answer within ${options.budgetMs} ms (${options.budgetVariable}); retry after the Retry-After seconds`,
      },
    });
  }

  /** Requests held now, and the ceiling (Infinity before 8 answers, when none is fixed). */
  stats(): { inFlight: number; limit: number; serviceMs: number | undefined } {
    return {
      inFlight: this.inFlight,
      limit: this.limit(),
      serviceMs: this.completions >= MIN_SAMPLES ? this.serviceMs : undefined,
    };
  }

  /**
   * Wraps a Node request listener: a request that `applies` is counted from now until its
   * response closes, or refused here (the listener never sees it, its body is not read).
   */
  wrap(
    listener: (req: IncomingMessage, res: ServerResponse) => void,
  ): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.options.applies(req.method ?? '', req.url ?? '')) {
        if (this.inFlight >= this.limit()) {
          this.refuse(req, res);
          return;
        }
        this.admit(res);
      }
      listener(req, res);
    };
  }

  private limit(): number {
    const fixed = this.options.maxInFlight || Number.POSITIVE_INFINITY;
    if (this.completions < MIN_SAMPLES) return fixed;
    const delayMs = this.options.loopDelay?.current() ?? 0;
    const measured =
      delayMs >= this.options.budgetMs
        ? 1
        : Math.max(1, Math.floor(this.options.budgetMs / this.serviceMs));
    return Math.min(fixed, measured);
  }

  private admit(res: ServerResponse): void {
    this.inFlight++;
    const arrived = performance.now();
    res.once('close', () => {
      this.inFlight--;
      const done = performance.now();
      this.samples[this.completions % SAMPLES] = done - Math.max(arrived, this.lastDone);
      this.completions++;
      this.lastDone = done;
      // The mean, not the median: answers of a batch end microseconds apart, so most gaps are
      // near 0 and one holds the batch's time; their mean is the time per answer.
      let sum = 0;
      for (const sample of this.samples) sum += sample;
      this.serviceMs = Math.max(0.01, sum / this.samples.length);
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse): void {
    const ahead = this.completions >= MIN_SAMPLES ? this.inFlight * this.serviceMs : 0;
    const declared = Number(req.headers['content-length'] ?? 0);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(this.body),
      'retry-after': Math.max(1, Math.ceil(ahead / 1000)),
    };
    // A small unread body is discarded by Node and the connection kept; a large one is not
    // waited for.
    if (declared > KEEP_ALIVE_BODY_BYTES || req.headers['transfer-encoding'])
      headers.connection = 'close';
    res.writeHead(503, headers);
    res.end(this.body);
  }
}
