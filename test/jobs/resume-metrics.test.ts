import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset, type JobsApi, type Loose, startJobsApi, untilEnded } from './support';

// A trainer killed hard (SIGKILL) after reporting epochs past its last checkpoint: the next
// attempt trains those epochs again from the checkpoint. The metrics (the curves) show each
// epoch once, the row of the attempt whose model it is; the events keep the whole history.

let api: JobsApi;
beforeAll(async () => {
  api = await startJobsApi();
}, 60_000);
afterAll(() => api.close());

describe('metrics after a hard kill and a resume', () => {
  it('have one row per epoch, from the attempt that resumed', async () => {
    const dataset = await irisDataset(api.call);
    const created = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      // A checkpoint every 3 epochs, as the real trainer's interval; the first attempt holds
      // after epoch 5 (past the checkpoint at 3, short of the one at 6) until it is killed.
      model_name: 'fixture ms=20 every=3 hold=5',
      hyperparameters: { epochs: 8 },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Loose;
    const path = `/v1/fine-tuning/jobs/${id}`;
    let before: Loose[] = [];
    for (let i = 0; i < 1500 && before.length < 5; i++) {
      before = ((await (await api.call(`${path}/metrics`)).json()) as Loose).data;
      if (before.length < 5) await new Promise((r) => setTimeout(r, 20));
    }
    expect(before.length).toBe(5); // epochs 4 and 5: after the checkpoint at 3
    const killedAt = Math.floor(Date.now() / 1000);
    process.kill(api.runner.pidsOf(id)[0]!, 'SIGKILL');

    const job = await untilEnded(api, id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const events = ((await (await api.call(`${path}/events?limit=1000`)).json()) as Loose).data;
    const starts = events.filter((e: Loose) => e.type === 'job.started');
    expect(starts.map((e: Loose) => e.data.resumed_from_epoch)).toEqual([0, expect.any(Number)]);
    const resumedFrom = starts[1].data.resumed_from_epoch as number;
    expect(resumedFrom).toBe(3); // epochs 4 and 5 were trained twice
    const reported = events.filter((e: Loose) => e.type === 'epoch.completed');
    expect(reported.length).toBeGreaterThan(8); // the history keeps both attempts' epochs

    const metrics = ((await (await api.call(`${path}/metrics`)).json()) as Loose).data as Loose[];
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const m of metrics.filter((m) => m.epoch > resumedFrom)) {
      expect(m.created_at).toBeGreaterThanOrEqual(killedAt);
    }
  }, 60_000);
});
