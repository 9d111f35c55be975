import { describe, expect, it } from 'vitest';
import type { EpochLogs } from './callbacks';
import { DivergenceCallback, TrainingDiverged } from './divergence';

const epoch = (n: number, loss: number, val_loss: number | null = null): EpochLogs => ({
  epoch: n,
  loss,
  accuracy: null,
  val_loss,
  val_accuracy: null,
  learning_rate: 0.01,
  seconds: 1,
  samples_per_second: 100,
});

function verdict(callback: DivergenceCallback, logs: EpochLogs): string {
  try {
    callback.onEpochEnd(logs);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(TrainingDiverged);
    expect((error as TrainingDiverged).code).toBe('diverged');
    return (error as Error).message;
  }
}

describe('DivergenceCallback', () => {
  it('lets a loss that falls, or rises a little, go on', () => {
    const callback = new DivergenceCallback({ classes: 3 });
    for (const [n, loss] of [1.1, 0.6, 0.9, 0.4].entries()) {
      expect(verdict(callback, epoch(n, loss))).toBe('ok');
    }
  });

  it('stops at a NaN or infinite loss or val_loss, naming the epoch and value', () => {
    expect(verdict(new DivergenceCallback(), epoch(0, Number.NaN))).toMatch(
      /loss became NaN in epoch 1/,
    );
    const callback = new DivergenceCallback();
    verdict(callback, epoch(0, 2));
    expect(verdict(callback, epoch(1, 1, Number.POSITIVE_INFINITY))).toMatch(
      /val_loss became Infinity in epoch 2/,
    );
  });

  it('stops a regression loss over 1e6 × the first epoch’s (the checkpoint’s first when resuming)', () => {
    const callback = new DivergenceCallback({ history: [epoch(0, 0.5)] });
    expect(verdict(callback, epoch(3, 4e5))).toBe('ok');
    expect(verdict(callback, epoch(4, 6e5))).toMatch(/was 600000 in epoch 5, over 1000000 ×/);
  });

  it('stops a classifier far worse than guessing (clipped cross-entropy never reaches Infinity)', () => {
    expect(verdict(new DivergenceCallback({ classes: 3 }), epoch(0, 10.7))).toMatch(
      /was 10.7 in epoch 1, over 6.10/,
    );
    expect(verdict(new DivergenceCallback({ classes: 1000 }), epoch(0, 10.7))).toBe('ok');
  });
});
