import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { prefixes } from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import { loadBaseModel } from '@trainyard/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// Importing a pretrained model by URL, served by a local HTTP server (tests reach no hub).

let api: TestApi;
let server: Server;
let origin: string;
const requested: string[] = [];
const files = new Map<string, Buffer>();

beforeAll(async () => {
  // The model server listens on loopback: allow-listed, as an operator would for a local one.
  api = await startTestApi({ OUTBOUND_ALLOW: '127.0.0.1' });
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [16, 16, 3],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv',
      }),
      tf.layers.globalAveragePooling2d({ name: 'pool' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'classifier' }),
    ],
  });
  let artifacts!: tf.io.ModelArtifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
  const manifest = (paths: string[], specs = artifacts.weightSpecs!) =>
    Buffer.from(
      JSON.stringify({
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths, weights: specs }],
      }),
    );
  files.set('/good/model.json', manifest(['group1-shard1of1.bin']));
  files.set('/good/group1-shard1of1.bin', weights);
  files.set('/evil/model.json', manifest(['../good/group1-shard1of1.bin']));
  files.set('/short/model.json', manifest(['w.bin']));
  files.set('/short/w.bin', weights.subarray(0, weights.length - 8));
  files.set(
    '/huge/model.json',
    manifest(['w.bin'], [{ name: 'w', shape: [100000, 100000], dtype: 'float32' }]),
  );
  server = createServer((req, res) => {
    requested.push(req.url!);
    const file = files.get(req.url!);
    res.writeHead(file ? 200 : 404).end(file);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.close();
  await api.close();
});

const importFrom = (path: string, extra: object = {}) =>
  api.call('/v1/base-models', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: path, source: { url: `${origin}${path}` }, ...extra }),
  });

async function baseModelKeys(): Promise<string[]> {
  const out: string[] = [];
  for await (const o of api.runtime.storage.list(prefixes.baseModels)) out.push(o.key);
  return out;
}

describe('POST /v1/base-models', () => {
  it('imports a model by URL, records its preprocessing, and the trainer can load it as a base', async () => {
    const res = await importFrom('/good/model.json');
    expect(res.status).toBe(201);
    const record = await body(res);
    expect(record).toMatchObject({
      object: 'base_model',
      status: 'ready',
      input_shape: [16, 16, 3],
      task: 'image_classification',
      // A model saved by tfjs (no converter's model_config wrapper) still counts its layers.
      layers: 3,
    });
    expect((await body(await api.call(`/v1/base-models/${record.id}`))).id).toBe(record.id);
    expect(
      (await body(await api.call('/v1/base-models'))).data.map((b: { id: string }) => b.id),
    ).toContain(record.id);

    const base = await loadBaseModel(api.runtime.storage, record.id);
    expect(base.model.layers.map((l) => l.name)).toEqual(['conv', 'pool', 'classifier']);
    expect(base.preprocess?.input).toEqual({
      kind: 'image',
      height: 16,
      width: 16,
      channels: 3,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
  });

  it("checks a job's cut_layer against the base's layers when the job is created, not when it trains", async () => {
    const base = await body(await importFrom('/good/model.json'));
    const digits = mnistDigits([0, 1], 4);
    const pngs = await Promise.all(digits.map(digitPng));
    const dataset = await readyDataset(
      api.runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      makeZip(digits.map((d, i) => ({ name: `digits/${d.label}/${i}.png`, data: pngs[i]! }))),
    );
    const plan = (request: object) =>
      api.call('/v1/fine-tuning/jobs/plan', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: dataset.id, ...request }),
      });
    const jobs = async () => (await body(await api.call('/v1/fine-tuning/jobs'))).data.length;
    const before = await jobs();

    const typo = await plan({ base_model: base.id, architecture: { cut_layer: 'Pool' } });
    expect(typo.status).toBe(422);
    const { error } = await body(typo);
    expect(error).toMatchObject({
      code: 'cut_layer_not_found',
      param: 'body.architecture.cut_layer',
    });
    expect(error.message).toContain('"Pool" is not a layer of');
    expect(error.message).toContain(
      'did you mean pool? expected one of its 3 layers, such as pool',
    );
    const misspelt = await body(
      await plan({ base_model: base.id, architecture: { cut_layer: 'clasifier ' } }),
    );
    expect(misspelt.error.message).toContain('did you mean classifier?');
    const created = await api.call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset: dataset.id,
        base_model: base.id,
        architecture: { cut_layer: 'dense_7' },
      }),
    });
    expect(created.status).toBe(422);
    expect((await body(created)).error.message).toContain(
      'the last of which are conv, pool, classifier',
    );
    expect(await jobs()).toBe(before);

    const good = await plan({ base_model: base.id, architecture: { cut_layer: 'pool' } });
    expect(good.status).toBe(200);
    expect((await body(good)).spec.architecture.cut_layer).toBe('pool');

    // A cut without a base to cut is refused too, rather than ignored.
    const cnn = await plan({ architecture: { type: 'cnn', cut_layer: 'pool' } });
    expect(cnn.status).toBe(400);
    expect((await body(cnn)).error).toMatchObject({ param: 'body.architecture.cut_layer' });
  });

  it('refuses a shard path that leaves the model folder, before fetching any weight', async () => {
    const before = await baseModelKeys();
    requested.length = 0;
    const res = await importFrom('/evil/model.json');
    expect(res.status).toBe(400);
    expect((await body(res)).error).toMatchObject({ code: 'unsafe_weight_path' });
    expect(requested).toEqual(['/evil/model.json']);
    expect(await baseModelKeys()).toEqual(before);
  });

  it('refuses a model whose declared weights are over the cap, before fetching them', async () => {
    requested.length = 0;
    const res = await importFrom('/huge/model.json');
    expect(res.status).toBe(400);
    expect((await body(res)).error.code).toBe('model_too_large');
    expect(requested).toEqual(['/huge/model.json']);
  });

  it('refuses shards that do not hold the declared bytes, and leaves nothing behind', async () => {
    const before = await baseModelKeys();
    const res = await importFrom('/short/model.json');
    expect(res.status).toBe(422);
    expect((await body(res)).error.code).toBe('weights_size_mismatch');
    expect(await baseModelKeys()).toEqual(before);
  });

  it('answers 422 outbound_failed when the source cannot be fetched, telling nothing of its answer', async () => {
    const res = await importFrom('/missing/model.json');
    expect(res.status).toBe(422);
    const { error } = await body(res);
    expect(error).toMatchObject({ code: 'outbound_failed', param: 'source.url' });
    expect(error.message).not.toContain('404');
  });
});
