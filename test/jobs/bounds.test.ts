import { TRAINER_COMMAND } from '@trainyard/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset, type JobsApi, type Loose, startJobsApi, untilEnded } from './support';

// Bounds on every job: what the API refuses at creation (search-space values outside their
// fields' bounds, a grid too large to run, a runtime over the ceiling), and what the real trainer
// ends (a diverged run, a run past its maximum runtime) without publishing a model.

let api: JobsApi;
let dataset: string;
beforeAll(async () => {
  api = await startJobsApi({ command: TRAINER_COMMAND });
  dataset = await irisDataset(api.call);
});
afterAll(() => api.close());

const json = (res: Response): Promise<Loose> => res.json();
const jobCount = async () =>
  (await json(await api.call('/v1/fine-tuning/jobs?limit=100'))).data.length;

describe('bounds on every job, at creation', () => {
  it('checks search-space values against each field’s own schema, naming the value and bound', async () => {
    const before = await jobCount();
    const cases: Array<[Loose, string, RegExp]> = [
      [
        { 'hyperparameters.learning_rate': { type: 'log_uniform', min: -1, max: 0.1 } },
        'body.tuning.search_space["hyperparameters.learning_rate"].min',
        /min -1 is not a value hyperparameters\.learning_rate takes .*>0/,
      ],
      [
        { 'hyperparameters.learning_rate': { type: 'uniform', min: 0.01, max: 1e300 } },
        'body.tuning.search_space["hyperparameters.learning_rate"].max',
        /max 1e\+300 .*<=10/,
      ],
      [
        { 'hyperparameters.epochs': { type: 'uniform', min: 1, max: 20 } },
        'body.tuning.search_space["hyperparameters.epochs"].type',
        /expected int/,
      ],
      [
        { 'regularization.dropout': { type: 'choice', values: [0.1, 1.5] } },
        'body.tuning.search_space["regularization.dropout"].values[1]',
        /values\[1\] 1\.5 is not a value regularization\.dropout takes/,
      ],
      [
        { 'architecture.head.units': { type: 'choice', values: ['64,32', '8192,8192,99999'] } },
        'body.tuning.search_space["architecture.head.units"].values[1]',
        /<=8192/,
      ],
    ];
    for (const [space, param, message] of cases) {
      const res = await api.post('/v1/fine-tuning/jobs', {
        dataset,
        tuning: { strategy: 'random', search_space: space },
      });
      const { error } = await json(res);
      expect({ status: res.status, param: error.param }).toEqual({ status: 400, param });
      expect(error.message).toMatch(message);
    }
    expect(await jobCount()).toBe(before);
  });

  it('computes the grid size without listing it and refuses one over the cap', async () => {
    const res = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      tuning: {
        strategy: 'grid',
        search_space: {
          'architecture.head.units': { type: 'int', min: 1, max: 8192 },
          'hyperparameters.batch_size': { type: 'int', min: 1, max: 4096 },
          'hyperparameters.epochs': { type: 'int', min: 1, max: 1000 },
          'hyperparameters.learning_rate': {
            type: 'log_uniform',
            min: 1e-5,
            max: 1,
            grid_points: 119,
          },
        },
      },
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('grid_too_large');
    expect(error.param).toBe('body.tuning.search_space');
    // 8192 × 4096 × 1000 × 119 ≈ 4×10¹²
    expect(error.message).toContain(`${8192 * 4096 * 1000 * 119} points`);
    expect(error.message).toContain('at most 10000 (TUNING_MAX_GRID_POINTS)');
  });

  it('refuses a runtime over the ceiling and shows the one a job runs with', async () => {
    const over = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      max_runtime_seconds: 10 ** 9,
    });
    expect(over.status).toBe(400);
    const { error } = await json(over);
    expect(error).toMatchObject({ code: 'runtime_over_limit', param: 'body.max_runtime_seconds' });
    expect(error.message).toContain('at most 86400 seconds');
    const trial = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      tuning: {
        max_trial_runtime_seconds: 10 ** 6,
        search_space: { 'regularization.dropout': { type: 'uniform', min: 0, max: 0.5 } },
      },
    });
    expect(trial.status).toBe(400);
    expect((await json(trial)).error.param).toBe('body.tuning.max_trial_runtime_seconds');
  });
  it('refuses a model past JOB_MAX_PARAMETERS with a 422 naming its size and the cap, planned or created', async () => {
    const before = await jobCount();
    const huge = {
      dataset,
      architecture: { type: 'mlp', head: { units: Array(8).fill(8192), batch_norm: false } },
    };
    // Iris: 4 features in, 3 classes out; dense layers of weights and biases.
    const parameters = 4 * 8192 + 8192 + 7 * (8192 * 8192 + 8192) + 8192 * 3 + 3;
    for (const path of ['/v1/fine-tuning/jobs', '/v1/fine-tuning/jobs/plan']) {
      const res = await api.post(path, huge);
      expect(res.status).toBe(422);
      const { error } = await json(res);
      expect(error).toMatchObject({ code: 'model_too_large', param: 'body.architecture' });
      expect(error.message).toContain(`${parameters.toLocaleString('en-US')} parameters`);
      expect(error.message).toContain('at most 50,000,000 (JOB_MAX_PARAMETERS)');
    }
    // The same head, one layer: well under the cap, planned with the figure the cap is checked on.
    const plan = await json(
      await api.post('/v1/fine-tuning/jobs/plan', {
        dataset,
        architecture: { type: 'mlp', head: { units: [8192], batch_norm: false } },
      }),
    );
    expect(plan.estimate.parameters).toBe(4 * 8192 + 8192 + 8192 * 3 + 3);
    expect(await jobCount()).toBe(before);
  });

  it('sizes a tuning job by its largest trial, and names that trial', async () => {
    const before = await jobCount();
    const res = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      architecture: { type: 'mlp', head: { batch_norm: false } },
      tuning: {
        strategy: 'random',
        search_space: {
          'architecture.head.units': { type: 'choice', values: ['16', '8192,8192,8192', '64,32'] },
          'hyperparameters.batch_size': { type: 'int', min: 8, max: 64 },
          'hyperparameters.learning_rate': { type: 'log_uniform', min: 1e-4, max: 1e-1 },
        },
      },
    });
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error).toMatchObject({ code: 'model_too_large', param: 'body.tuning.search_space' });
    expect(error.message).toContain('architecture.head.units = "8192,8192,8192"');
    expect(error.message).toContain('hyperparameters.batch_size = 64');
    const parameters = 4 * 8192 + 8192 + 2 * (8192 * 8192 + 8192) + 8192 * 3 + 3;
    expect(error.message).toContain(`${parameters.toLocaleString('en-US')} parameters`);
    // Without the large choice, every trial fits and the job is created.
    const fits = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      hyperparameters: { epochs: 1 },
      tuning: {
        strategy: 'random',
        max_trials: 1,
        search_space: { 'architecture.head.units': { type: 'choice', values: ['16', '64,32'] } },
      },
    });
    expect(fits.status).toBe(201);
    await untilEnded(api, (await json(fits)).id, 120_000);
    expect(await jobCount()).toBe(before + 1);
  }, 180_000);
});

