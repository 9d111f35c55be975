import { OverloadedError } from '@trainyard/shared';
import type { LoopDelay } from './loop-delay';

/** Completions a lane's service time is estimated from (the median of the last ones). */
const SAMPLES = 32;
/** Below this many completions a lane admits everything (a cold model's first load is slow). */
const MIN_SAMPLES = 8;

/** A piece of a lane's work: alone (`fn`), or one item of a batch (`batch`). */
interface Piece {
  /** When it was queued (ms, performance clock). */
  readonly enqueued: number;
  readonly fn?: () => unknown;
  readonly batch?: BatchSpec<unknown, unknown> & { readonly item: unknown };
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How the items queued in one lane under the same `key` run together. */
export interface BatchSpec<I, O> {
  /** Items with the same key (and only those) may share one call of `run`. */
  readonly key: unknown;
  /** Most items one call takes (at least 1). */
  readonly max: number;
  /** Answers for `items`, one per item and in order (an error rejects each item's caller). */
  readonly run: (items: I[]) => Promise<O[]> | O[];
}

interface Lane {
  /** Requests admitted and not yet answered: waiting for their body, in the queue, or running. */
  admitted: number;
  /** Work waiting its turn, first come first served. */
  readonly queue: Piece[];
  running: boolean;
  /** A drain is scheduled for the end of this turn of the event loop. */
  scheduled: boolean;
  /** When the lane's last piece of work ended (ms, performance clock). */
  lastDone: number;
  /** Recent service times (ms), a ring. */
  readonly samples: number[];
  completions: number;
  /** The median of `samples`, updated at each completion (read at every arrival). */
  serviceMs: number;
}

/**
 * Runs `fn` once the event loop has read what is readable now: `setImmediate` on Node, a zero
 * timer where a runtime has none (workerd without Node compatibility, browsers).
 */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

/**
 * A refusal: an error without a stack trace. It is control flow, answered as a 503, and under
 * overload thousands a second are made; capturing each one's stack cost a tenth of a refusal.
 */
function refusal(message: string, retryAfterSeconds: number): OverloadedError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new OverloadedError(message, retryAfterSeconds);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export interface LatencyLanesOptions {
  /**
   * The event loop's delay (`processLoopDelay`): a request that arrives now waits about that long
   * before anything reads it, so while it is a whole budget, each lane admits one request at a
   * time. Default: none (the loop is not watched).
   */
  readonly loopDelay?: LoopDelay;
}

export interface LaneStats {
  readonly admitted: number;
  /** Estimated milliseconds per request, or undefined before 8 completions. */
  readonly serviceMs: number | undefined;
  /** Requests the lane admits at once within the budget (1 while the loop runs a budget behind). */
  readonly depth: number | undefined;
}

/**
 * Queues per lane (the inference function's lane is a model) and admission by their depth.
 *
 * `run` executes a lane's work one piece at a time, first come first served, and yields to the
 * event loop between pieces: requests that arrive meanwhile are read and wait in this queue, where
 * they are counted, rather than unseen in the sockets. `admit` (at a request's arrival) admits it
 * while the lane holds fewer than `budgetMs / serviceMs` requests (at least one), so an admitted
 * request expects to wait and run within `budgetMs`; past it, `OverloadedError` (503) with
 * `Retry-After` = the time the requests ahead should take. While the event loop runs a whole
 * budget behind (`options.loopDelay`: refusals, responses, anything no lane sees keep it busy, and
 * every request waits that long before it is read), a lane admits one request at a time.
 *
 * The service time is measured, not configured: each completion contributes the time since the
 * previous one when the work was queued behind it (1 / throughput, the HTTP work between included)
 * and its own time otherwise. The estimate is the median of the last 32, so one slow request (a
 * model's first load from S3) does not close the lane.
 */
export class LatencyLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly budgetMs: number,
    private readonly variable: string,
    private readonly options: LatencyLanesOptions = {},
  ) {}

  /**
   * Counts a request into `lane`, or refuses it; call the returned function when it is answered.
   * @throws OverloadedError when the lane already holds what it serves within the budget.
   */
  admit(lane: string): () => void {
    const l = this.lane(lane);
    const { serviceMs, depth, delayMs } = this.statsOf(l);
    if (serviceMs !== undefined && depth !== undefined && l.admitted >= depth) {
      const ahead = Math.round(l.admitted * serviceMs);
      const behind =
        delayMs >= 1 ? ` and the event loop runs ${Math.round(delayMs)} ms behind` : '';
      throw refusal(
        `${l.admitted} requests for ${lane} are queued, about ${ahead} ms of work at ${serviceMs.toFixed(1)} ms each${behind}; this server admits what it can serve within ${this.budgetMs} ms (${this.variable}): retry after the Retry-After seconds`,
        (ahead + delayMs) / 1000,
      );
    }
    l.admitted++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      l.admitted--;
    };
  }

  /**
   * Runs `fn` in `lane`'s queue, after the work queued before it. Once the lane has measured its
   * pace, work whose turn comes more than `budgetMs` after it was queued is not run but refused
   * with `OverloadedError`: the depth estimate bounds the wait on average, this bounds it for every
   * request answered. (Counted from the queue, not the request's arrival: a slow upload or a
   * model's first load from S3 is not the queue's doing.)
   */
  run<T>(lane: string, fn: () => Promise<T> | T): Promise<T> {
    return this.enqueue<T>(lane, { fn });
  }

  /**
   * Like `run`, for one item of work that can share a call with others: when its turn comes, the
   * items queued in the lane under the same `spec.key` (up to `spec.max`, first come first served)
   * run in one call of `spec.run`, and each caller gets its own answer. Items gather only while
   * the lane is busy, or arrive in the same turn of the event loop (an item that finds the lane
   * idle runs at the end of the turn, with those; with `max` 1, at once). Each item's wait is
   * checked against the budget as `run` does, and a batch of n that took t ms counts as n
   * completions of t / n ms in the lane's pace.
   */
  batch<I, O>(lane: string, item: I, spec: BatchSpec<I, O>): Promise<O> {
    return this.enqueue<O>(lane, {
      batch: { ...(spec as unknown as BatchSpec<unknown, unknown>), item },
    });
  }

  private enqueue<T>(lane: string, work: Pick<Piece, 'fn' | 'batch'>): Promise<T> {
    const l = this.lane(lane);
    return new Promise<T>((resolve, reject) => {
      l.queue.push({
        ...work,
        enqueued: performance.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (l.running || l.queue.length !== 1) return;
      // A batch item that finds the lane idle waits for the rest of this turn of the event loop:
      // the requests read in the same turn join it. (Predictions run synchronously, and a request
      // whose body came with its head is answered within the callback that read it: without the
      // wait nothing could ever queue behind one, nor be in progress beside it.)
      if (work.batch && work.batch.max > 1) {
        if (!l.scheduled) {
          l.scheduled = true;
          nextTurn(() => {
            l.scheduled = false;
            this.drain(l, lane);
          });
        }
      } else this.drain(l, lane);
    });
  }

  /** Takes the next piece, and with a batch piece the queued pieces of its key; runs them. */
  private drain(l: Lane, lane: string): void {
    if (l.running || l.scheduled) return;
    const first = l.queue.shift();
    if (!first) return;
    const pieces = [first];
    if (first.batch) {
      const { key, max } = first.batch;
      for (let i = 0; i < l.queue.length && pieces.length < max; ) {
        if (l.queue[i]!.batch?.key === key) pieces.push(l.queue.splice(i, 1)[0]!);
        else i++;
      }
    }
    l.running = true;
    void this.runPieces(l, lane, pieces);
  }

  private async runPieces(l: Lane, lane: string, pieces: Piece[]): Promise<void> {
    // Pieces whose turn came past the budget are refused, not run.
    const { serviceMs } = this.statsOf(l);
    const started = performance.now();
    const runnable: Piece[] = [];
    for (const piece of pieces) {
      const waited = started - piece.enqueued;
      if (serviceMs !== undefined && waited > this.budgetMs) {
        const ahead = (l.queue.length + 1) * serviceMs;
        piece.reject(
          refusal(
            `This request for ${lane} waited ${Math.round(waited)} ms for its turn; this server answers what it can serve within ${this.budgetMs} ms (${this.variable}): retry after the Retry-After seconds`,
            ahead / 1000,
          ),
        );
      } else runnable.push(piece);
    }
    try {
      if (runnable.length === 1 && runnable[0]!.fn) {
        runnable[0]!.resolve(await runnable[0]!.fn());
      } else if (runnable.length > 0) {
        const spec = runnable[0]!.batch!;
        const answers = await spec.run(runnable.map((p) => p.batch!.item));
        for (const [i, piece] of runnable.entries()) piece.resolve(answers[i]);
      }
    } catch (error) {
      for (const piece of runnable) piece.reject(error);
    } finally {
      // A refused piece took no service time: it says nothing of the lane's pace.
      if (runnable.length > 0) {
        const done = performance.now();
        const since = Math.min(...runnable.map((p) => p.enqueued));
        const each = (done - Math.max(since, l.lastDone)) / runnable.length;
        for (let i = 0; i < runnable.length; i++) {
          l.samples[l.completions % SAMPLES] = each;
          l.completions++;
        }
        l.lastDone = done;
        const sorted = [...l.samples].sort((a, b) => a - b);
        l.serviceMs = Math.max(0.01, sorted[Math.floor(sorted.length / 2)]!);
      }
      l.running = false;
      // The next piece after the event loop has read what arrived meanwhile.
      if (l.queue.length > 0) nextTurn(() => this.drain(l, lane));
    }
  }

  stats(lane: string): LaneStats {
    const l = this.lanes.get(lane);
    if (!l) return { admitted: 0, serviceMs: undefined, depth: undefined };
    const { serviceMs, depth } = this.statsOf(l);
    return { admitted: l.admitted, serviceMs, depth };
  }

  private statsOf(l: Lane): {
    serviceMs: number | undefined;
    depth: number | undefined;
    delayMs: number;
  } {
    if (l.completions < MIN_SAMPLES) return { serviceMs: undefined, depth: undefined, delayMs: 0 };
    const { serviceMs } = l;
    const delayMs = this.options.loopDelay?.current() ?? 0;
    // The larger of the two waits, not their sum: the lane's own predictions and the HTTP work
    // between them also delay the loop, and are already counted in its service time.
    const depth = delayMs >= this.budgetMs ? 1 : Math.max(1, Math.floor(this.budgetMs / serviceMs));
    return { serviceMs, depth, delayMs };
  }

  private lane(name: string): Lane {
    let l = this.lanes.get(name);
    if (!l) {
      l = {
        admitted: 0,
        queue: [],
        running: false,
        scheduled: false,
        lastDone: 0,
        samples: [],
        completions: 0,
        serviceMs: 0,
      };
      this.lanes.set(name, l);
      // Lanes are models, but a flood of made-up ids must not grow this without bound.
      if (this.lanes.size > 10_000) {
        for (const [key, old] of this.lanes) {
          if (old.admitted === 0 && !old.running && !old.scheduled && old.queue.length === 0) {
            this.lanes.delete(key);
            break;
          }
        }
      }
    }
    return l;
  }
}
