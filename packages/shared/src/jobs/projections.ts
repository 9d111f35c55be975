import type { z } from 'zod';
import { type EpochMetrics, epochMetricsSchema, type JobEvent } from '../schemas/job-events';
import type { checkpointSchema, trialSchema } from '../schemas/job-resources';

type Checkpoint = z.infer<typeof checkpointSchema>;
type Trial = z.infer<typeof trialSchema>;
type Data = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Per-epoch (and per-trial) metrics, from the `epoch.completed` events, in order. */
export function metricsFromEvents(
  events: readonly JobEvent[],
): Array<EpochMetrics & { created_at: number }> {
  const out: Array<EpochMetrics & { created_at: number }> = [];
  for (const e of events) {
    if (e.type !== 'epoch.completed') continue;
    const parsed = epochMetricsSchema.safeParse(e.data);
    // A malformed event is the trainer's bug; show the rest rather than fail the route.
    if (parsed.success) out.push({ ...parsed.data, created_at: e.created_at });
  }
  return out;
}

/** Checkpoints, from the `checkpoint.saved` events (`{name, epoch, trial?, metrics}`). */
export function checkpointsFromEvents(events: readonly JobEvent[]): Checkpoint[] {
  return events
    .filter((e) => e.type === 'checkpoint.saved' && typeof e.data?.name === 'string')
    .map((e) => {
      const d = e.data as Data;
      return {
        name: d.name as string,
        epoch: num(d.epoch),
        trial: num(d.trial),
        metrics: d.metrics && typeof d.metrics === 'object' ? (d.metrics as Data) : null,
        created_at: e.created_at,
      };
    });
}

/**
 * Trials, from `trial.started {number, params}`, `trial.reported {number, step, value}`,
 * `trial.completed {number, value}`, `trial.pruned {number}`, `trial.failed {number, error}` and
 * the per-trial `epoch.completed` events; `best` from the last `study.best {number}`.
 */
export function trialsFromEvents(events: readonly JobEvent[]): {
  data: Trial[];
  best: number | null;
} {
  const trials = new Map<number, Trial & { steps: Set<number> }>();
  let best: number | null = null;
  for (const e of events) {
    const d = (e.data ?? {}) as Data;
    const n = num(d.number) ?? num(d.trial);
    if (e.type === 'study.best' && n !== null) best = n;
    if (n === null) continue;
    if (e.type === 'trial.started' && !trials.has(n)) {
      trials.set(n, {
        number: n,
        status: 'running',
        params: d.params && typeof d.params === 'object' ? (d.params as Data) : {},
        objective: null,
        epochs: 0,
        pruned: false,
        error: null,
        started_at: e.created_at,
        finished_at: null,
        steps: new Set(),
      });
      continue;
    }
    const trial = trials.get(n);
    if (!trial) continue;
    if (e.type === 'trial.reported' && num(d.step) !== null) trial.steps.add(d.step as number);
    if (e.type === 'epoch.completed' && num(d.epoch) !== null) trial.steps.add(d.epoch as number);
    if (e.type === 'trial.completed') {
      trial.status = 'completed';
      trial.objective = num(d.value) ?? num(d.objective);
      trial.finished_at = e.created_at;
    }
    if (e.type === 'trial.pruned') {
      trial.status = 'pruned';
      trial.pruned = true;
      trial.finished_at = e.created_at;
    }
    if (e.type === 'trial.failed') {
      trial.status = 'failed';
      trial.error = typeof d.error === 'string' ? d.error : 'failed';
      trial.finished_at = e.created_at;
    }
  }
  const data = [...trials.values()]
    .sort((a, b) => a.number - b.number)
    .map(({ steps, ...t }) => ({ ...t, epochs: steps.size }));
  return { data, best };
}
