/** How often the probe asks the event loop for a turn (ms). */
const PROBE_MS = 5;
/** Probes the recent delay is the mean of (20 × 5 ms: the last 100 ms). */
const WINDOW = 20;

/**
 * How far behind the event loop runs, in milliseconds: work that no lane counts (requests parsed
 * and refused, responses written, garbage collection) delays every request that arrives, before
 * any middleware sees it. A timer asks for a turn every 5 ms; the delay is the larger of how late
 * it is now (the loop busy since it was due) and its mean lateness over the last 100 ms. (The mean,
 * not the largest: on a shared machine the process is descheduled for tens of ms now and then,
 * and a lane that shrank on every such pause refused most of a load it could serve.)
 */
export interface LoopDelay {
  /** Milliseconds the loop runs behind now (0 when it keeps up). */
  current(): number;
}

let shared: LoopDelay | undefined;

/**
 * The process's loop-delay probe, started on first call (one timer for the process, unref'd: it
 * keeps nothing alive). Plain timers and `performance.now`, so any runtime that lets a timer run
 * outside a request can use it; the inference function starts it on Node (`prepareInferApp`).
 */
export function processLoopDelay(): LoopDelay {
  if (shared) return shared;
  const samples = new Float64Array(WINDOW);
  let next = 0;
  let due = performance.now() + PROBE_MS;
  const tick = () => {
    const now = performance.now();
    samples[next++ % WINDOW] = Math.max(0, now - due);
    due = now + PROBE_MS;
    const timer = setTimeout(tick, PROBE_MS);
    (timer as { unref?: () => void }).unref?.();
  };
  const timer = setTimeout(tick, PROBE_MS);
  (timer as { unref?: () => void }).unref?.();
  shared = {
    current() {
      let sum = 0;
      for (const s of samples) sum += s;
      return Math.max(performance.now() - due, sum / WINDOW, 0);
    },
  };
  return shared;
}
