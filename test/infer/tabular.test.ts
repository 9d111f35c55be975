import { createModelCache, type ModelCache } from '@trainyard/infer';
import type { RawDataset } from '@trainyard/ml';
import { type JobSpec, keys, modelManifestSchema, Storage } from '@trainyard/shared';
import { cars, iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxScoreDifference, rowObject, trainerOutputs } from './parity';
import {
  type InferServer,
  isolatedRuntime,
  json,
  readyDataset,
  startInfer,
  type TestRuntime,
  trainModel,
} from './support';

// Iris (classification) and cars (regression, with missing values) trained once by the real
// trainer, served over HTTP from the real S3 endpoint.

let runtime: TestRuntime;
let infer: InferServer;
let irisModel: { modelId: string; spec: JobSpec };
let carsModel: { modelId: string; spec: JobSpec };
const { header, rows } = iris();
const features = header.slice(0, 4);
const asObject = (r: readonly unknown[]) => Object.fromEntries(features.map((f, i) => [f, r[i]]));

const carRows = cars().filter((c) => c.Miles_per_Gallon !== null);
const carColumns = [
  'Cylinders',
  'Displacement',
  'Horsepower',
  'Weight_in_lbs',
  'Acceleration',
  'Origin',
] as const;

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-infer-tab', { INFER_MAX_BODY_BYTES: String(64 * 1024) });
  const irisData = await readyDataset(
    runtime,
    { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
    toCsv(header, rows),
  );
  irisModel = await trainModel(runtime, irisData, {
    hyperparameters: { epochs: 30, early_stopping: null },
  });
  const carsData = await readyDataset(
    runtime,
    { name: 'cars', task: 'tabular_regression', format: 'csv', label_column: 'Miles_per_Gallon' },
    toCsv(
      ['Miles_per_Gallon', ...carColumns],
      carRows.map((c) => [c.Miles_per_Gallon, ...carColumns.map((k) => c[k])]),
    ),
  );
  carsModel = await trainModel(runtime, carsData, {
    hyperparameters: { epochs: 20, early_stopping: null },
  });
  infer = await startInfer(runtime);
}, 90_000);
afterAll(async () => {
  await infer?.close();
  await runtime?.dispose();
});

