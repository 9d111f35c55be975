import type * as tf from '@tensorflow/tfjs';
import type { EarlyStopping } from '@trainyard/shared';
import type { EpochLogs, TrainCallback } from './callbacks';

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

  private value(logs: EpochLogs): number | null {
    return (
      logs[this.config.monitor] ??
      (this.config.monitor.startsWith('val_') ? logs[this.config.monitor.slice(4) as 'loss'] : null)
    );
  }

  private improved(value: number): boolean {
    if (Number.isNaN(this.best)) return true;
    return this.config.monitor.endsWith('loss')
      ? value < this.best - this.config.min_delta
      : value > this.best + this.config.min_delta;
  }

  onEpochEnd(logs: EpochLogs): 'stop' | undefined {
    const value = this.value(logs);
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
