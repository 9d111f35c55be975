import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime';
import { jobFailed, jobSucceeded, type NewJobEvent } from '../schemas/job-events';
import { keys } from '../storage';
import { JobEventLog } from './event-log';
import { foldJobEvents } from './fold';
import { JobStore } from './job-store';

let runtime: Runtime & { dispose(): Promise<void> };
const started = { attempt: 1, backend: 'wasm', array_index: null };
const epoch = {
  epoch: 1,
  trial: null,
  phase: 'train' as const,
  loss: 0.5,
  accuracy: null,
  val_loss: null,
  val_accuracy: null,
  learning_rate: 0.01,
  seconds: 0.1,
  samples_per_second: 1000,
};
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-events');
});
afterAll(() => runtime.dispose());

describe('JobEventLog', () => {
  it('keeps the log in order across writers, with each type in its key', async () => {
    const api = new JobEventLog(runtime.storage, 'api');
    const train = new JobEventLog(runtime.storage, 'train-a1');
    const job = 'ftjob_0order';
    await api.append(job, { type: 'job.created', message: 'c', data: { webhook: false } });
    await api.append(job, { type: 'job.queued', message: 'q' });
    await new Promise((r) => setTimeout(r, 5));
    await train.append(job, { type: 'job.started', message: 's', data: started });
    await train.append(job, { type: 'epoch.completed', message: 'e', data: epoch });
    const refs = await api.refs(job);
    expect(refs.map((r) => r.type)).toEqual([
      'job.created',
      'job.queued',
      'job.started',
      'epoch.completed',
    ]);
    expect(refs[2]!.key).toBe(`${keys.jobEvents(job)}${refs[2]!.id}.job.started.json`);
    const events = await api.list(job);
    expect(events.map((e) => e.id)).toEqual(refs.map((r) => r.id));
    expect(events[2]!.data).toEqual(started);
    expect(refs[0]!.created_at).toBe(events[0]!.created_at);

    // `after` an id skips exactly up to that event.
    expect((await api.list(job, { after: refs[1]!.id })).map((e) => e.type)).toEqual([
      'job.started',
      'epoch.completed',
    ]);
    expect(await api.refs(job, { after: refs[3]!.id })).toEqual([]);
    expect((await api.refs(job, { limit: 1 })).map((r) => r.type)).toEqual(['job.created']);
  });

  it('refuses a type that cannot be a key part', async () => {
    const log = new JobEventLog(runtime.storage, 'api');
    await expect(
      log.append('ftjob_0bad', { type: 'Job Started!', message: 'x' } as unknown as NewJobEvent),
    ).rejects.toThrow(/event type/);
  });

  it('refuses an unknown type, and data that does not match its type, writing nothing', async () => {
    const log = new JobEventLog(runtime.storage, 'api');
    const job = 'ftjob_0baddata';
    await expect(
      log.append(job, { type: 'job.teleported', message: 'x' } as unknown as NewJobEvent),
    ).rejects.toThrow(/event type "job.teleported" is not one of the job event types/);
    const wrong = { type: 'job.succeeded', message: 'x', data: { model: 7 } };
    await expect(log.append(job, wrong as unknown as NewJobEvent)).rejects.toMatchObject({
      param: 'job.succeeded event.data.model',
      message: expect.stringMatching(/expected string.*received 7/),
    });
    expect(await log.refs(job)).toEqual([]);
  });

  it('writes job.failed and job.succeeded through their helpers', async () => {
    const log = new JobEventLog(runtime.storage, 'train');
    const failed = await log.append('ftjob_0helpers', jobFailed({ code: 'x_y', message: 'bad' }));
    expect(failed).toMatchObject({
      type: 'job.failed',
      level: 'error',
      message: 'bad',
      data: { error: { code: 'x_y', message: 'bad', param: null } },
    });
    const ok = await log.append('ftjob_0helpers', jobSucceeded('model_abc'));
    expect(ok).toMatchObject({
      type: 'job.succeeded',
      level: 'info',
      data: { model: 'model_abc' },
    });
    expect((await log.list('ftjob_0helpers')).map((e) => e.type)).toEqual([
      'job.failed',
      'job.succeeded',
    ]);
  });

  it('JobStore.state from the listing equals the fold of every event', async () => {
    const log = new JobEventLog(runtime.storage, 'api');
    const job = 'ftjob_0light';
    const error = { code: 'out_of_memory', message: 'OOM', param: null };
    const writer = { attempt: 1, worker: 'w0' };
    const events: NewJobEvent[] = [
      { type: 'job.created', message: 'c', data: { webhook: true } },
      { type: 'job.queued', message: 'q' },
      { type: 'job.started', message: 's', data: started },
      { type: 'job.backend', message: 'b', data: { backend: 'wasm', attempts: [] } },
      { type: 'trial.started', message: 't', data: { number: 0, params: { x: 1 }, ...writer } },
      { type: 'epoch.completed', message: 'e', data: { ...epoch, trial: 0 } },
      { type: 'trial.completed', message: 't', data: { number: 0, value: 0.5, ...writer } },
      { type: 'study.best', message: 'b', data: { number: 0, value: 0.5, params: { x: 1 } } },
      jobFailed(error),
      {
        type: 'webhook.failed',
        message: 'w',
        data: { url: 'http://127.0.0.1:9/', attempt: 1, error: 'ECONNREFUSED', final: true },
      },
    ];
    for (const event of events) await log.append(job, event);
    const store = new JobStore(runtime.storage, log);
    expect(await store.state(job)).toEqual(foldJobEvents(await log.list(job)));
    expect((await store.state(job)).error).toEqual(error);
  });
});
