import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NotFoundError, Trainyard } from '@trainyard/sdk';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { unzip } from './standalone-support';

// `GET /v1/models/{id}/download` against `npm start`'s platform in this process (real HTTP, the
// real S3 endpoint): the zip a user gets loads in plain @tensorflow/tfjs.

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'trainyard.js');
let harness: Awaited<ReturnType<typeof platformHarness>>;
let ty: Trainyard;
let dir: string;
let modelId: string;

beforeAll(async () => {
  harness = await platformHarness();
  const platform = await harness.start();
  ty = new Trainyard({
    baseUrl: platform.apiUrl,
    inferUrl: platform.inferUrl,
    apiKey: platform.apiKey.secret,
  });
  dir = await mkdtemp(join(tmpdir(), 'trainyard-download-'));
  const { header, rows } = iris();
  const dataset = await ty.datasets.createFromFile(
    { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
    new Blob([toCsv(header, rows)], { type: 'text/csv' }),
  );
  const job = await ty.jobs.create({
    dataset: dataset.id,
    hyperparameters: { epochs: 3, learning_rate: 0.05 },
  });
  const done = await ty.jobs.wait(job.id);
  expect(done.status).toBe('succeeded');
  modelId = done.result_model!;
}, 240_000);
afterAll(async () => {
  await harness.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A model.json and its shards read from a folder, as tfjs-node's `file://` would. */
async function loadFromFolder(folder: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as Array<{
    paths: string[];
    weights: tf.io.WeightsManifestEntry[];
  }>;
  const shards = await Promise.all(
    groups.flatMap((g) => g.paths).map((p) => readFile(join(folder, p))),
  );
  const data = Buffer.concat(shards);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: groups.flatMap((g) => g.weights),
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    }),
  );
}

describe('model download', () => {
  it('the SDK zip loads in @tensorflow/tfjs with one output per label', async () => {
    const response = await harness.call(`/v1/models/${modelId}/download`);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${modelId}.zip"`,
    );
    await response.body?.cancel();

    const zip = Buffer.from(await (await ty.models.download(modelId)).arrayBuffer());
    const folder = await mkdtemp(join(dir, 'unzipped-'));
    expect(await readdir(folder)).toEqual([]);
    const names = await unzip(zip, folder);
    expect(names).toEqual(
      expect.arrayContaining([
        'model.json',
        'preprocess.json',
        'card.json',
        'metrics.json',
        'README.md',
      ]),
    );
    expect(names.some((n) => n.startsWith('predictions/'))).toBe(false);
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain("from '@trainyard/predict/node'");
    // The package is not on npm: the README says how to pack it, and installs that file.
    expect(readme).toContain('npm run pack:predict');
    expect(readme).toContain('npm install /path/to/trainyard/trainyard-predict-<version>.tgz');
    expect(readme).not.toMatch(/npm install @trainyard\/predict/);

    const model = await loadFromFolder(folder);
    const preprocess = JSON.parse(await readFile(join(folder, 'preprocess.json'), 'utf8'));
    const labels = preprocess.labels;
    expect(Array.isArray(labels)).toBe(true);
    const output = model.outputs[0]!.shape;
    expect(output.at(-1)).toBe(labels.length);
    const card = JSON.parse(await readFile(join(folder, 'card.json'), 'utf8'));
    expect(card.parameters).toBe(model.countParams());
    model.dispose();
  });

  it('an unknown model is a 404', async () => {
    const error = await ty.models.download('model_missing').catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
  });

  it('the CLI writes the same bytes to -o', async () => {
    const file = join(dir, 'cli.zip');
    const platform = harness.platform;
    const child = spawn(process.execPath, [BIN, 'models', 'download', modelId, '-o', file], {
      env: {
        ...process.env,
        TRAINYARD_API_URL: platform.apiUrl,
        TRAINYARD_INFER_URL: platform.inferUrl,
        TRAINYARD_API_KEY: platform.apiKey.secret!,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const sdk = Buffer.from(await (await ty.models.download(modelId)).arrayBuffer());
    expect((await readFile(file)).equals(sdk)).toBe(true);
  }, 60_000);
});
