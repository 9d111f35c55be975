import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime';
import { keys } from '../storage';
import { JobEventLog } from './event-log';
import { foldJobEvents } from './fold';
import { JobStore } from './job-store';

let runtime: Runtime & { dispose(): Promise<void> };
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-events');
});
afterAll(() => runtime.dispose());

describe('JobEventLog', () => {
  it('keeps the log in order across writers, with each type in its key', async () => {
    const api = new JobEventLog(runtime.storage, 'api');
    const train = new JobEventLog(runtime.storage, 'train-a1');
    const job = 'ftjob_0order';
    await api.append(job, { type: 'job.created', message: 'c' });
    await api.append(job, { type: 'job.queued', message: 'q' });
    await new Promise((r) => setTimeout(r, 5));
    await train.append(job, { type: 'job.started', message: 's', data: { attempt: 1 } });
    await train.append(job, { type: 'epoch.completed', message: 'e' });
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
    expect(events[2]!.data).toEqual({ attempt: 1 });
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
    await expect(log.append('ftjob_0bad', { type: 'Job Started!', message: 'x' })).rejects.toThrow(
      /event type/,
    );
  });

  it('JobStore.state from the listing equals the fold of every event', async () => {
    const log = new JobEventLog(runtime.storage, 'api');
    const job = 'ftjob_0light';
    const error = { code: 'out_of_memory', message: 'OOM', param: null };
    for (const [type, data] of [
      ['job.created', { webhook: true }],
      ['job.queued', null],
      ['job.started', { attempt: 1 }],
      ['job.backend', { backend: 'wasm' }],
      ['trial.started', { number: 0 }],
      ['epoch.completed', { epoch: 1 }],
      ['trial.completed', { number: 0 }],
      ['study.best', { number: 0 }],
      ['job.failed', { error }],
      ['webhook.failed', { final: true }],
    ] as const) {
      await log.append(job, { type, message: type, data });
    }
    const store = new JobStore(runtime.storage, log);
    expect(await store.state(job)).toEqual(foldJobEvents(await log.list(job)));
    expect((await store.state(job)).error).toEqual(error);
  });
});
