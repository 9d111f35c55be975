import { describe, expect, it } from 'vitest';
import { foldJobEvents, nextAttempt } from './fold';
import { testEvent } from './test-events';

const e = testEvent;

describe('foldJobEvents', () => {
  it('walks validating → queued → running → succeeded, with times and the model', () => {
    const events = [e('job.created', { webhook: true }), e('job.queued')];
    expect(foldJobEvents(events).status).toBe('queued');
    events.push(e('job.started', { attempt: 1 }), e('job.backend', { backend: 'wasm' }));
    expect(foldJobEvents(events)).toMatchObject({
      status: 'running',
      backend: 'wasm',
      attempts: 1,
    });
    events.push(e('job.succeeded', { model: 'model_x' }));
    const state = foldJobEvents(events);
    expect(state).toMatchObject({
      status: 'succeeded',
      result_model: 'model_x',
      created_at: events[0]!.created_at,
      started_at: events[2]!.created_at,
      finished_at: events[4]!.created_at,
      terminal_event: events[4]!.id,
      webhook: { requested: true, done: false },
    });
  });

  it('keeps the first terminal event: a late job.failed after job.cancelled changes nothing', () => {
    const state = foldJobEvents([
      e('job.created'),
      e('job.queued'),
      e('job.cancel_requested'),
      e('job.cancelled'),
      e('job.failed', { error: { code: 'crashed', message: 'late', param: null } }),
    ]);
    expect(state).toMatchObject({ status: 'cancelled', error: null, cancel_requested: true });
  });

  it('counts crashes and interruptions apart; both queue the job again', () => {
    const events = [e('job.created'), e('job.queued'), e('job.started'), e('job.retrying')];
    expect(foldJobEvents(events)).toMatchObject({ status: 'queued', retries: 1 });
    events.push(e('job.started'), e('job.interrupted'));
    const state = foldJobEvents(events);
    expect(state).toMatchObject({ status: 'queued', retries: 1, interruptions: 1, attempts: 2 });
    expect(nextAttempt(state)).toBe(3);
  });

  it('gives job.failed’s error, or one made from its message', () => {
    const error = { code: 'out_of_memory', message: 'OOM', param: 'hyperparameters.batch_size' };
    expect(foldJobEvents([e('job.failed', { error })]).error).toEqual(error);
    expect(foldJobEvents([e('job.failed')]).error).toEqual({
      code: 'failed',
      message: 'job.failed',
      param: null,
    });
  });

  it('counts trials once each, and marks a webhook done when delivered or given up', () => {
    const state = foldJobEvents([
      e('trial.started', { number: 0 }),
      e('trial.started', { number: 1 }),
      e('trial.started', { number: 0 }), // announced again by a resumed attempt
      e('trial.completed', { number: 0 }),
      e('study.best', { number: 0 }),
      e('webhook.failed', { final: false }),
    ]);
    expect(state.trials).toEqual({ total: 2, completed: 1, best: 0 });
    expect(state.webhook.done).toBe(false);
    expect(foldJobEvents([e('webhook.failed', { final: true })]).webhook.done).toBe(true);
    expect(foldJobEvents([e('webhook.delivered')]).webhook.done).toBe(true);
  });
});
