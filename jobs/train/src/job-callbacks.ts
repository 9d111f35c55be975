import type * as tf from '@tensorflow/tfjs';
import type { EpochLogs, TrainCallback } from '@trainyard/ml';
import type { EpochMetrics, Preprocess } from '@trainyard/shared';
import type { CheckpointStore } from './checkpoints';
import type { JobContext } from './context';

/** Writes each epoch's metrics as an `epoch.completed` event (what `…/metrics` and SSE show). */
export class EpochEventsCallback implements TrainCallback {
  constructor(
    private readonly ctx: JobContext,
    private readonly phase: 'train' | 'fine_tune',
    private readonly trial: number | null,
    private readonly epochs: number,
  ) {}

  /** Runs after `DivergenceCallback`: the losses it writes are finite. */
  async onEpochEnd(logs: EpochLogs): Promise<void> {
    const data: EpochMetrics = {
      epoch: logs.epoch + 1,
      trial: this.trial,
      phase: this.phase,
      loss: logs.loss,
      accuracy: logs.accuracy,
      val_loss: logs.val_loss,
      val_accuracy: logs.val_accuracy,
      learning_rate: logs.learning_rate,
      seconds: logs.seconds,
      samples_per_second: logs.samples_per_second,
    };
    const acc = logs.val_accuracy ?? logs.accuracy;
    await this.ctx.events.append(this.ctx.spec.id, {
      type: 'epoch.completed',
      message: `${this.trial === null ? '' : `trial ${this.trial} `}${this.phase === 'fine_tune' ? 'fine-tune ' : ''}epoch ${logs.epoch + 1}/${this.epochs}: loss ${logs.loss.toFixed(4)}${logs.val_loss === null ? '' : `, val_loss ${logs.val_loss.toFixed(4)}`}${acc === null ? '' : `, ${logs.val_accuracy === null ? '' : 'val_'}accuracy ${acc.toFixed(4)}`}`,
      data,
    });
  }
}

/** Saves a checkpoint to S3 after every epoch, and says so in a `checkpoint.saved` event. */
export class CheckpointCallback implements TrainCallback {
  readonly history: EpochLogs[];

  constructor(
    private readonly ctx: JobContext,
    private readonly store: CheckpointStore,
    private readonly model: tf.LayersModel,
    private readonly optimizer: tf.Optimizer,
    private readonly info: {
      phase: 'train' | 'fine_tune';
      trial: number | null;
      preprocess: Preprocess;
      unfrozen: string[];
      history: EpochLogs[];
    },
  ) {
    this.history = [...info.history];
  }

  async onEpochEnd(logs: EpochLogs): Promise<void> {
    this.history.push(logs);
    const saved = await this.store.save(this.model, this.optimizer, {
      ...this.info,
      epoch: logs.epoch,
      history: this.history,
    });
    await this.ctx.events.append(this.ctx.spec.id, {
      type: 'checkpoint.saved',
      message: `checkpoint ${saved.state.name} saved`,
      data: {
        name: saved.state.name,
        phase: this.info.phase,
        epoch: logs.epoch + 1,
        trial: this.info.trial,
        metrics: {
          loss: logs.loss,
          accuracy: logs.accuracy,
          val_loss: logs.val_loss,
          val_accuracy: logs.val_accuracy,
        },
      },
    });
  }
}
