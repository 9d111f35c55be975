import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from './platform-support';
import { FIXTURE_COMMAND, irisDataset, type Loose, untilEnded } from './support';

// The platform as `npm start` runs it (embedded API, inference and local runner), stopped in
// the middle of a job and started again on the same bucket and data directory. The trainer is
// the contract fixture: this is about the runner's wiring, not about training.

let harness: Awaited<ReturnType<typeof platformHarness>>;
beforeAll(async () => {
  harness = await platformHarness({ trainerCommand: FIXTURE_COMMAND });
});
afterAll(() => harness.dispose());

const json = (res: Response): Promise<Loose> => res.json();

describe('platform restart', () => {
  it('stops its trainers on close; after the next start the job resumes and completes', async () => {
    await harness.start();
    const dataset = await irisDataset(harness.call.bind(harness));
    const created = await harness.call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset,
        // The first attempt holds after epoch 2 (checkpointed), so the platform closes mid-job.
        model_name: 'fixture ms=50 hold=2',
        hyperparameters: { epochs: 6 },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    const path = `/v1/fine-tuning/jobs/${id}`;
    for (let i = 0; i < 200; i++) {
      const metrics = await json(await harness.call(`${path}/metrics`));
      if (metrics.data.length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = harness.platform.runner!.pidsOf(id)[0]!;
    expect(pid).toBeTypeOf('number'); // the trainer still runs (held) as the platform closes
    await harness.platform.close();
    expect(() => process.kill(pid, 0)).toThrow(); // no trainer outlives the platform

    await harness.start();
    const job = await untilEnded({ call: harness.call.bind(harness) }, id);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const events = (await json(await harness.call(`${path}/events?limit=1000`))).data as Loose[];
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'job.interrupted')).toHaveLength(1);
    expect(types).not.toContain('job.retrying');
    const starts = events.filter((e) => e.type === 'job.started');
    expect(starts.map((e) => e.data.attempt)).toEqual([1, 2]);
    expect(starts[1].data.resumed_from_epoch).toBe(2);
    const epochs = (await json(await harness.call(`${path}/metrics`))).data.map(
      (m: { epoch: number }) => m.epoch,
    );
    expect(new Set(epochs)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    const models = await json(await harness.call('/v1/models'));
    expect(models.data.map((m: { id: string }) => m.id)).toEqual([job.result_model]);
  }, 60_000);
});
