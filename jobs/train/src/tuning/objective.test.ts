import type { EpochLogs } from '@trainyard/ml';
import { describe, expect, it } from 'vitest';
import { trialObjective } from './objective';

const epoch = (i: number, m: Partial<EpochLogs>): EpochLogs => ({
  epoch: i,
  loss: 1,
  accuracy: null,
  val_loss: null,
  val_accuracy: null,
  learning_rate: 0.01,
  seconds: 1,
  samples_per_second: 1,
  ...m,
});

describe('trialObjective', () => {
  it('is the best epoch’s value in the direction, skipping epochs without a finite one', () => {
    const history = [
      epoch(0, { val_loss: 0.8, val_accuracy: 0.6 }),
      epoch(1, { val_loss: 0.5, val_accuracy: 0.7 }),
      epoch(2, { val_loss: Number.NaN, val_accuracy: 0.65 }),
    ];
    expect(trialObjective(history, 'val_loss', 'minimize')).toBe(0.5);
    expect(trialObjective(history, 'val_accuracy', 'maximize')).toBe(0.7);
  });

  it('falls back to the training metric without a validation split (as early stopping does)', () => {
    const history = [epoch(0, { loss: 0.9 }), epoch(1, { loss: 0.7 })];
    expect(trialObjective(history, 'val_loss', 'minimize')).toBe(0.7);
    expect(trialObjective(history, 'val_accuracy', 'maximize')).toBeNaN();
  });
});
