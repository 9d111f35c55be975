import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { irisDataset, type Loose, untilEnded } from '../jobs/support';

// A tuning job through the API with the real trainer, two trials at a time (two cooperating
// trainer processes, as an array job on Batch), on real data.

let harness: Awaited<ReturnType<typeof platformHarness>>;
beforeAll(async () => {
  harness = await platformHarness({}, { LOCAL_MAX_CONCURRENT_JOBS: '2' });
  await harness.start();
});
afterAll(() => harness.dispose());

const json = (res: Response): Promise<Loose> => res.json();

describe('hyperparameter tuning end to end', () => {
  it('runs 4 trials two at a time, names the best, and publishes the model of that trial', async () => {
    const call = harness.call.bind(harness);
    const dataset = await irisDataset(call);
    const created = await call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset,
        hyperparameters: { epochs: 6, early_stopping: null },
        tuning: {
          strategy: 'random',
          objective: { metric: 'val_accuracy', goal: 'maximize' },
          max_trials: 4,
          max_parallel_trials: 2,
          search_space: {
            'hyperparameters.learning_rate': { type: 'log_uniform', min: 0.001, max: 0.05 },
            'regularization.dropout': { type: 'uniform', min: 0, max: 0.3 },
          },
        },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    const job = await untilEnded({ call }, id, 280_000);
    expect(job.status).toBe('succeeded');

    const trials = (await json(await call(`/v1/fine-tuning/jobs/${id}/trials`))).data as Loose[];
    expect(trials.map((t) => t.number ?? t.trial).sort()).toEqual([0, 1, 2, 3]);
    expect(trials.every((t) => ['completed', 'pruned'].includes(t.status))).toBe(true);

    const events: Loose[] = [];
    for (let after = ''; ; ) {
      const page = await json(
        await call(`/v1/fine-tuning/jobs/${id}/events?limit=100${after ? `&after=${after}` : ''}`),
      );
      events.push(...page.data);
      if (!page.has_more) break;
      after = page.last_id;
    }
    const workers = new Set(
      events.filter((e) => e.type === 'trial.started').map((e) => e.data.worker.slice(0, 2)),
    );
    expect(workers).toEqual(new Set(['w0', 'w1']));
    const best = events.find((e) => e.type === 'study.best');
    const bestValue = Math.max(
      ...trials.filter((t) => t.status === 'completed').map((t) => t.objective ?? t.value),
    );
    expect(best.data.value).toBe(bestValue);
    expect(events.filter((e) => e.type === 'job.succeeded')).toHaveLength(1);
    const shown = await json(await call(`/v1/fine-tuning/jobs/${id}`));
    expect(shown.trials.best).toBe(best.data.number);

    const model = await json(await call(`/v1/models/${job.result_model}`));
    expect(model.card.trial).toBe(best.data.number);
    expect(model.card.spec.hyperparameters.learning_rate).toBe(
      best.data.params['hyperparameters.learning_rate'],
    );
    expect(model.card.spec.regularization.dropout).toBe(best.data.params['regularization.dropout']);
  }, 300_000);
});
