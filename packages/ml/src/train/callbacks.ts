/** What one epoch measured. `val_*` are null without a validation split. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  learning_rate: number;
  seconds: number;
  samples_per_second: number;
}

/**
 * A training callback, as in Keras/TensorFlow.js (`BaseCallback`): side effects of training
 * (events, checkpoints, early stopping) live here, not in branches of the loop. Every hook is
 * optional; `onEpochEnd` returning `'stop'` ends training after that epoch.
 */
export interface TrainCallback {
  onTrainBegin?(): Promise<void> | void;
  onEpochBegin?(epoch: number): Promise<void> | void;
  onEpochEnd?(
    logs: EpochLogs,
  ): Promise<undefined | 'stop'> | undefined | 'stop' | Promise<void> | void;
  onTrainEnd?(logs: EpochLogs[]): Promise<void> | void;
}
