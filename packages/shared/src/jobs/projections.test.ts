import { describe, expect, it } from 'vitest';
import { trialsFromEvents } from './projections';
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
