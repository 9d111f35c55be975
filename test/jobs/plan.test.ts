import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BadRequestError, NotFoundError, Trainyard } from '@trainyard/sdk';
import { createRuntime, type Storage } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from './platform-support';

// POST /v1/fine-tuning/jobs/plan against npm start's platform: what it answers is checked against
// the job the same body then runs, and nothing it does may leave a trace in the bucket.

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'trainyard.js');
let harness: Awaited<ReturnType<typeof platformHarness>>;
let ty: Trainyard;
let storage: Storage;
let env: Record<string, string>;

async function everyKey(): Promise<string[]> {
  const found: string[] = [];
  for await (const o of storage.list('')) found.push(`${o.key} ${o.etag}`);
  return found;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  harness = await platformHarness({ trainerOutput: 'ignore' });
  const platform = await harness.start();
  ty = new Trainyard({ baseUrl: platform.apiUrl, apiKey: platform.apiKey.secret! });
  storage = createRuntime(platform.config, 'test').storage;
  env = { TRAINYARD_API_URL: platform.apiUrl, TRAINYARD_API_KEY: platform.apiKey.secret! };
});
afterAll(async () => {
  await harness.dispose();
});

describe('POST /v1/fine-tuning/jobs/plan', () => {
  it('iris: the plan creates nothing, and its steps, parameters and time match the job it plans', async () => {
    const { header, rows } = iris();
    const dataset = await ty.datasets.createFromFile(
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      new Blob([toCsv(header, rows)]),
    );
    expect(dataset.status).toBe('ready');
    // No early stopping, so the job runs every planned step.
    const body = {
      dataset: dataset.id,
      hyperparameters: { epochs: 12, batch_size: 32, early_stopping: null },
    };

    const before = await everyKey();
    const plan = await ty.jobs.plan(body);
    const shown = await cli([
      'jobs',
      'plan',
      '--dataset',
      dataset.id,
      '--spec',
      JSON.stringify(body),
      '--json',
    ]);
    const human = await cli(['jobs', 'plan', '--dataset', dataset.id]);
    expect(await everyKey()).toEqual(before);
    expect((await ty.jobs.list()).data).toEqual([]);

    expect(plan.spec).toMatchObject({
      dataset: dataset.id,
      task: 'tabular_classification',
      architecture: { type: 'mlp', head: { units: [64, 32] } },
      hyperparameters: { epochs: 12, batch_size: 32, optimizer: 'adam', learning_rate: 0.001 },
    });
    expect(plan.input).toEqual({ kind: 'table', features: 4 });
    // 150 rows, 3 classes of 50: 10 of each validate (stratified 0.2).
    expect(plan.estimate).toMatchObject({
      train_examples: 120,
      validation_examples: 30,
      steps_per_epoch: 4,
      epochs: 12,
      trials: 1,
      steps: 48,
    });
    // 4·64+64 + 64·32+32 + 32·3+3 weights, 4 bytes each, ×4 with gradients and adam's two slots.
    expect(plan.estimate.parameters).toBe(2499);
    expect(plan.estimate.memory?.weights).toBe(4 * 2499);
    expect(plan.estimate.memory?.optimizer).toBe(2 * 4 * 2499);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).estimate).toEqual(plan.estimate);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/parameters\s+2499/);
    expect(human.stdout).toMatch(/steps\s+\d+ \(\d+ per epoch\)/);

    const started = performance.now();
    const created = await ty.jobs.create(body);
    const job = await ty.jobs.wait(created.id);
    const seconds = (performance.now() - started) / 1000;
    expect(job.status).toBe('succeeded');
    const events = [];
    for await (const e of ty.jobs.events(job.id)) events.push(e);
    const loaded = events.find((e) => e.type === 'data.loaded')?.data as { train: number };
    const epochs = events.filter((e) => e.type === 'epoch.completed').length;
    expect(loaded.train).toBe(plan.estimate.train_examples);
    expect(epochs * Math.ceil(loaded.train / 32)).toBe(plan.estimate.steps);
    const model = await ty.models.get(job.result_model!);
    expect(model.card?.parameters).toBe(plan.estimate.parameters);
    // Time: within 10× either way of the run (2 shared cores: other work slows a run down).
    expect(plan.estimate.seconds!).toBeGreaterThan(seconds / 10);
    expect(plan.estimate.seconds!).toBeLessThan(seconds * 10);
    console.log(`iris: planned ${plan.estimate.seconds} s, ran ${seconds.toFixed(1)} s`);
  }, 240_000);

  it('refuses what creation refuses, with the same errors, and writes nothing', async () => {
    const before = await everyKey();
    const missing = await ty.jobs.plan({ dataset: 'ds_nope' }).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: 'dataset_not_found', param: 'body.dataset' });
    const [dataset] = (await ty.datasets.list()).data;
    const wrong = await ty.jobs
      .plan({ dataset: dataset!.id, architecture: { type: 'cnn' } })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(BadRequestError);
    expect(wrong.param).toBe('body.architecture.type');
    const created = await ty.jobs
      .create({ dataset: dataset!.id, architecture: { type: 'cnn' } })
      .catch((e) => e);
    expect(created).toMatchObject({ code: wrong.code, param: wrong.param, message: wrong.message });
    expect(await everyKey()).toEqual(before);
  });
});