describe('bounds on every job, while it runs (real trainer)', () => {
  it('fails a diverging job with `diverged`, naming the epoch and the loss, and publishes no model', async () => {
    const models = (await json(await api.call('/v1/models'))).data.length;
    const created = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      hyperparameters: {
        epochs: 20,
        optimizer: 'sgd',
        learning_rate: 10,
        early_stopping: null,
        lr_schedule: { type: 'step', step_size: 1, gamma: 1 },
      },
      regularization: { l2: 0, dropout: 0 },
    });
    expect(created.status).toBe(201);
    const job = await untilEnded(api, (await json(created)).id, 120_000);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('diverged');
    expect(job.error.message).toMatch(/in epoch \d+/);
    // Cross-entropy is clipped: a blown-up classifier is far worse than guessing, not Infinity.
    expect(job.error.message).toMatch(/loss was [0-9.]+ in epoch \d+, over 6\.10/);
    expect(job.result_model).toBeNull();
    expect((await json(await api.call('/v1/models'))).data).toHaveLength(models);
  }, 180_000);

  it('fails a job past its max_runtime_seconds with `timeout`, and publishes no model', async () => {
    const models = (await json(await api.call('/v1/models'))).data.length;
    const created = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      max_runtime_seconds: 3,
      hyperparameters: { epochs: 1000, early_stopping: null },
    });
    expect(created.status).toBe(201);
    const { id, max_runtime_seconds } = await json(created);
    expect(max_runtime_seconds).toBe(3);
    const job = await untilEnded(api, id, 120_000);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'timeout', param: 'max_runtime_seconds' });
    expect(job.error.message).toContain('3 s');
    expect(job.result_model).toBeNull();
    const metrics = await json(await api.call(`/v1/fine-tuning/jobs/${id}/metrics`));
    expect(metrics.data.length).toBeLessThan(1000);
    expect((await json(await api.call('/v1/models'))).data).toHaveLength(models);
  }, 180_000);
});