describe('tabular classification', () => {
  it('answers rows by column name with classes best first, and is right on iris', async () => {
    const res = await infer.predictJson(irisModel.modelId, { inputs: rows.map(asObject) });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.model).toBe(irisModel.modelId);
    expect(body.predictions).toHaveLength(150);
    let right = 0;
    for (const [i, prediction] of body.predictions.entries()) {
      expect(prediction).toHaveLength(3); // top_k 5 capped at the 3 classes
      const scores = prediction.map((p: { score: number }) => p.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(scores.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
      if (prediction[0].label === rows[i]![4]) right++;
    }
    expect(right / 150).toBeGreaterThan(0.85);
  });

  it('answers concurrent requests to one model in batches, each caller exactly its answer alone', async () => {
    const cache = createModelCache(runtime);
    const served = await startInfer(runtime, { cache });
    try {
      // The real predictor, watched: how many requests each run of the model answered.
      const sizes: number[] = [];
      await cache.use(irisModel.modelId, undefined, (predictor) => {
        const answer = predictor.answerEncoded.bind(predictor);
        predictor.answerEncoded = (batch) => {
          sizes.push(batch.length);
          return answer(batch);
        };
      });
      const request = (i: number) => ({
        inputs: [asObject(rows[(i * 7) % 150]!), asObject(rows[(i * 11) % 150]!)].slice(
          0,
          1 + (i % 2),
        ),
        top_k: 1 + (i % 3),
      });
      const bodies = async (answers: Response[]) => {
        expect(answers.map((r) => r.status)).toEqual(Array(answers.length).fill(200));
        return Promise.all(answers.map(json));
      };
      // Up to three bursts of 48 at once, until one was answered in batches.
      let together: Array<{ predictions: unknown }> = [];
      for (let attempt = 0; attempt < 3 && !sizes.some((n) => n > 1); attempt++) {
        sizes.length = 0;
        together = await bodies(
          await Promise.all(
            Array.from({ length: 48 }, (_, i) => served.predictJson(irisModel.modelId, request(i))),
          ),
        );
      }
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(16); // INFER_BATCH_MAX
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(48);
      // One at a time, each runs alone: the same answers, number for number.
      sizes.length = 0;
      for (const [i, body] of together.entries()) {
        const [alone] = await bodies([await served.predictJson(irisModel.modelId, request(i))]);
        expect(body.predictions).toEqual(alone!.predictions);
      }
      expect(sizes).toEqual(Array(48).fill(1));
    } finally {
      await served.close();
    }
  });

  it('takes a row as an array in column order, top_k and threshold', async () => {
    const byName = await json(
      await infer.predictJson(irisModel.modelId, { inputs: [asObject(rows[0]!)] }),
    );
    const byOrder = await json(
      await infer.predictJson(irisModel.modelId, { inputs: [rows[0]!.slice(0, 4)], top_k: 1 }),
    );
    expect(byOrder.predictions[0]).toEqual([byName.predictions[0][0]]);

    const strict = await json(
      await infer.predictJson(irisModel.modelId, {
        inputs: [asObject(rows[0]!), asObject(rows[70]!)],
        threshold: 0.999999,
      }),
    );
    for (const [i, prediction] of strict.predictions.entries()) {
      const best = byName.predictions[0][0].score;
      if (i === 0 && best < 0.999999) expect(prediction).toEqual([{ label: null, score: best }]);
      for (const p of prediction)
        if (p.label !== null) expect(p.score).toBeGreaterThanOrEqual(0.999999);
    }
    const loose = await json(
      await infer.predictJson(irisModel.modelId, { inputs: [asObject(rows[0]!)], threshold: 0.05 }),
    );
    expect(loose.predictions[0][0]).toEqual(byName.predictions[0][0]);
    expect(loose.predictions[0].every((p: { score: number }) => p.score >= 0.05)).toBe(true);
  });

  it('gives the trainer’s evaluation probabilities on the held-out split (parity)', async () => {
    const { raw, pre, validation, outputs } = await trainerOutputs(
      runtime,
      irisModel.modelId,
      irisModel.spec,
    );
    const table = raw as RawDataset & { kind: 'table' };
    const res = await infer.predictJson(irisModel.modelId, {
      inputs: validation.map((i) => rowObject(table, i)),
      top_k: 3,
    });
    const { predictions } = await json(res);
    expect(validation.length).toBeGreaterThanOrEqual(25);
    expect(maxScoreDifference(pre, predictions, outputs)).toBeLessThan(1e-6);
  });
});

describe('tabular regression', () => {
  it('answers {value} in the target’s units, missing values as null, matching the trainer', async () => {
    const { raw, pre, validation, outputs } = await trainerOutputs(
      runtime,
      carsModel.modelId,
      carsModel.spec,
    );
    const table = raw as RawDataset & { kind: 'table' };
    const inputs = validation.map((i) => rowObject(table, i));
    expect(inputs.some((r) => r.Horsepower === null)).toBe(true);
    const res = await infer.predictJson(carsModel.modelId, { inputs });
    expect(res.status).toBe(200);
    const { predictions } = await json(res);
    const { mean, std } = pre.target!;
    let absError = 0;
    let baseline = 0;
    for (const [k, i] of validation.entries()) {
      expect(predictions[k]).toEqual([{ value: expect.any(Number) }]);
      expect(predictions[k][0].value).toBeCloseTo(outputs[k]![0]! * std + mean, 4);
      absError += Math.abs(predictions[k][0].value - table.labels[i]!);
      baseline += Math.abs(mean - table.labels[i]!);
    }
    // Better than always answering the mean: the value is in miles per gallon, not standardized.
    expect(absError).toBeLessThan(0.6 * baseline);
  });
});

describe('bad inputs', () => {
  const good = () => asObject(rows[0]!);
  const expectError = async (res: Response, status: number, ...parts: string[]) => {
    const body = await json(res);
    expect({ status: res.status, body }).toMatchObject({ status, body: { error: {} } });
    for (const part of parts) expect(body.error.message).toContain(part);
    return body.error;
  };
  // The message names the model's expected input: its columns.
  const spec = 'this model expects a row with the 4 feature columns {"sepal_length": number';

  it('reads an infinity written out ("inf", "-Infinity") as a missing value, as training does', async () => {
    const id = irisModel.modelId;
    const answer = async (value: unknown) => {
      const res = await infer.predictJson(id, { inputs: [{ ...good(), sepal_width: value }] });
      expect(res.status, JSON.stringify(value)).toBe(200);
      return (await json(res)).predictions[0];
    };
    const missing = await answer(null);
    for (const written of ['inf', '-Infinity', ' +INF '])
      expect(await answer(written)).toEqual(missing);
  });

  it('answers 4xx naming the input and the model’s input spec, then serves the next request', async () => {
    const id = irisModel.modelId;
    const { sepal_width: _, ...missing } = good();
    const cases: Array<[Response, number, ...string[]]> = [
      [
        await infer.predictJson(id, { inputs: [{ ...good(), petal_colour: 'blue' }] }),
        400,
        'inputs[0].petal_colour: unknown column "petal_colour"; this model expects',
        spec,
      ],
      [
        await infer.predictJson(id, { inputs: [good(), missing] }),
        400,
        'inputs[1].sepal_width: missing column "sepal_width"',
        spec,
      ],
      [
        await infer.predictJson(id, { inputs: [[5.1, 3.5, 1.4]] }),
        400,
        'received 3 values, expected 4',
        spec,
      ],
      [
        await infer.predictJson(id, { inputs: [{ ...good(), sepal_length: 'wide' }] }),
        400,
        'inputs[0].sepal_length',
        'expected a finite number',
        spec,
      ],
      [
        await infer.predictJson(
          id,
          '{"inputs":[{"sepal_length":1e400,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}]}',
        ),
        400,
        'inputs[0].sepal_length',
        '1e400',
        spec,
      ],
      [await infer.predictJson(id, '{"inputs":[[NaN, 3.5, 1.4, 0.2]]}'), 400, 'not valid JSON'],
      [
        await infer.predictJson(id, '{"inputs":[[Infinity, 3.5, 1.4, 0.2]]}'),
        400,
        'not valid JSON',
      ],
      [
        await infer.predictJson(id, { inputs: ['a sentence'] }),
        400,
        'inputs[0]: received the string "a sentence"',
        spec,
      ],
      [await infer.predictJson(id, { inputs: [] }), 400, 'inputs'],
      [await infer.predictJson(id, { inputs: Array.from({ length: 257 }, good) }), 400, 'inputs'],
      [await infer.predictJson(id, { inputs: [good()], top_k: 0 }), 400, 'top_k'],
      // Not read as 1, 7 and 16, as a coercing number would.
      [await infer.predictJson(id, { inputs: [good()], top_k: true }), 400, 'top_k', 'true'],
      [await infer.predictJson(id, { inputs: [good()], top_k: [7] }), 400, 'top_k', '[7]'],
      [
        await infer.predict(id, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: [good()] }),
          query: 'top_k=0x10',
        }),
        400,
        'top_k',
        '"0x10"',
      ],
      [await infer.predictJson(id, { rows: [good()] }), 400, 'rows'],
      [
        await infer.predict(id, {
          headers: { 'content-type': 'image/png' },
          body: new Uint8Array(10),
        }),
        400,
        'received image files',
        spec,
      ],
      [
        await infer.predict(id, { headers: { 'content-type': 'text/plain' }, body: 'hello' }),
        415,
        'expected application/json, multipart/form-data or image/*',
      ],
      [await infer.predict(id, {}), 415, 'Content-Type missing'],
      [
        await infer.predictJson('model_doesnotexist', { inputs: [good()] }),
        404,
        'No model "model_doesnotexist"',
      ],
      [await infer.predictJson('../../auth', { inputs: [good()] }), 404],
    ];
    for (const [res, status, ...parts] of cases) await expectError(res, status, ...parts);

    // Over INFER_MAX_BODY_BYTES (64 KiB here), with and without a declared length.
    const big = JSON.stringify({
      inputs: Array.from({ length: 200 }, () => ({ ...good(), pad: 'x'.repeat(400) })),
    });
    await expectError(await infer.predictJson(id, big), 413, 'INFER_MAX_BODY_BYTES');
    const chunks = new Blob([big]).stream();
    const streamed = await infer.predict(id, {
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'INFER_MAX_BODY_BYTES');

    const ok = await infer.predictJson(id, { inputs: [good()] });
    expect(ok.status).toBe(200);
    expect((await fetch(`${infer.url}/healthz`)).status).toBe(200);
  });

  it('names an unknown column by its own path with the column it is a typo of', async () => {
    const { sepal_length, ...rest } = good();
    const typo = await expectError(
      await infer.predictJson(irisModel.modelId, {
        inputs: [good(), { ...rest, sepal_lenght: sepal_length }],
      }),
      400,
      'inputs[1].sepal_lenght: unknown column "sepal_lenght"; did you mean "sepal_length"?',
      spec,
    );
    expect(typo.param).toBe('inputs[1].sepal_lenght');
    // Far from every column: no guess.
    const far = await expectError(
      await infer.predictJson(irisModel.modelId, { inputs: [{ ...good(), colour: 'blue' }] }),
      400,
      'inputs[0].colour: unknown column "colour"; this model expects',
    );
    expect(far.message).not.toContain('did you mean');
  });

  it('caps top_k at the class count, as documented, answering every class', async () => {
    const res = await infer.predictJson(irisModel.modelId, { inputs: [good()], top_k: 99 });
    expect(res.status).toBe(200);
    const { predictions } = await json(res);
    expect(predictions[0]).toHaveLength(3);
    // The published schema says so (and with it the SDK's types).
    const doc = (await (await fetch(`${infer.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        { post: { parameters: Array<{ name: string; description?: string }> } }
      >;
    };
    const topK = Object.values(doc.paths)
      .flatMap((p) => p.post?.parameters ?? [])
      .find((p) => p.name === 'top_k');
    expect(topK?.description).toContain("Capped at the model's class count");
  });

  it('answers a key of another project 404, as for a missing model', async () => {
    await runtime.projects.create('elsewhere').catch(() => undefined);
    const other = (await runtime.apiKeys.create('other', { project: 'elsewhere' })).secret;
    const res = await fetch(`${infer.url}/v1/models/${irisModel.modelId}/predict`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [good()] }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  it('documents the route in /openapi.json', async () => {
    const doc = await json(await fetch(`${infer.url}/openapi.json`));
    const op = doc.paths['/v1/models/{id}/predict'].post;
    expect(Object.keys(op.requestBody.content).sort()).toEqual([
      'application/json',
      'image/*',
      'multipart/form-data',
    ]);
    expect(doc.components.schemas.PredictResponse).toBeDefined();
  });
});

/** The real bucket, counting the reads of model weights. */
class CountingStorage extends Storage {
  weightReads = 0;
  override getBytes(key: string) {
    if (key.endsWith('/weights.bin')) this.weightReads++;
    return super.getBytes(key);
  }
}

describe('model cache', () => {
  let storage: CountingStorage;
  let cache: ModelCache;
  let served: InferServer;
  const bytesOf = async (id: string) =>
    (await runtime.storage.getJson(keys.modelManifest(id), modelManifestSchema)).files.reduce(
      (n, f) => n + f.bytes,
      0,
    );

  beforeAll(async () => {
    storage = new CountingStorage(runtime.s3, runtime.config.s3.bucket);
    // Room for the larger of the two models, not both.
    const maxBytes = Math.max(await bytesOf(irisModel.modelId), await bytesOf(carsModel.modelId));
    cache = createModelCache({ ...runtime, storage }, { maxBytes, revalidateMs: 200 });
    served = await startInfer({ ...runtime, storage }, { cache });
  });
  afterAll(() => served.close());

  it('loads a model once for many concurrent first requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        served.predictJson(irisModel.modelId, { inputs: [asObject(rows[i * 6]!)] }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(storage.weightReads).toBe(1);
    expect(cache.stats()).toMatchObject({ loads: 1, models: [irisModel.modelId] });
  });

  it('evicts the least recently used model past INFER_CACHE_BYTES and reloads it on use', async () => {
    const row = Object.fromEntries(carColumns.map((k) => [k, carRows[0]![k]]));
    expect((await served.predictJson(carsModel.modelId, { inputs: [row] })).status).toBe(200);
    expect(cache.stats()).toMatchObject({ loads: 2, evictions: 1, models: [carsModel.modelId] });
    expect(
      (await served.predictJson(irisModel.modelId, { inputs: [asObject(rows[0]!)] })).status,
    ).toBe(200);
    expect(cache.stats()).toMatchObject({ loads: 3, models: [irisModel.modelId] });
    expect(storage.weightReads).toBe(3);
  });

  it('stops serving a model once its manifest is deleted', async () => {
    // A copy of the iris model under a new id, published manifest last as the trainer does.
    const copy = `model_copy${Date.now().toString(36)}`;
    for await (const o of runtime.storage.list(keys.model(irisModel.modelId))) {
      if (o.key.endsWith('manifest.json')) continue;
      const name = o.key.slice(keys.model(irisModel.modelId).length);
      await runtime.storage.putBytes(
        keys.modelFile(copy, name),
        await runtime.storage.getBytes(o.key),
      );
    }
    const manifest = await runtime.storage.getJson(
      keys.modelManifest(irisModel.modelId),
      modelManifestSchema,
    );
    await runtime.storage.putJson(keys.modelManifest(copy), { ...manifest, id: copy });
    const ask = () => served.predictJson(copy, { inputs: [asObject(rows[0]!)] });
    expect((await ask()).status).toBe(200);

    await runtime.storage.delete(keys.modelManifest(copy)); // what DELETE /v1/models/{id} does first
    await new Promise((r) => setTimeout(r, 250));
    const gone = await ask();
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.code).toBe('model_not_found');
    expect(cache.stats().models).not.toContain(copy);
  });
});
