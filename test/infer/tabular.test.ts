import type { RawDataset } from '@trainyard/ml';
import type { JobSpec } from '@trainyard/shared';
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
