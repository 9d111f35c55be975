import type { z } from 'zod';
import type { EpochMetrics, JobEvent } from '../schemas/job-events';
import type { checkpointSchema, trialSchema } from '../schemas/job-resources';

type Checkpoint = z.infer<typeof checkpointSchema>;
type Trial = z.infer<typeof trialSchema>;

const PHASE_ORDER: Record<EpochMetrics['phase'], number> = { train: 0, fine_tune: 1 };

/**
 * Per-epoch (and per-trial) metrics, from the `epoch.completed` events, in order: one row per
 * epoch. An attempt that resumes from a checkpoint (after a crash or an interruption) reports
 * the epochs after it again: its row for epoch `k` supersedes the rows of the earlier attempt
 * for `k` and every later epoch (of the same trial; a `train` epoch also those of `fine_tune`),
 * which that attempt's model no longer has. The events themselves keep the whole history.
 */
export function metricsFromEvents(
  events: readonly JobEvent[],
): Array<EpochMetrics & { created_at: number }> {
  let out: Array<EpochMetrics & { created_at: number }> = [];
  const at = (m: EpochMetrics) => PHASE_ORDER[m.phase] * 1e9 + m.epoch;
  for (const e of events) {
    if (e.type !== 'epoch.completed') continue;
    const row = { ...e.data, created_at: e.created_at };
    const last = out.findLast((m) => m.trial === row.trial);
    if (last && at(last) >= at(row)) {
      out = out.filter((m) => m.trial !== row.trial || at(m) < at(row));
    }
    out.push(row);
  }
  return out;
}

/**
 * How many checkpoints of a trial (or of a job without tuning) the trainer keeps: the newest. Each
 * new one deletes the oldest past this count (OpenAI's fine-tuning API keeps the last three
 * epochs' checkpoints too).
 */
export const CHECKPOINTS_KEPT = 3;

/**
 * Checkpoints, from the `checkpoint.saved` events (`{name, epoch, trial?, metrics}`): the newest
 * `CHECKPOINTS_KEPT` of each trial, the ones still in the store.
 */
export function checkpointsFromEvents(events: readonly JobEvent[]): Checkpoint[] {
  const out: Checkpoint[] = [];
  for (const e of events) {
    if (e.type !== 'checkpoint.saved') continue;
    const { name, epoch, trial, metrics } = e.data;
    out.push({ name, epoch, trial, metrics, created_at: e.created_at });
  }
  // From the newest back: each trial's first CHECKPOINTS_KEPT.
  const seen = new Map<number | null, number>();
  return out
    .reverse()
    .filter((c) => {
      const n = seen.get(c.trial) ?? 0;
      seen.set(c.trial, n + 1);
      return n < CHECKPOINTS_KEPT;
    })
    .reverse();
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
  // A trial's epochs show twice: `epoch.completed` (epoch, 1-based) and `trial.reported` (step,
  // 0-based, as Optuna numbers them). Each is counted on its own; the trial ran the larger count.
  const trials = new Map<number, Trial & { epochsSeen: Set<number>; steps: Set<number> }>();
  let best: number | null = null;
  for (const e of events) {
    if (e.type === 'study.best') best = e.data.number;
    if (e.type === 'trial.started') {
      if (!trials.has(e.data.number)) {
        trials.set(e.data.number, {
          number: e.data.number,
          status: 'running',
          params: e.data.params,
          objective: null,
          epochs: 0,
          pruned: false,
          error: null,
          started_at: e.created_at,
          finished_at: null,
          epochsSeen: new Set(),
          steps: new Set(),
        });
      }
      continue;
    }
    if (e.type === 'epoch.completed') {
      if (e.data.trial !== null) trials.get(e.data.trial)?.epochsSeen.add(e.data.epoch);
      continue;
    }
    const ended = (number: number, status: Trial['status']) => {
      const trial = trials.get(number);
      if (trial) {
        trial.status = status;
        trial.finished_at = e.created_at;
      }
      return trial;
    };
    switch (e.type) {
      case 'trial.reported':
        trials.get(e.data.number)?.steps.add(e.data.step);
        break;
      case 'trial.completed': {
        const trial = ended(e.data.number, 'completed');
        if (trial) trial.objective = e.data.value;
        break;
      }
      case 'trial.pruned': {
        const trial = ended(e.data.number, 'pruned');
        if (trial) trial.pruned = true;
        break;
      }
      case 'trial.failed': {
        const trial = ended(e.data.number, 'failed');
        if (trial) trial.error = e.data.error;
        break;
      }
    }
  }
  const data = [...trials.values()]
    .sort((a, b) => a.number - b.number)
    .map(({ epochsSeen, steps, ...t }) => ({
      ...t,
      epochs: Math.max(epochsSeen.size, steps.size),
    }));
  return { data, best };
}
