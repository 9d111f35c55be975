import { type ErrorKind, TrainyardError } from '@trainyard/shared';
import type { EpochLogs, TrainCallback } from './callbacks';

/** A loss this many times the first epoch's (floored at 1e-6) counts as diverged. */
export const DIVERGENCE_FACTOR = 1e6;
/**
 * Nats of cross-entropy above a uniform guess's (ln K) that count as diverged: the model gives the
 * true class, on average, e^5 ≈ 150× less than guessing would. Cross-entropy is clipped (at
 * −ln 1e-7 ≈ 16.1 nats), so a classifier blown up by its learning rate ends here, not at Infinity.
 */
export const DIVERGENCE_NATS_OVER_GUESS = 5;

/**
 * Training diverged: a loss became NaN or infinite, or grew past `DIVERGENCE_FACTOR` × the
 * first epoch's. The weights are useless; nothing may be published from them.
 */
export class TrainingDiverged extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code = 'diverged';
  constructor(
    message: string,
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(message, { param: 'hyperparameters.learning_rate' });
  }
}

export interface DivergenceArgs {
  /** Epochs already run (a checkpoint's history): the first one's loss is the reference. */
  readonly history?: readonly EpochLogs[];
  /** Classes of a classifier (its loss is cross-entropy); undefined or null for regression. */
  readonly classes?: number | null;
}

/**
 * Stops training, by throwing `TrainingDiverged`, at the end of the first epoch where:
 * the training or validation loss is NaN or infinite; or the training loss is over
 * `DIVERGENCE_FACTOR` × the first epoch's; or, for a classifier of K classes, the training loss
 * is over ln K + `DIVERGENCE_NATS_OVER_GUESS` (far worse than guessing).
 */
export class DivergenceCallback implements TrainCallback {
  private first: number | undefined;
  private readonly guessLimit: number | undefined;

  constructor({ history = [], classes }: DivergenceArgs = {}) {
    this.first = history[0]?.loss;
    this.guessLimit =
      classes && classes > 1 ? Math.log(classes) + DIVERGENCE_NATS_OVER_GUESS : undefined;
  }

  onEpochEnd(logs: EpochLogs): void {
    const epoch = logs.epoch + 1;
    const advice = 'lower hyperparameters.learning_rate or set gradient_clip_norm';
    for (const [name, value] of [
      ['loss', logs.loss],
      ['val_loss', logs.val_loss],
    ] as const) {
      if (value !== null && !Number.isFinite(value)) {
        throw new TrainingDiverged(
          `Training diverged: the ${name} became ${value} in epoch ${epoch}; ${advice}`,
          epoch,
          value,
        );
      }
    }
    if (this.guessLimit !== undefined && logs.loss > this.guessLimit) {
      throw new TrainingDiverged(
        `Training diverged: the loss was ${logs.loss} in epoch ${epoch}, over ${this.guessLimit.toFixed(2)} (ln of the class count + ${DIVERGENCE_NATS_OVER_GUESS}: far worse than guessing); ${advice}`,
        epoch,
        logs.loss,
      );
    }
    if (this.first === undefined) {
      this.first = logs.loss;
      return;
    }
    const limit = DIVERGENCE_FACTOR * Math.max(this.first, 1e-6);
    if (logs.loss > limit) {
      throw new TrainingDiverged(
        `Training diverged: the loss was ${logs.loss} in epoch ${epoch}, over ${DIVERGENCE_FACTOR} × the first epoch's ${this.first}; ${advice}`,
        epoch,
        logs.loss,
      );
    }
  }
}
