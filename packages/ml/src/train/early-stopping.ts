import type * as tf from '@tensorflow/tfjs';
import type { EarlyStopping } from '@trainyard/shared';
import type { EpochLogs, TrainCallback } from './callbacks';

/** A metric an epoch can be judged by: early stopping's `monitor`, a tuning objective. */
export type MonitoredMetric = 'loss' | 'accuracy' | 'val_loss' | 'val_accuracy';

/**
 * The value of `metric` in one epoch's logs. A `val_` metric falls back to its training value
 * when the run has no validation split; `null` when the logs lack it. Not checked for finiteness.
 */
export function monitoredValue(logs: EpochLogs, metric: MonitoredMetric): number | null {
  return (
    logs[metric] ??
    (metric.startsWith('val_') ? logs[metric.slice(4) as 'loss' | 'accuracy'] : null)
  );
}

/** Whether `metric` improves downwards (losses) rather than upwards (accuracies). */
function lowerIsBetter(metric: MonitoredMetric): boolean {
  return metric.endsWith('loss');
}

/**
 * Stops when `monitor` has not improved by `min_delta` for `patience` epochs, and puts back the
 * weights of the best epoch (kept as copies in memory) when training ends.
 */
export class EarlyStoppingCallback implements TrainCallback {
  private best = Number.NaN;
  private bestEpoch = -1;
  private wait = 0;
  private bestWeights: tf.Tensor[] | undefined;
  stoppedAt: number | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly config: EarlyStopping,
  ) {}

  private improved(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return lowerIsBetter(this.config.monitor)
      ? value < this.best - this.config.min_delta
      : value > this.best + this.config.min_delta;
  }

  onEpochEnd(logs: EpochLogs): 'stop' | undefined {
    const value = monitoredValue(logs, this.config.monitor);
    if (value === null || !Number.isFinite(value)) return undefined;
    if (this.improved(value)) {
      this.best = value;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      for (const t of this.bestWeights ?? []) t.dispose();
      this.bestWeights = this.model.getWeights().map((w) => w.clone());
      return undefined;
    }
    this.wait++;
    if (this.wait >= this.config.patience) {
      this.stoppedAt = logs.epoch;
      return 'stop';
    }
    return undefined;
  }

  /** The epoch whose weights the model ends with. */
  get restoredEpoch(): number {
    return this.bestEpoch;
  }

  onTrainEnd(): void {
    if (this.bestWeights) {
      this.model.setWeights(this.bestWeights);
      for (const t of this.bestWeights) t.dispose();
      this.bestWeights = undefined;
    }
  }
}
