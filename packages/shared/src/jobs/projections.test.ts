import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTS_KEPT,
  checkpointsFromEvents,
  metricsFromEvents,
  trialsFromEvents,
} from './projections';
import { testEvent } from './test-events';

const e = testEvent;

describe('trialsFromEvents', () => {
  it("counts a trial's epochs once, though each shows as epoch.completed (1-based) and trial.reported (0-based)", () => {
    const events = [e('trial.started', { number: 0, params: { learning_rate: 0.01 } })];
    for (let epoch = 1; epoch <= 10; epoch++) {
      events.push(e('epoch.completed', { epoch, trial: 0 }));
      events.push(e('trial.reported', { number: 0, step: epoch - 1, value: 1 / epoch }));
    }
    events.push(e('trial.completed', { number: 0, value: 0.1 }));
    events.push(e('trial.started', { number: 1, params: { learning_rate: 0.1 } }));
    for (let epoch = 1; epoch <= 3; epoch++) {
      events.push(e('epoch.completed', { epoch, trial: 1 }));
      events.push(e('trial.reported', { number: 1, step: epoch - 1, value: 2 }));
    }
    events.push(e('trial.pruned', { number: 1 }));
    const { data } = trialsFromEvents(events);
    expect(data.map((t) => [t.number, t.status, t.epochs])).toEqual([
      [0, 'completed', 10],
      [1, 'pruned', 3],
    ]);
  });
});

describe('metricsFromEvents', () => {
  it('keeps one row per epoch: a resumed attempt supersedes the epochs after its checkpoint, per trial and phase', () => {
    const row = (epoch: number, loss: number, phase = 'train', trial: number | null = null) =>
      e('epoch.completed', { epoch, trial, phase, loss });
    const events = [
      row(1, 1),
      row(2, 1),
      row(3, 1), // attempt 1 (checkpoint at 1), then a fine-tune phase, then killed
      row(1, 1, 'fine_tune'),
      row(2, 2), // attempt 2 resumes from epoch 1 of train
      row(3, 2),
      row(1, 2, 'fine_tune'),
      row(1, 9, 'train', 0), // a trial's rows are its own
      row(2, 9, 'train', 0),
    ];
    expect(metricsFromEvents(events).map((m) => [m.trial, m.phase, m.epoch, m.loss])).toEqual([
      [null, 'train', 1, 1],
      [null, 'train', 2, 2],
      [null, 'train', 3, 2],
      [null, 'fine_tune', 1, 2],
      [0, 'train', 1, 9],
      [0, 'train', 2, 9],
    ]);
  });
});

describe('checkpointsFromEvents', () => {
  it('lists the newest three of each trial: the trainer deletes the older ones', () => {
    const saved = (name: string, epoch: number, trial: number | null = null) =>
      e('checkpoint.saved', { name, epoch, trial, phase: 'train', metrics: {} });
    const events = [1, 2, 3, 4, 5].map((n) => saved(`train-epoch-000${n}`, n));
    events.splice(2, 0, saved('trial-0001-train-epoch-0001', 1, 1));
    events.push(saved('trial-0001-train-epoch-0002', 2, 1));
    expect(CHECKPOINTS_KEPT).toBe(3);
    expect(checkpointsFromEvents(events).map((c) => c.name)).toEqual([
      'trial-0001-train-epoch-0001',
      'train-epoch-0003',
      'train-epoch-0004',
      'train-epoch-0005',
      'trial-0001-train-epoch-0002',
    ]);
  });
});
