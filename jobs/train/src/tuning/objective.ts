import {
  type EpochLogs,
  type MonitoredMetric,
  monitoredValue,
  type TrainCallback,
} from '@trainyard/ml';
import type { Direction, Study } from '@trainyard/tuning';

/**
 * A trial's objective: the best value of `metric` over its epochs (early stopping keeps those
 * weights), the lowest when minimizing. `NaN` when no epoch has a finite value.
 */
export function trialObjective(
  history: readonly EpochLogs[],
  metric: MonitoredMetric,
  direction: Direction,
): number {
  const values = history
    .map((h) => monitoredValue(h, metric))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  if (!values.length) return Number.NaN;
  return direction === 'minimize' ? Math.min(...values) : Math.max(...values);
}

/**
 * Reports each epoch's `metric` to the study as the trial's next step (from `firstStep`, the
 * steps a resumed trial already reported); stops the trial when the pruner says so.
 */
export class PruningCallback implements TrainCallback {
  pruned = false;
  private step: number;

  constructor(
    private readonly study: Study,
    private readonly trial: number,
    private readonly metric: MonitoredMetric,
    firstStep: number,
  ) {
    this.step = firstStep;
  }

  onEpochEnd(logs: EpochLogs): 'stop' | undefined {
    const value = monitoredValue(logs, this.metric);
    if (value === null || !Number.isFinite(value)) return undefined;
    if (this.study.report(this.trial, this.step++, value)) {
      this.pruned = true;
      return 'stop';
    }
    return undefined;
  }
}
